#include "core/gg.h"
#include "core/gg_err.h"
#include "core/gg_parse.h"

#include <strings.h>

int
gg_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;

    if (!s || !*s || (*s != '-' && (*s < '0' || *s > '9')))
        return GG_EINVAL;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return GG_EINVAL;
    *out = v;
    return 0;
}

int
gg_parse_bool(const char *s, int *out)
{
    if (!strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "yes") ||
        !strcmp(s, "on")) {
        *out = 1;
        return 0;
    }
    if (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "no") ||
        !strcmp(s, "off")) {
        *out = 0;
        return 0;
    }
    return GG_EINVAL;
}

int
gg_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str, *e = s + n;

    while (s < e) {
        unsigned c = *s;
        size_t need;
        uint32_t cp;

        if (c < 0x80) {
            s++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if ((size_t)(e - s) <= need)
            return 0;
        for (size_t i = 1; i <= need; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i] & 0x3F);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        s += need + 1;
    }
    return 1;
}

size_t
gg_utf8_len(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

int
gg_has_controls(const char *s, size_t n, int allow_lines)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (allow_lines && (c == '\t' || c == '\n' || c == '\r'))
            continue;
        if (c < 0x20 || c == 0x7F)
            return 1;
    }
    return 0;
}

int
gg_all_digits(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* The q= of one "name;q=0.8" entry, in thousandths (1000 without q). */
static int
entry_quality(const char *p, const char *end)
{
    int value = 0, scale = 100;

    while (p < end && *p != ';')
        p++;
    while (p < end && (*p == ';' || *p == ' '))
        p++;
    if (end - p < 3 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
        return 1000;
    p += 2;
    if (*p == '1')
        return 1000;
    if (*p++ != '0')
        return 0;
    if (p < end && *p == '.')
        for (p++; p < end && *p >= '0' && *p <= '9' && scale; p++) {
            value += (*p - '0') * scale;
            scale /= 10;
        }
    return value;
}

int
gg_accept_q(const char *header, const char *token)
{
    size_t tlen = strlen(token);
    const char *p = header;
    int best = -1;

    while (p && *p) {
        const char *end = p + strcspn(p, ",");
        const char *name = p;

        while (name < end && *name == ' ')
            name++;
        if ((size_t)(end - name) >= tlen && !strncasecmp(name, token, tlen) &&
            (name + tlen == end || name[tlen] == ';' || name[tlen] == ' ' ||
             name[tlen] == '-')) {
            int q = entry_quality(name + tlen, end);
            if (q > best)
                best = q;
        }
        p = *end ? end + 1 : end;
    }
    return best;
}

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void
gg_base32_encode(const unsigned char *in, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    unsigned buf = 0;
    int bits = 0;

    for (size_t i = 0; i < n; i++) {
        buf = (buf << 8) | in[i];
        bits += 8;
        while (bits >= 5 && o + 1 < cap) {
            out[o++] = b32_alphabet[(buf >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0 && o + 1 < cap)
        out[o++] = b32_alphabet[(buf << (5 - bits)) & 31];
    if (cap)
        out[o < cap ? o : cap - 1] = '\0';
}

int
gg_base32_decode(const char *in, unsigned char *out, size_t cap)
{
    unsigned buf = 0;
    int bits = 0;
    size_t o = 0;

    for (; *in; in++) {
        char c = *in;
        const char *p;
        if (c == ' ' || c == '=' || c == '-')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        p = strchr(b32_alphabet, c);
        if (!p || !c)
            return -1;
        buf = (buf << 5) | (unsigned)(p - b32_alphabet);
        bits += 5;
        if (bits >= 8) {
            if (o == cap)
                return -1;
            out[o++] = (unsigned char)(buf >> (bits - 8));
            bits -= 8;
        }
    }
    return (int)o;
}
