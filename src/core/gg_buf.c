#include "core/gg.h"
#include "core/gg_buf.h"
#include "core/gg_err.h"
#include "core/gg_mem.h"

const char gg_buf_empty[1];

void
gg_buf_init(struct gg_buf *b, size_t cap)
{
    b->data = (char *)gg_buf_empty;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void
gg_buf_release(struct gg_buf *b)
{
    if (b->alloc)
        free(b->data);
    gg_buf_init(b, b->cap);
}

void
gg_buf_reset(struct gg_buf *b)
{
    b->len = 0;
    if (b->alloc)
        b->data[0] = '\0';
}

static int
buf_grow(struct gg_buf *b, size_t extra)
{
    size_t want, alloc;

    if (extra > b->cap || b->len > b->cap - extra)
        return GG_ETOOBIG;
    want = b->len + extra + 1;
    if (want <= b->alloc)
        return 0;
    alloc = b->alloc ? b->alloc : 64;
    while (alloc < want)
        alloc = alloc > SIZE_MAX / 2 ? want : alloc * 2;
    if (alloc > b->cap + 1)
        alloc = b->cap + 1;
    if (b->alloc) {
        b->data = gg_xrealloc(b->data, alloc);
    } else {
        b->data = gg_xmalloc(alloc);
        b->data[0] = '\0';
    }
    b->alloc = alloc;
    return 0;
}

int
gg_buf_add(struct gg_buf *b, const void *data, size_t len)
{
    int rc = buf_grow(b, len);

    if (rc)
        return rc;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    if (b->alloc)
        b->data[b->len] = '\0';
    return 0;
}

int
gg_buf_adds(struct gg_buf *b, const char *s)
{
    return gg_buf_add(b, s, strlen(s));
}

int
gg_buf_addf(struct gg_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, rc;
    char small[256];

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return GG_EINTERNAL;
    if ((size_t)n < sizeof(small))
        return gg_buf_add(b, small, (size_t)n);
    rc = buf_grow(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char *
gg_buf_detach(struct gg_buf *b, size_t *len)
{
    char *p;

    if (!b->alloc) {
        p = gg_xmalloc(1);
        p[0] = '\0';
    } else {
        p = b->data;
    }
    if (len)
        *len = b->len;
    gg_buf_init(b, b->cap);
    return p;
}
