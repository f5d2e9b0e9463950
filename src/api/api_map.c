/* api_map.c - the map (网格地图): boundaries as GeoJSON, drawing them, the
 * coverage report of a community, and which grid a point lies in. */
#include "core/gg.h"
#include "core/gg_json.h"
#include "api/api.h"
#include "domain/boundary.h"
#include "domain/locate.h"
#include "domain/node.h"

#define MAP_BUILDINGS_MAX 5000

static void
tolerance(const struct http_req *req, struct boundary_tolerance *tol)
{
    const struct gg_config *cfg = api_thread(req)->app->cfg;
    tol->overlap_m2 = (double)cfg->geo_overlap_tolerance_m2;
    tol->within_m = (double)cfg->geo_within_tolerance_m;
}

/* PUT /nodes/{code}/geometry {version, geometry}: 200 {code, area_m2};
 * 400 field geometry says why it was refused; 404 outside my scope; 409
 * stale version. */
int
api_map_geometry_put(struct http_req *req, struct http_resp *resp,
                     struct gg_err *err)
{
    static const char *const keys[] = {"version", "geometry", NULL};
    const char *code = http_param(req, "code");
    json_t *geometry = json_object_get(req->json, "geometry");
    struct boundary_tolerance tol;
    struct account_ctx ctx;
    int64_t version;
    double area = 0;
    int rc = gg_json_only_keys(req->json, keys, err);

    if (!rc)
        rc = api_json_int(req->json, "version", 1, INT64_MAX,
                          GG_JSON_REQUIRED, &version, err);
    if (!rc && !geometry)
        rc = gg_fail(err, GG_EINVAL, "geometry", MSG_FIELD_REQUIRED);
    if (rc)
        return rc;
    tolerance(req, &tol);
    api_ctx(req, &ctx);
    rc = boundary_set(&ctx, api_who(req), code, version, geometry, &tol,
                      &area, err);
    if (rc)
        return rc;
    http_resp_json(resp, 200, json_pack("{s:s,s:f}", "code", code, "area_m2",
                                        area));
    return 0;
}

/* DELETE /nodes/{code}/geometry?version=N: 204; 404 no boundary or outside
 * my scope; 409 stale version. */
int
api_map_geometry_delete(struct http_req *req, struct http_resp *resp,
                        struct gg_err *err)
{
    struct account_ctx ctx;
    int64_t version = 0;
    int rc = api_query_int(req, "version", INT64_MAX, &version, err);

    if (!rc && !version)
        rc = gg_fail(err, GG_EINVAL, "version", MSG_FIELD_REQUIRED);
    if (rc)
        return rc;
    api_ctx(req, &ctx);
    rc = boundary_clear(&ctx, api_who(req), http_param(req, "code"), version,
                        err);
    if (!rc)
        resp->status = 204;
    return rc;
}

static json_t *
boundary_feature(const struct store_geometry *g, int64_t persons)
{
    json_t *geometry = json_loads(g->geojson, 0, NULL);
    return json_pack("{s:s,s:o,s:{s:s,s:s?,s:s,s:I,s:f}}", "type", "Feature",
                     "geometry", geometry ? geometry : json_null(),
                     "properties", "code", g->node_code, "name", g->name,
                     "level", store_node_level_name(g->level), "persons",
                     (json_int_t)persons, "area_m2", g->area_m2);
}

/* GET /map?node=CODE: 200 a GeoJSON FeatureCollection: the node's own
 * boundary, its children's (with their person counts), and its located
 * buildings as points; 404 outside my scope. */
