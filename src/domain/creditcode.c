#include "core/gg.h"
#include "domain/creditcode.h"

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int weights18[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                  29, 25, 13, 8,  24, 10, 30, 28};
static const int weights9[8] = {3, 7, 9, 10, 5, 8, 4, 2};

static int
value_of(char c)
{
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

/* GB 11714 organisation code check (digits and capital letters A=10..). */
static int
orgcode_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return -1;
}

static char
orgcode_check_char(const char *first8)
{
    int sum = 0, r;
    for (int i = 0; i < 8; i++)
        sum += orgcode_value(first8[i]) * weights9[i];
    r = 11 - sum % 11;
    return r == 10 ? 'X' : r == 11 ? '0' : (char)('0' + r);
}

static char
check_char(const char *first17)
{
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += value_of(first17[i]) * weights18[i];
    return alphabet[(31 - sum % 31) % 31];
}

int
creditcode_check(const char *code, const char *field, struct gg_err *err)
{
    char shown[24];

    snprintf(shown, sizeof(shown), "%.20s", code);
    if (strlen(code) != CREDITCODE_LEN)
        return gg_failf(err, GG_EINVAL, field, MSG_CREDIT_CODE, "%s", shown);
    for (int i = 0; i < CREDITCODE_LEN; i++)
        if (value_of(code[i]) < 0)
            return gg_failf(err, GG_EINVAL, field, MSG_CREDIT_CODE, "%s",
                            shown);
    for (int i = 2; i < 8; i++)
        if (code[i] < '0' || code[i] > '9')
            return gg_failf(err, GG_EINVAL, field, MSG_CREDIT_CODE, "%s",
                            shown);
    if (check_char(code) != code[17])
        return gg_failf(err, GG_EINVAL, field, MSG_CREDIT_CODE, "%s", shown);
    return 0;
}

void
creditcode_make(char authority, char type, const char *region6,
                unsigned serial, char out[CREDITCODE_LEN + 1])
{
    snprintf(out, CREDITCODE_LEN + 1, "%c%c%.6s%08u", authority, type,
             region6, serial % 100000000u);
    out[16] = orgcode_check_char(out + 8);
    out[17] = check_char(out);
    out[18] = '\0';
}
