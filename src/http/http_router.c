/*
 * http_router.c - matches a method and path against the route table.
 *
 * Patterns are split into segments once at start; a request path is matched
 * segment by segment. Linear in the number of routes, which stays in the
 * low hundreds: a few hundred nanoseconds, no allocation.
 */
#include "core/gg.h"
#include "http/http_internal.h"

static int
split(const char *path, struct gg_str *seg, int max)
{
    int n = 0;
    const char *p = path;

    if (*p != '/')
        return -1;
    while (*p == '/') {
        const char *start = ++p;
        while (*p && *p != '/')
            p++;
        if (p == start && !*p)
            break; /* trailing slash */
        if (n == max)
            return -1;
        seg[n].ptr = start;
        seg[n].len = (size_t)(p - start);
        n++;
    }
    return n;
}

static int
is_param(const struct gg_str *s)
{
    return s->len > 2 && s->ptr[0] == '{' && s->ptr[s->len - 1] == '}';
}

int
router_init(struct router *r, const struct http_route *routes, size_t n,
            struct gg_err *err)
{
    r->entries = gg_xcalloc(n, sizeof(*r->entries));
    r->n = n;
    for (size_t i = 0; i < n; i++) {
        struct router_entry *e = &r->entries[i];
        int params = 0;

        e->route = &routes[i];
        e->n_segments = split(routes[i].pattern, e->segments,
                              ROUTER_MAX_SEGMENTS);
        if (e->n_segments < 0)
            goto bad;
        for (int k = 0; k < e->n_segments; k++)
            params += is_param(&e->segments[k]);
        if (params > HTTP_MAX_PARAMS)
            goto bad;
        continue;
    bad:
        router_release(r);
        return gg_failf(err, GG_EINTERNAL, "", MSG_INTERNAL, "route %s",
                        routes[i].pattern);
    }
    return 0;
}

void
router_release(struct router *r)
{
    free(r->entries);
    r->entries = NULL;
    r->n = 0;
}

static int
entry_matches(const struct router_entry *e, const struct gg_str *seg, int n)
{
    if (e->n_segments != n)
        return 0;
    for (int k = 0; k < n; k++) {
        if (is_param(&e->segments[k])) {
            if (!seg[k].len)
                return 0;
            continue;
        }
        if (e->segments[k].len != seg[k].len ||
            memcmp(e->segments[k].ptr, seg[k].ptr, seg[k].len))
            return 0;
    }
    return 1;
}

const struct http_route *
router_match(const struct router *r, enum http_method method,
             const char *path, struct http_req *req, unsigned *allowed)
{
    struct gg_str seg[ROUTER_MAX_SEGMENTS];
    int n = split(path, seg, ROUTER_MAX_SEGMENTS);
    enum http_method want = method == HTTP_HEAD ? HTTP_GET : method;

    *allowed = 0;
    if (n < 0)
        return NULL;
    for (size_t i = 0; i < r->n; i++) {
        const struct router_entry *e = &r->entries[i];
        if (!entry_matches(e, seg, n))
            continue;
        if (e->route->method != want) {
            *allowed |= 1u << e->route->method;
            if (e->route->method == HTTP_GET)
                *allowed |= 1u << HTTP_HEAD;
            continue;
        }
        req->n_params = 0;
        for (int k = 0; k < n; k++) {
            if (!is_param(&e->segments[k]))
                continue;
            req->param_names[req->n_params].ptr = e->segments[k].ptr + 1;
            req->param_names[req->n_params].len = e->segments[k].len - 2;
            req->param_values[req->n_params] =
                gg_arena_strndup(req->arena, seg[k].ptr, seg[k].len);
            req->n_params++;
        }
        return e->route;
    }
    return NULL;
}

int
router_index(const struct router *r, const struct http_route *route)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->entries[i].route == route)
            return (int)i;
    return -1;
}
