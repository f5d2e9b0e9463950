#include "core/gg.h"
#include "core/gg_sha1.h"
#include "domain/totp.h"

uint32_t
totp_code(const unsigned char *secret, size_t len, uint64_t step)
{
    unsigned char msg[8], mac[GG_SHA1_BYTES];
    int off;

    for (int i = 7; i >= 0; i--, step >>= 8)
        msg[i] = (unsigned char)step;
    gg_hmac_sha1(secret, len, msg, sizeof(msg), mac);
    off = mac[19] & 0x0f;
    return (((uint32_t)mac[off] & 0x7f) << 24 |
            (uint32_t)mac[off + 1] << 16 | (uint32_t)mac[off + 2] << 8 |
            (uint32_t)mac[off + 3]) %
           1000000u;
}

int64_t
totp_match(const unsigned char *secret, size_t len, const char *code,
           int64_t now_s, int64_t last_step)
{
    int64_t step = now_s / TOTP_STEP_S;
    uint32_t want = 0;

    if (!code || strlen(code) != 6 || strspn(code, "0123456789") != 6)
        return -1;
    for (int i = 0; i < 6; i++)
        want = want * 10 + (uint32_t)(code[i] - '0');
    for (int64_t s = step - 1; s <= step + 1; s++)
        if (s > last_step && totp_code(secret, len, (uint64_t)s) == want)
            return s;
    return -1;
}
