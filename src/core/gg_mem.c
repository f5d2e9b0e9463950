#include "core/gg.h"
#include "core/gg_mem.h"

#include <stdalign.h>
#include <unistd.h>

static void
oom(size_t n)
{
    char msg[96];
    int len = snprintf(msg, sizeof(msg), "gridgov: out of memory (%zu bytes)\n",
                       n);
    if (len > 0 && write(2, msg, (size_t)len) < 0)
        abort();
    abort();
}

void *
gg_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *
gg_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *
gg_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *
gg_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(gg_xmalloc(n), s, n);
}

struct arena_chunk {
    struct arena_chunk *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
};

struct arena_hook {
    struct arena_hook *next;
    void (*fn)(void *);
    void *arg;
};

struct gg_arena {
    struct arena_chunk *chunk;
    struct arena_hook *hooks;
    size_t chunk_size, bytes;
};

struct gg_arena *
gg_arena_new(size_t chunk_size)
{
    struct gg_arena *a = gg_xcalloc(1, sizeof(*a));
    a->chunk_size = chunk_size < 256 ? 256 : chunk_size;
    return a;
}

void
gg_arena_free(struct gg_arena *a)
{
    if (!a)
        return;
    while (a->hooks) {
        struct arena_hook *h = a->hooks;
        a->hooks = h->next;
        h->fn(h->arg); /* the hook itself lives in a chunk: freed below */
    }
    while (a->chunk) {
        struct arena_chunk *c = a->chunk;
        a->chunk = c->next;
        free(c);
    }
    free(a);
}

void
gg_arena_reset(struct gg_arena *a)
{
    struct arena_chunk *keep = NULL;

    while (a->hooks) {
        struct arena_hook *h = a->hooks;
        a->hooks = h->next;
        h->fn(h->arg);
    }
    while (a->chunk) {
        struct arena_chunk *c = a->chunk;
        a->chunk = c->next;
        if (!keep && c->size == a->chunk_size) {
            keep = c;
            continue;
        }
        free(c);
    }
    a->bytes = 0;
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
        a->chunk = keep;
        a->bytes = keep->size;
    }
}

void *
gg_arena_alloc(struct gg_arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    struct arena_chunk *c = a->chunk;
    size_t need = (n + align - 1) & ~(align - 1);
    void *p;

    if (need < n)
        oom(n);
    if (!c || c->size - c->used < need) {
        size_t size = need > a->chunk_size ? need : a->chunk_size;
        c = gg_xmalloc(sizeof(*c) + size);
        c->size = size;
        c->used = 0;
        /* A big one-off allocation goes behind the current chunk so the
         * remaining space of the current chunk stays usable. */
        if (a->chunk && need > a->chunk_size) {
            c->next = a->chunk->next;
            a->chunk->next = c;
        } else {
            c->next = a->chunk;
            a->chunk = c;
        }
        a->bytes += size;
    }
    p = c->data + c->used;
    c->used += need;
    return memset(p, 0, n);
}

char *
gg_arena_strndup(struct gg_arena *a, const char *s, size_t n)
{
    char *p = gg_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
gg_arena_strdup(struct gg_arena *a, const char *s)
{
    return gg_arena_strndup(a, s, strlen(s));
}

char *
gg_arena_printf(struct gg_arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    p = gg_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void
gg_arena_on_free(struct gg_arena *a, void (*fn)(void *), void *arg)
{
    struct arena_hook *h = gg_arena_alloc(a, sizeof(*h));
    h->fn = fn;
    h->arg = arg;
    h->next = a->hooks;
    a->hooks = h;
}

size_t
gg_arena_bytes(const struct gg_arena *a)
{
    return a->bytes;
}