int
api_map_get(struct http_req *req, struct http_resp *resp, struct gg_err *err)
{
    const struct store_scope *scope = &api_who(req)->scope;
    struct store_node *node;
    struct store_geometry *own, *kids;
    struct store_record *points;
    struct store_count *by_tag, *by_child;
    size_t n_kids, n_points, n_tags, n_child;
    int64_t total;
    const char *code;
    json_t *features;
    int rc = http_query_str(req, "node", NODE_CODE_MAX, &code, err);

    if (!rc && !code)
        rc = gg_fail(err, GG_EINVAL, "node", MSG_FIELD_REQUIRED);
    if (!rc)
        rc = node_code_check(code, NULL, "node", err);
    if (!rc)
        rc = store_node_get(api_store(req), scope, code, req->arena, &node,
                            err);
    if (!rc)
        rc = store_geometry_children(api_store(req), code, req->arena, &kids,
                                     &n_kids, err);
    if (!rc)
        rc = store_person_counts(api_store(req), scope, code,
                                 node_child_len(node->level), req->arena,
                                 &total, &by_tag, &n_tags, &by_child,
                                 &n_child, err);
    if (!rc)
        rc = store_building_points(api_store(req), scope, code,
                                   MAP_BUILDINGS_MAX, req->arena, &points,
                                   &n_points, err);
    if (rc)
        return rc;
    features = json_array();
    if (!store_geometry_get(api_store(req), code, req->arena, &own, NULL))
        json_array_append_new(features, boundary_feature(own, total));
    for (size_t i = 0; i < n_kids; i++) {
        int64_t persons = 0;
        for (size_t j = 0; j < n_child; j++)
            if (!strcmp(by_child[j].key, kids[i].node_code))
                persons = by_child[j].count;
        json_array_append_new(features, boundary_feature(&kids[i], persons));
    }
    for (size_t i = 0; i < n_points; i++) {
        const struct store_value *v = points[i].v;
        json_array_append_new(
            features,
            json_pack("{s:s,s:{s:s,s:[f,f]},s:{s:I,s:s,s:s,s:s}}", "type",
                      "Feature", "geometry", "type", "Point", "coordinates",
                      v[STORE_F_BUILDING_lon].r, v[STORE_F_BUILDING_lat].r,
                      "properties", "building_id", (json_int_t)points[i].id,
                      "node_code", points[i].node_code, "name",
                      v[STORE_F_BUILDING_name].s, "address",
                      v[STORE_F_BUILDING_address].s));
    }
    http_resp_json(resp, 200,
                   json_pack("{s:s,s:o}", "type", "FeatureCollection",
                             "features", features));
    return 0;
}

/* GET /nodes/{code}/coverage: 200 the community's coverage by its grids;
 * 400 not a community or no boundary; 404 outside my scope. */
int
api_map_coverage(struct http_req *req, struct http_resp *resp,
                 struct gg_err *err)
{
    struct boundary_tolerance tol;
    struct account_ctx ctx;
    json_t *out;
    int rc;

    tolerance(req, &tol);
    api_ctx(req, &ctx);
    rc = boundary_coverage(&ctx, api_who(req), http_param(req, "code"), &tol,
                           &out, err);
    if (rc)
        return rc;
    http_resp_json(resp, 200, out);
    return 0;
}

static int
query_coord(struct http_req *req, const char *name, double *out,
            struct gg_err *err)
{
    const char *v;
    char *end;
    int rc = http_query_str(req, name, 32, &v, err);

    if (rc)
        return rc;
    if (!v)
        return gg_fail(err, GG_EINVAL, name, MSG_FIELD_REQUIRED);
    errno = 0;
    *out = strtod(v, &end);
    if (errno || end == v || *end)
        return gg_fail(err, GG_EINVAL, name, MSG_FIELD_NUMBER);
    return 0;
}

/* GET /locate?lon=&lat=: 200 {"grid": {code, name} or null} — the grid
 * covering the point, when it is in my scope; 400 a bad coordinate. */
int
api_map_locate(struct http_req *req, struct http_resp *resp,
               struct gg_err *err)
{
    struct store_node *grid = NULL;
    const char *code = NULL;
    double lon = 0, lat = 0;
    int rc = query_coord(req, "lon", &lon, err);

    if (!rc)
        rc = query_coord(req, "lat", &lat, err);
    if (!rc)
        rc = grid_locate(api_thread(req)->grids, api_store(req), lon, lat,
                         "lon", req->arena, &code, err);
    if (rc)
        return rc;
    if (code && store_node_get(api_store(req), &api_who(req)->scope, code,
                               req->arena, &grid, NULL))
        grid = NULL;
    http_resp_json(resp, 200,
                   json_pack("{s:o}", "grid",
                             grid ? json_pack("{s:s,s:s}", "code", grid->code,
                                              "name", grid->name)
                                  : json_null()));
    return 0;
}
