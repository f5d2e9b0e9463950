#include "core/gg.h"
#include "core/gg_log.h"
#include "domain/geo.h"
#include "domain/locate.h"

struct grid_locator {
    struct geo_index *idx;
    int64_t seq; /* the geometry sequence idx was built at; -1: never */
};

struct grid_locator *
grid_locator_new(void)
{
    struct grid_locator *l = calloc(1, sizeof(*l));
    if (!l)
        abort();
    l->seq = -1;
    return l;
}

void
grid_locator_free(struct grid_locator *l)
{
    if (!l)
        return;
    geo_index_free(l->idx);
    free(l);
}

/* The shapes read for a rebuild. */
struct gather {
    struct geo_shape **shapes;
    int64_t *ids;
    size_t n, cap;
};

static int
gather_one(void *ctx, const struct store_geometry *g)
{
    struct gather *ga = ctx;
    struct geo_shape *shape;
    struct gg_err err = {0};

    /* A stored boundary was checked when written; one that no longer
     * parses (a newer, stricter checker) is left out, not fatal. */
    if (geo_polygon_parse_text(g->geojson, strlen(g->geojson), "geometry",
                               &shape, &err)) {
        gg_log(GG_LOG_WARN, "locate", "op=rebuild skipped=%s", g->node_code);
        return 0;
    }
    if (ga->n == ga->cap) {
        ga->cap = ga->cap ? ga->cap * 2 : 64;
        ga->shapes = realloc(ga->shapes, ga->cap * sizeof(*ga->shapes));
        ga->ids = realloc(ga->ids, ga->cap * sizeof(*ga->ids));
        if (!ga->shapes || !ga->ids)
            abort();
    }
    ga->shapes[ga->n] = shape;
    ga->ids[ga->n++] = strtoll(g->node_code, NULL, 10);
    return 0;
}

static int
rebuild(struct grid_locator *l, struct store *s, int64_t seq,
        struct gg_err *err)
{
    struct gather ga = {0};
    struct geo_index *idx = NULL;
    int64_t read_seq = seq;
    int rc = store_geometry_grids(s, gather_one, &ga, &read_seq, err);

    if (!rc && ga.n)
        rc = geo_index_build((const struct geo_shape *const *)ga.shapes,
                             ga.ids, ga.n, GEO_INDEX_CELLS, &idx, err);
    for (size_t i = 0; i < ga.n; i++)
        geo_shape_free(ga.shapes[i]);
    free(ga.shapes);
    free(ga.ids);
    if (rc)
        return rc;
    geo_index_free(l->idx);
    l->idx = idx;
    l->seq = read_seq;
    return 0;
}

int
grid_locate(struct grid_locator *l, struct store *s, double lon, double lat,
            const char *field, struct gg_arena *a, const char **code,
            struct gg_err *err)
{
    int64_t seq, id;
    int rc;

    *code = NULL;
    rc = geo_point_check(lon, lat, field, err);
    if (!rc)
        rc = store_geometry_seq(s, &seq, err);
    if (!rc && seq != l->seq)
        rc = rebuild(l, s, seq, err);
    if (rc || !l->idx)
        return rc;
    rc = geo_index_lookup(l->idx, lon, lat, &id, NULL);
    if (rc == GG_ENOTFOUND)
        return 0;
    if (rc)
        return gg_fail(err, rc, field, MSG_GEO_FAILED);
    *code = gg_arena_printf(a, "%" PRId64, id);
    return 0;
}
