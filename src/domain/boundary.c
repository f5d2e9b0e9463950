#include "core/gg.h"
#include "core/gg_log.h"
#include "domain/boundary.h"
#include "domain/geo.h"
#include "domain/node.h"

#define SIBLINGS_MAX 1000

/* A node in scope that may have a boundary. */
static int
boundary_node(const struct account_ctx *ctx, const struct account_who *who,
              const char *code, struct store_node **node, struct gg_err *err)
{
    int rc = node_code_check(code, NULL, "code", err);
    if (!rc)
        rc = store_node_get(ctx->s, &who->scope, code, ctx->a, node, err);
    if (!rc && (*node)->level != NODE_COMMUNITY && (*node)->level != NODE_GRID)
        rc = gg_fail(err, GG_EINVAL, "code", MSG_GEO_LEVEL);
    return rc;
}

/* A stored boundary as a shape; NULL when the node has none. */
static int
stored_shape(const struct account_ctx *ctx, const char *code,
             struct geo_shape **out, struct store_geometry **g,
             struct gg_err *err)
{
    struct store_geometry *tmp;
    int rc = store_geometry_get(ctx->s, code, ctx->a, g ? g : &tmp, err);

    *out = NULL;
    if (rc == GG_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    rc = geo_polygon_parse_text((g ? *g : tmp)->geojson,
                                strlen((g ? *g : tmp)->geojson), "geometry",
                                out, err);
    return rc;
}

/* Inside the community, and not over a sibling. */
static int
check_grid(const struct account_ctx *ctx, const struct store_node *node,
           const struct geo_shape *shape,
           const struct boundary_tolerance *tol, struct gg_err *err)
{
    struct store_geometry *sib;
    struct geo_shape *parent = NULL;
    size_t n;
    bool within = true;
    double outside = 0;
    int rc = stored_shape(ctx, node->parent_code, &parent, NULL, err);

    if (!rc && parent)
        rc = geo_within(shape, parent, tol->within_m, &within, &outside, err);
    geo_shape_free(parent);
    if (!rc && !within)
        return gg_failf(err, GG_EINVAL, "geometry", MSG_GEO_OUTSIDE_PARENT,
                        "%.0f", outside);
    if (!rc)
        rc = store_geometry_children(ctx->s, node->parent_code, ctx->a, &sib,
                                     &n, err);
    for (size_t i = 0; !rc && i < n && i < SIBLINGS_MAX; i++) {
        struct geo_shape *other;
        double area = 0;
        if (!strcmp(sib[i].node_code, node->code))
            continue;
        rc = geo_polygon_parse_text(sib[i].geojson, strlen(sib[i].geojson),
                                    "geometry", &other, err);
        if (rc) {
            /* A stored neighbour that no longer parses cannot block. */
            rc = 0;
            continue;
        }
        rc = geo_overlap_area_m2(shape, other, &area, err);
        geo_shape_free(other);
        if (!rc && area > tol->overlap_m2)
            return gg_failf(err, GG_EINVAL, "geometry", MSG_GEO_OVERLAP,
                            "%s %s", sib[i].node_code, sib[i].name);
    }
    return rc;
}

static json_t *
area_json(const struct store_geometry *g)
{
    return g ? json_pack("{s:f}", "area_m2", g->area_m2) : json_null();
}

static int
save(const struct account_ctx *ctx, const struct account_who *who,
     const struct store_node *node, int64_t version,
     const struct store_geometry *old, const struct store_geometry *g,
     struct gg_err *err)
{
    struct store_change c = {0};
    json_t *b = area_json(old), *a = area_json(g);
    char *bt = json_dumps(b, JSON_ENCODE_ANY | JSON_COMPACT);
    char *at = json_dumps(a, JSON_ENCODE_ANY | JSON_COMPACT);
    int rc = store_begin(ctx->s, err);

    /* The node's version guards its boundary too. */
    if (!rc)
        rc = store_node_update(ctx->s, node->code, version, NULL, -1,
                               ctx->now, err);
    if (!rc)
        rc = g ? store_geometry_put(ctx->s, g, ctx->now, err)
               : store_geometry_delete(ctx->s, node->code, err);
    if (!rc) {
        c.kind = "node";
        c.record_id = strtoll(node->code, NULL, 10);
        c.node_code = node->code;
        c.at = ctx->now;
        c.actor_id = who->account_id;
        c.action = "boundary";
        c.before = old ? bt : NULL;
        c.after = g ? at : NULL;
        rc = store_history_add(ctx->s, &c, err);
    }
    if (!rc)
        rc = store_commit(ctx->s, err);
    if (rc && store_rollback(ctx->s, NULL))
        gg_log(GG_LOG_ERROR, "boundary", "op=rollback failed=1");
    free(bt);
    free(at);
    json_decref(b);
    json_decref(a);
    return rc;
}

int
boundary_set(const struct account_ctx *ctx, const struct account_who *who,
             const char *code, int64_t version, const json_t *geometry,
             const struct boundary_tolerance *tol, double *area_m2,
             struct gg_err *err)
{
    struct store_node *node;
    struct store_geometry g = {0}, *old = NULL;
    struct geo_shape *shape = NULL;
    char *text = NULL;
    int rc = boundary_node(ctx, who, code, &node, err);

