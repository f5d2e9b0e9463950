/* api_registry.c - buildings, households, organisations and party
 * organisations: the registry records that share one shape
 * (domain/registry.h), with one set of handlers for all of them. */
#include "core/gg.h"
#include "core/gg_json.h"
#include "api/api.h"
#include "domain/node.h"
#include "domain/registry.h"

#define RECORDS_PAGE 100
#define PARTY_ORGS_MAX 1000

/* Party organisations parents first, each followed by its subtree (the
 * ids alone are not enough once a parent has changed). */
static void
tree_order(struct gg_arena *a, struct store_record *rows, size_t n)
{
    struct store_record *out = gg_arena_alloc(a, (n + 1) * sizeof(*out));
    char *done = gg_arena_alloc(a, n + 1);
    size_t *stack = gg_arena_alloc(a, (n + 1) * sizeof(*stack));
    size_t k = 0;

    memset(done, 0, n + 1);
    for (size_t root = 0; root < n; root++) {
        const struct store_value *p = &rows[root].v[STORE_F_PARTY_ORG_parent_id];
        int has_parent = 0, top = 0;
        for (size_t j = 0; p->set && j < n && !has_parent; j++)
            has_parent = rows[j].id == p->i && j != root;
        if (done[root] || has_parent)
            continue;
        stack[top++] = root;
        done[root] = 1;
        while (top) {
            size_t at = stack[--top];
            out[k++] = rows[at];
            /* Push children in reverse so they come out in id order. */
            for (size_t j = n; j-- > 0;) {
                const struct store_value *q =
                    &rows[j].v[STORE_F_PARTY_ORG_parent_id];
                if (!done[j] && q->set && q->i == rows[at].id) {
                    done[j] = 1;
                    stack[top++] = j;
                }
            }
        }
    }
    for (size_t i = 0; i < n; i++) /* a loop nothing reaches: keep it */
        if (!done[i])
            out[k++] = rows[i];
    memcpy(rows, out, n * sizeof(*rows));
}

/* GET /<kind>?node=CODE[&q=TEXT][&kind=K][&building=ID][&after=ID]: 200
 * {"items","next"} in id order within my scope; 400 names a bad
 * parameter. Party organisations come all at once (a tree). */
static int
records_list(struct http_req *req, struct http_resp *resp,
             enum store_kind kind, struct gg_err *err)
{
    const struct reg_kind *k = registry_kind_of(kind);
    struct store_record_filter f = {0};
    struct store_record *rows;
    json_t *items;
    int64_t last;
    size_t n;
    int rc;

    rc = http_query_str(req, "node", NODE_CODE_MAX, &f.node, err);
    if (!rc && kind == STORE_KIND_HOUSEHOLD)
        rc = api_query_int(req, "building", INT64_MAX, &f.parent, err);
    if (!rc && !f.node && f.parent) {
        /* A building's households: the building says where to look. */
        struct store_record *b;
        rc = store_record_get(api_store(req), STORE_KIND_BUILDING,
                              &api_who(req)->scope, f.parent, req->arena, &b,
                              err);
        if (!rc)
            f.node = b->node_code;
    }
    if (!rc && !f.node)
        rc = gg_fail(err, GG_EINVAL, "node", MSG_FIELD_REQUIRED);
    if (!rc)
        rc = node_code_check(f.node, NULL, "node", err);
    if (!rc)
        rc = http_query_str(req, "q", 50, &f.q, err);
    if (!rc && kind != STORE_KIND_HOUSEHOLD)
        rc = http_query_str(req, "kind", 20, &f.kind, err);
    if (!rc)
        rc = api_query_int(req, "after", INT64_MAX, &f.after, err);
    if (rc)
        return rc;
    if (f.q && !*f.q)
        f.q = NULL;
    if (f.kind && !*f.kind)
        f.kind = NULL;
    f.limit = kind == STORE_KIND_PARTY_ORG ? PARTY_ORGS_MAX : RECORDS_PAGE;
    rc = store_record_list(api_store(req), kind, &api_who(req)->scope, &f,
                           req->arena, &rows, &n, err);
    if (rc)
        return rc;
    last = n ? rows[n - 1].id : 0; /* the keyset goes by id */
    if (kind == STORE_KIND_PARTY_ORG)
        tree_order(req->arena, rows, n);
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, registry_json(k, &rows[i]));
    http_resp_json(resp, 200,
                   json_pack("{s:o,s:o}", "items", items, "next",
                             n == (size_t)f.limit ? json_integer(last)
                                                  : json_null()));
    return 0;
}

static int
record_get(struct http_req *req, enum store_kind kind,
           struct store_record **out, struct gg_err *err)
{
    int64_t id;
    int rc = api_param_id(req, "id", &id, err);
    if (!rc)
        rc = store_record_get(api_store(req), kind, &api_who(req)->scope, id,
                              req->arena, out, err);
    return rc;
}

/* What a record's page adds: a building its households, a household its
 * members, a party organisation its members. */
