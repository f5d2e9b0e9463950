/* gg_sha1.c - SHA-1 (FIPS 180-4) and HMAC (RFC 2104). */
#include "core/gg.h"
#include "core/gg_sha1.h"

struct sha1 {
    uint32_t h[5];
    uint64_t bytes;
    unsigned char block[64];
    size_t fill;
};

static uint32_t
rol(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static void
sha1_block(struct sha1 *c, const unsigned char *p)
{
    uint32_t w[80], a, b, d, e, f, k, t, cc;

    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    a = c->h[0];
    b = c->h[1];
    cc = c->h[2];
    d = c->h[3];
    e = c->h[4];
    for (int i = 0; i < 80; i++) {
        if (i < 20) {
            f = (b & cc) | (~b & d);
            k = 0x5A827999;
        } else if (i < 40) {
            f = b ^ cc ^ d;
            k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (b & cc) | (b & d) | (cc & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ cc ^ d;
            k = 0xCA62C1D6;
        }
        t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = cc;
        cc = rol(b, 30);
        b = a;
        a = t;
    }
    c->h[0] += a;
    c->h[1] += b;
    c->h[2] += cc;
    c->h[3] += d;
    c->h[4] += e;
}

static void
sha1_init(struct sha1 *c)
{
    static const uint32_t iv[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE,
                                   0x10325476, 0xC3D2E1F0};
    memcpy(c->h, iv, sizeof(iv));
    c->bytes = 0;
    c->fill = 0;
}

static void
sha1_update(struct sha1 *c, const void *data, size_t len)
{
    const unsigned char *p = data;

    c->bytes += len;
    while (len) {
        size_t take = 64 - c->fill < len ? 64 - c->fill : len;
        memcpy(c->block + c->fill, p, take);
        c->fill += take;
        p += take;
        len -= take;
        if (c->fill == 64) {
            sha1_block(c, c->block);
            c->fill = 0;
        }
    }
}

static void
sha1_final(struct sha1 *c, unsigned char out[GG_SHA1_BYTES])
{
    uint64_t bits = c->bytes * 8;
    unsigned char pad = 0x80, zero = 0, len[8];

    sha1_update(c, &pad, 1);
    while (c->fill != 56)
        sha1_update(c, &zero, 1);
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha1_update(c, len, 8);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (unsigned char)(c->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)c->h[i];
    }
}

void
gg_sha1(const void *data, size_t len, unsigned char out[GG_SHA1_BYTES])
{
    struct sha1 c;
    sha1_init(&c);
    sha1_update(&c, data, len);
    sha1_final(&c, out);
}

void
gg_hmac_sha1(const void *key, size_t key_len, const void *msg, size_t msg_len,
             unsigned char out[GG_SHA1_BYTES])
{
    unsigned char k[64] = {0}, pad[64], inner[GG_SHA1_BYTES];
    struct sha1 c;

    if (key_len > 64)
        gg_sha1(key, key_len, k);
    else
        memcpy(k, key, key_len);
    for (int i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x36;
    sha1_init(&c);
    sha1_update(&c, pad, 64);
    sha1_update(&c, msg, msg_len);
    sha1_final(&c, inner);
    for (int i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x5c;
    sha1_init(&c);
    sha1_update(&c, pad, 64);
    sha1_update(&c, inner, sizeof(inner));
    sha1_final(&c, out);
}
