/*
 * gg_mem.h - allocation that aborts on out-of-memory, and the per-request
 * arena.
 *
 * Memory follows the unit of work: a request (or a CLI command) allocates
 * from one arena and frees it at the end in one call. Cleanup hooks let
 * non-memory resources (an open transaction, a jansson value) ride on the
 * same lifetime: they run in reverse order of registration.
 * An arena is not thread-safe; each request owns its own.
 */
#ifndef GG_MEM_H
#define GG_MEM_H

#include <stddef.h>

void *gg_xmalloc(size_t n);
void *gg_xcalloc(size_t n, size_t size);
void *gg_xrealloc(void *p, size_t n);
char *gg_xstrdup(const char *s);

struct gg_arena;

struct gg_arena *gg_arena_new(size_t chunk_size);
void gg_arena_free(struct gg_arena *a); /* NULL-safe; runs cleanup hooks */
/* Runs the cleanup hooks and forgets every allocation, keeping one chunk
 * for reuse: a worker thread recycles its request arenas this way. */
void gg_arena_reset(struct gg_arena *a);
void *gg_arena_alloc(struct gg_arena *a, size_t n);   /* aligned, zeroed */
char *gg_arena_strdup(struct gg_arena *a, const char *s);
char *gg_arena_strndup(struct gg_arena *a, const char *s, size_t n);
char *gg_arena_printf(struct gg_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Runs fn(arg) when the arena is freed. */
void gg_arena_on_free(struct gg_arena *a, void (*fn)(void *), void *arg);
size_t gg_arena_bytes(const struct gg_arena *a);

#endif
