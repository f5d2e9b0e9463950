#include "core/gg.h"
#include "core/gg_parse.h"
#include "domain/idcard.h"

static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6,
                                3, 7, 9, 10, 5, 8, 4, 2};
static const char check_chars[11] = "10X98765432";

char
idcard_check_digit(const char *first17)
{
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (first17[i] - '0') * weights[i];
    return check_chars[sum % 11];
}

int
date_valid(int y, int m, int d)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    if (y < 1800 || y > 9999 || m < 1 || m > 12 || d < 1)
        return 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

static int
digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

int
idcard_check(const char *id, int today_ymd, struct idcard_info *info,
             const char *field, struct gg_err *err)
{
    int y, m, d;

    if (strlen(id) != IDCARD_LEN || !gg_all_digits(id, 17) ||
        !((id[17] >= '0' && id[17] <= '9') || id[17] == 'X'))
        return gg_fail(err, GG_EINVAL, field, MSG_IDCARD_SHAPE);
    if (id[0] < '1' || id[0] > '9')
        return gg_fail(err, GG_EINVAL, field, MSG_IDCARD_REGION);
    y = digits(id + 6, 4);
    m = digits(id + 10, 2);
    d = digits(id + 12, 2);
    if (!date_valid(y, m, d) || y < 1890 || y * 10000 + m * 100 + d > today_ymd)
        return gg_fail(err, GG_EINVAL, field, MSG_IDCARD_BIRTH);
    if (idcard_check_digit(id) != id[17])
        return gg_fail(err, GG_EINVAL, field, MSG_IDCARD_CHECK);
    if (info) {
        snprintf(info->birth_date, sizeof(info->birth_date),
                 "%04u-%02u-%02u", (unsigned)y % 10000u,
                 (unsigned)m % 100u, (unsigned)d % 100u);
        info->sex = ((id[16] - '0') % 2) ? '1' : '2';
    }
    return 0;
}

void
idcard_make(const char *region6, int year, int month, int day, int seq,
            char out[IDCARD_LEN + 1])
{
    snprintf(out, IDCARD_LEN + 1, "%.6s%04u%02u%02u%03u", region6,
             (unsigned)year % 10000u, (unsigned)month % 100u,
             (unsigned)day % 100u, (unsigned)seq % 1000u);
    out[17] = idcard_check_digit(out);
    out[18] = '\0';
}