    if (!rc)
        rc = geo_polygon_parse(geometry, "geometry", &shape, err);
    if (!rc && node->level == NODE_GRID)
        rc = check_grid(ctx, node, shape, tol, err);
    if (!rc)
        rc = geo_shape_area_m2(shape, &g.area_m2, err);
    if (!rc) {
        rc = store_geometry_get(ctx->s, code, ctx->a, &old, NULL);
        if (rc)
            old = NULL;
        text = geo_shape_to_text(shape, NULL);
        geo_shape_bbox(shape, g.bbox);
        g.node_code = node->code;
        g.geojson = text;
        rc = save(ctx, who, node, version, old, &g, err);
    }
    if (!rc)
        *area_m2 = g.area_m2;
    free(text);
    geo_shape_free(shape);
    return rc;
}

int
boundary_clear(const struct account_ctx *ctx, const struct account_who *who,
               const char *code, int64_t version, struct gg_err *err)
{
    struct store_node *node;
    struct store_geometry *old;
    int rc = boundary_node(ctx, who, code, &node, err);

    if (!rc)
        rc = store_geometry_get(ctx->s, code, ctx->a, &old, err);
    if (!rc)
        rc = save(ctx, who, node, version, old, NULL, err);
    return rc;
}

int
boundary_coverage(const struct account_ctx *ctx,
                  const struct account_who *who, const char *code,
                  const struct boundary_tolerance *tol, json_t **out,
                  struct gg_err *err)
{
    struct store_node *node, *kids;
    struct store_geometry *g, *sib;
    struct geo_shape *parent = NULL, **shapes = NULL;
    const char **codes = NULL;
    json_t *gaps = NULL, *overlaps = json_array(), *missing = json_array();
    size_t n = 0, n_kids = 0, k = 0;
    double gap_m2 = 0;
    int rc = boundary_node(ctx, who, code, &node, err);

    *out = NULL;
    if (!rc && node->level != NODE_COMMUNITY)
        rc = gg_fail(err, GG_EINVAL, "code", MSG_GEO_LEVEL);
    if (!rc && stored_shape(ctx, code, &parent, &g, NULL) == 0 && !parent)
        rc = gg_fail(err, GG_EINVAL, "code", MSG_GEO_NONE);
    if (!rc)
        rc = store_geometry_children(ctx->s, code, ctx->a, &sib, &n, err);
    if (!rc)
        rc = store_node_children(ctx->s, &who->scope, code, ctx->a, &kids,
                                 &n_kids, err);
    if (!rc) {
        shapes = calloc(n + 1, sizeof(*shapes));
        codes = calloc(n + 1, sizeof(*codes));
        if (!shapes || !codes)
            abort();
    }
    for (size_t i = 0; !rc && i < n && i < SIBLINGS_MAX; i++)
        if (!geo_polygon_parse_text(sib[i].geojson, strlen(sib[i].geojson),
                                    "geometry", &shapes[k], NULL))
            codes[k++] = sib[i].node_code;
    for (size_t i = 0; !rc && i < n_kids; i++) {
        int has = 0;
        for (size_t j = 0; j < n; j++)
            has |= !strcmp(kids[i].code, sib[j].node_code);
        if (!has)
            json_array_append_new(missing, json_string(kids[i].code));
    }
    if (!rc)
        rc = geo_coverage_gaps(parent, (const struct geo_shape *const *)shapes,
                               k, tol->within_m, &gap_m2, &gaps, err);
    for (size_t i = 0; !rc && i < k; i++)
        for (size_t j = i + 1; !rc && j < k; j++) {
            double area = 0;
            rc = geo_overlap_area_m2(shapes[i], shapes[j], &area, err);
            if (!rc && area > 0)
                json_array_append_new(
                    overlaps, json_pack("{s:s,s:s,s:f}", "a", codes[i], "b",
                                        codes[j], "area_m2",
                                        area));
        }
    if (!rc)
        *out = json_pack(
            "{s:f,s:f,s:f,s:{s:s,s:[{s:s,s:{},s:o}]},s:O,s:O}", "area_m2",
            g->area_m2, "covered_m2",
            g->area_m2 - gap_m2 > 0 ? g->area_m2 - gap_m2 : 0, "gaps_m2",
            gap_m2, "gaps", "type", "FeatureCollection", "features", "type",
            "Feature", "properties", "geometry", gaps, "overlaps", overlaps,
            "missing", missing);
    else
        json_decref(gaps);
    for (size_t i = 0; shapes && i < k; i++)
        geo_shape_free(shapes[i]);
    free(shapes);
    free(codes);
    geo_shape_free(parent);
    json_decref(overlaps);
    json_decref(missing);
    return rc;
}
