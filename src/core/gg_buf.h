/*
 * gg_buf.h - one growable, capped, NUL-terminated byte buffer (after git's
 * strbuf and curl's dynbuf).
 *
 * A buffer never grows beyond its cap: an append that would exceed it fails
 * with GG_ETOOBIG and leaves the contents unchanged, so input-driven sizes
 * are ordinary errors. Running out of memory aborts. `data` is always
 * NUL-terminated (an empty, never-grown buffer points at a static "").
 */
#ifndef GG_BUF_H
#define GG_BUF_H

#include <stddef.h>

struct gg_buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap;
};

/* A borrowed slice: lengths travel with bytes. */
struct gg_str {
    const char *ptr;
    size_t len;
};

#define GG_BUF_INIT(cap_) {(char *)gg_buf_empty, 0, 0, (cap_)}
extern const char gg_buf_empty[1];

void gg_buf_init(struct gg_buf *b, size_t cap);
void gg_buf_release(struct gg_buf *b);
void gg_buf_reset(struct gg_buf *b);
int gg_buf_add(struct gg_buf *b, const void *data, size_t len)
    __attribute__((warn_unused_result));
int gg_buf_adds(struct gg_buf *b, const char *s)
    __attribute__((warn_unused_result));
int gg_buf_addf(struct gg_buf *b, const char *fmt, ...)
    __attribute__((warn_unused_result, format(printf, 2, 3)));
/* Hands the bytes to the caller (free() them); the buffer becomes empty. */
char *gg_buf_detach(struct gg_buf *b, size_t *len);

#endif