static int
record_detail(struct http_req *req, enum store_kind kind,
              const struct store_record *r, json_t *out, struct gg_err *err)
{
    json_t *list = json_array();
    size_t n = 0;
    int rc = 0;

    switch (kind) {
    case STORE_KIND_BUILDING: {
        const struct reg_kind *hk = registry_kind_of(STORE_KIND_HOUSEHOLD);
        struct store_record_filter f = {.node = r->node_code,
                                        .parent = r->id, .limit = 2000};
        struct store_record *rows;
        rc = store_record_list(api_store(req), STORE_KIND_HOUSEHOLD,
                               &api_who(req)->scope, &f, req->arena, &rows,
                               &n, err);
        for (size_t i = 0; !rc && i < n; i++)
            json_array_append_new(list, registry_json(hk, &rows[i]));
        json_object_set(out, "households", list);
        break;
    }
    case STORE_KIND_HOUSEHOLD: {
        struct store_person_filter f = {.node = r->node_code,
                                        .household = r->id, .limit = 100};
        struct store_person_row *rows;
        rc = store_person_list(api_store(req), &api_who(req)->scope, &f,
                               req->arena, &rows, &n, err);
        for (size_t i = 0; !rc && i < n; i++)
            json_array_append_new(list, api_person_row_json(&rows[i]));
        json_object_set(out, "members", list);
        break;
    }
    case STORE_KIND_PARTY_ORG: {
        struct store_party_member *m;
        rc = store_party_members(api_store(req), r->id, req->arena, &m, &n,
                                 err);
        for (size_t i = 0; !rc && i < n; i++)
            json_array_append_new(list, api_party_member_json(&m[i]));
        json_object_set(out, "members", list);
        break;
    }
    default:
        break;
    }
    json_decref(list);
    return rc;
}

/* GET /<kind>/{id}: 200 the record with its households or members; 404
 * outside my scope. */
static int
records_get(struct http_req *req, struct http_resp *resp,
            enum store_kind kind, struct gg_err *err)
{
    struct store_record *r;
    json_t *out;
    int rc = record_get(req, kind, &r, err);

    if (rc)
        return rc;
    out = registry_json(registry_kind_of(kind), r);
    rc = record_detail(req, kind, r, out, err);
    if (rc) {
        json_decref(out);
        return rc;
    }
    http_resp_json(resp, 200, out);
    return 0;
}

/* POST /<kind> (201) and PUT /<kind>/{id} (200, with the version read):
 * the record as stored; 400 names the first bad field; 404 outside my
 * scope; 409 a stale version or a duplicate. A PUT changes the fields it
 * names and keeps the others. */
static int
records_save(struct http_req *req, struct http_resp *resp,
             enum store_kind kind, int update, struct gg_err *err)
{
    static const char *const extra_create[] = {"node_code", NULL};
    static const char *const extra_update[] = {"node_code", "version", NULL};
    const struct reg_kind *k = registry_kind_of(kind);
    struct store_record rec = {0}, *stored;
    struct account_ctx ctx;
    int64_t id = 0, version = 0;
    const char *node = NULL;
    int rc = 0;

    if (update) {
        struct store_record *old;
        rc = record_get(req, kind, &old, err);
        if (rc)
            return rc;
        rec = *old;
        id = old->id;
        rc = api_json_int(req->json, "version", 1, INT64_MAX,
                          GG_JSON_REQUIRED, &version, err);
    }
    if (!rc)
        rc = gg_json_get_str(req->json, "node_code", NODE_CODE_MAX,
                             GG_JSON_OPTIONAL, &node, err);
    if (!rc)
        rc = registry_from_json(k, req->json,
                                update ? extra_update : extra_create,
                                req->arena, &rec, err);
    if (rc)
        return rc;
    if (node)
        rec.node_code = node;
    else if (!update || json_object_get(req->json, "lon"))
        rec.node_code = NULL; /* a new location picks the grid again */
    api_ctx(req, &ctx);
    rc = registry_save(&ctx, api_who(req), k, api_thread(req)->grids, id,
                       version, &rec, &id, err);
    if (!rc)
        rc = store_record_get(api_store(req), kind, &api_who(req)->scope, id,
                              req->arena, &stored, err);
    if (rc)
        return rc;
    http_resp_json(resp, update ? 200 : 201, registry_json(k, stored));
    return 0;
}

static int
records_history(struct http_req *req, struct http_resp *resp,
                enum store_kind kind, struct gg_err *err)
{
    struct store_record *r;
    int rc = record_get(req, kind, &r, err);
    return rc ? rc
              : api_history(req, resp, store_kind_name[kind], r->id, err);
}

/* The route table names one handler per resource and verb. */
#define RECORD_ROUTES(prefix, KIND)                                           \
    int api_##prefix##_list(struct http_req *req, struct http_resp *resp,     \
                            struct gg_err *err)                               \
    {                                                                         \
        return records_list(req, resp, KIND, err);                            \
    }                                                                         \
    int api_##prefix##_get(struct http_req *req, struct http_resp *resp,      \
                           struct gg_err *err)                                \
    {                                                                         \
        return records_get(req, resp, KIND, err);                             \
    }                                                                         \
    int api_##prefix##_create(struct http_req *req, struct http_resp *resp,   \
                              struct gg_err *err)                             \
    {                                                                         \
        return records_save(req, resp, KIND, 0, err);                         \
    }                                                                         \
    int api_##prefix##_update(struct http_req *req, struct http_resp *resp,   \
                              struct gg_err *err)                             \
    {                                                                         \
        return records_save(req, resp, KIND, 1, err);                         \
    }                                                                         \
    int api_##prefix##_history(struct http_req *req, struct http_resp *resp,  \
                               struct gg_err *err)                            \
    {                                                                         \
        return records_history(req, resp, KIND, err);                         \
    }

RECORD_ROUTES(buildings, STORE_KIND_BUILDING)
RECORD_ROUTES(households, STORE_KIND_HOUSEHOLD)
RECORD_ROUTES(organisations, STORE_KIND_ORG)
RECORD_ROUTES(party_orgs, STORE_KIND_PARTY_ORG)
RECORD_ROUTES(departments, STORE_KIND_DEPARTMENT)
RECORD_ROUTES(services, STORE_KIND_SERVICE)
