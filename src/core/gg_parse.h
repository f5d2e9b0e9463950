/*
 * gg_parse.h - strict number parsing (instead of atoi) and text checks.
 * All return 0 or GG_EINVAL; thread-safe.
 */
#ifndef GG_PARSE_H
#define GG_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* A decimal integer in [min, max], the whole string, no sign for unsigned. */
int gg_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
    __attribute__((warn_unused_result));
int gg_parse_bool(const char *s, int *out)
    __attribute__((warn_unused_result));
/* 1 if the n bytes are well-formed UTF-8 (no overlongs or surrogates). */
int gg_utf8_valid(const char *s, size_t n);
/* Number of code points in well-formed UTF-8. */
size_t gg_utf8_len(const char *s, size_t n);
/* 1 if the text has C0 controls (other than \t \n \r when allow_lines) or
 * DEL. */
int gg_has_controls(const char *s, size_t n, int allow_lines);
/* The quality (0..1000) an Accept-* header gives token ("gzip", "zh"):
 * an entry matches when it equals token or starts with token and '-'
 * ("zh-CN"). -1 when no entry matches. header may be NULL. */
int gg_accept_q(const char *header, const char *token);
/* 1 if s is exactly n ASCII digits, n > 0. */
int gg_all_digits(const char *s, size_t n);

/* RFC 4648 base32 (A-Z2-7, no padding) of n bytes into out (cap >= 8n/5+2).
 */
void gg_base32_encode(const unsigned char *in, size_t n, char *out,
                      size_t cap);
/* Decodes base32 (case-insensitive; spaces and '=' ignored); returns the
 * byte count, or -1 for a bad character or too small an output. */
int gg_base32_decode(const char *in, unsigned char *out, size_t cap);

#endif
