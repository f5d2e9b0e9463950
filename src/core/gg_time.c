#include "core/gg.h"
#include "core/gg_time.h"

int64_t
gg_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
gg_now_s(void)
{
    return gg_now_ms() / 1000;
}

uint64_t
gg_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
gg_time_iso(int64_t ms, char out[GG_ISO_LEN])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;

    size_t n;

    gmtime_r(&secs, &tm);
    n = strftime(out, GG_ISO_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, GG_ISO_LEN - n, ".%03dZ", (int)(ms % 1000));
}

int
gg_date_ymd(const char *v)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, n = 0, leap;

    if (!v || strlen(v) != 10 || v[4] != '-' || v[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9'))
            return -1;
    if (sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
        return -1;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1800 || m < 1 || m > 12 || d < 1 ||
        d > days[m - 1] + (m == 2 && leap))
        return -1;
    return y * 10000 + m * 100 + d;
}

int32_t
gg_ymd_days(int ymd)
{
    /* Howard Hinnant's days_from_civil: years start on 1 March so the
     * leap day comes last; eras of 400 years repeat exactly. */
    int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    int era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

int
gg_today_ymd(int64_t now_s)
{
    time_t t = (time_t)now_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}
