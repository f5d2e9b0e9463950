/* api_roster.c - the people of a node: its roster (一网多员), its care card
 * (关爱卡), the members of party organisations, and the overview that
 * shows a node's governance and party trees together (多网合一). */
#include "core/gg.h"
#include "core/gg_json.h"
#include "api/api.h"
#include "domain/node.h"
#include "domain/registry.h"
#include "domain/roster.h"

#define ROSTER_HOUSEHOLDS_MAX 50

json_t *
api_party_member_json(const struct store_party_member *m)
{
    return json_pack("{s:I,s:s?,s:s,s:s?,s:b,s:o}", "person_id",
                     (json_int_t)m->person_id, "name", m->name, "duty",
                     m->duty, "joined_on", m->joined_on, "center_household",
                     m->center_household != 0, "household_id",
                     m->household_id ? json_integer(m->household_id)
                                     : json_null());
}

static json_t *
roster_entry_json(const struct store_roster *r)
{
    json_t *hh = json_array();
    for (size_t i = 0; i < r->n_households; i++)
        json_array_append_new(hh, json_integer(r->households[i]));
    return json_pack("{s:I,s:s,s:I,s:s?,s:s,s:s?,s:o,s:s?,s:o,s:o,s:o}",
                     "id", (json_int_t)r->id, "node_code", r->node_code,
                     "person_id", (json_int_t)r->person_id, "name", r->name,
                     "post", r->post, "work_phone", r->work_phone,
                     "building_id",
                     r->building_id ? json_integer(r->building_id)
                                    : json_null(),
                     "building_name", r->building_name,
                     "unit_no",
                     r->unit_no ? json_integer(r->unit_no) : json_null(),
                     "households", hh, "since", api_time_json(r->since));
}

/* The node of the {code} path parameter, in my scope (404 otherwise). */
static int
path_node(struct http_req *req, struct store_node **node, struct gg_err *err)
{
    const char *code = http_param(req, "code");
    int rc = node_code_check(code, NULL, "code", err);
    if (!rc)
        rc = store_node_get(api_store(req), &api_who(req)->scope, code,
                            req->arena, node, err);
    return rc;
}

static int
roster_of(struct http_req *req, const char *code, json_t **out,
          struct gg_err *err)
{
    struct store_roster *list;
    size_t n;
    int rc = store_roster_list(api_store(req), code, req->arena, &list, &n,
                               err);
    if (rc)
        return rc;
    *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(*out, roster_entry_json(&list[i]));
    return 0;
}

/* GET /nodes/{code}/roster: 200 {"items":[entry]}; 404 outside my scope. */
int
api_roster_list(struct http_req *req, struct http_resp *resp,
                struct gg_err *err)
{
    struct store_node *node;
    json_t *items;
    int rc = path_node(req, &node, err);

    if (!rc)
        rc = roster_of(req, node->code, &items, err);
    if (rc)
        return rc;
    http_resp_json(resp, 200, json_pack("{s:o}", "items", items));
    return 0;
}

/* POST /nodes/{code}/roster {person_id, post, work_phone?, building_id?,
 * unit_no?, households?}: 201 the entry; 400 a field; 404 the node is not
 * in my scope; 409 the person holds that post there already. */
int
api_roster_add(struct http_req *req, struct http_resp *resp,
               struct gg_err *err)
{
    static const char *const keys[] = {"person_id", "post", "work_phone",
                                       "building_id", "unit_no",
                                       "households", NULL};
    struct store_roster r = {0}, *list;
    json_t *hh = json_object_get(req->json, "households"), *v;
    int64_t unit = 0, *ids = NULL;
    struct account_ctx ctx;
    size_t i, n;
    int64_t id;
    int rc;

    r.node_code = http_param(req, "code");
    rc = node_code_check(r.node_code, NULL, "code", err);
    if (!rc)
        rc = gg_json_only_keys(req->json, keys, err);
    if (!rc)
        rc = api_json_int(req->json, "person_id", 1, INT64_MAX,
                          GG_JSON_REQUIRED, &r.person_id, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "post", 30, GG_JSON_REQUIRED,
                             &r.post, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "work_phone", 20, GG_JSON_OPTIONAL,
                             &r.work_phone, err);
    if (!rc)
        rc = api_json_int(req->json, "building_id", 1, INT64_MAX,
                          GG_JSON_OPTIONAL, &r.building_id, err);
    if (!rc)
        rc = api_json_int(req->json, "unit_no", 1, 100, GG_JSON_OPTIONAL,
                          &unit, err);
    if (!rc && hh && !json_is_null(hh)) {
        if (!json_is_array(hh) || json_array_size(hh) > ROSTER_HOUSEHOLDS_MAX)
            return gg_failf(err, GG_EINVAL, "households", MSG_FIELD_ARRAY,
                            "%d", ROSTER_HOUSEHOLDS_MAX);
        ids = gg_arena_alloc(req->arena, (json_array_size(hh) + 1) *
                                             sizeof(*ids));
        json_array_foreach(hh, i, v) {
            if (!json_is_integer(v) || json_integer_value(v) <= 0)
                return gg_fail(err, GG_EINVAL, "households",
                               MSG_FIELD_INTEGER);
            ids[i] = json_integer_value(v);
        }
        r.households = ids;
        r.n_households = json_array_size(hh);
    }
    if (rc)
        return rc;
    if (r.work_phone && !*r.work_phone)
        r.work_phone = NULL;
    r.unit_no = (int)unit;
    api_ctx(req, &ctx);
    rc = roster_add(&ctx, api_who(req), &r, &id, err);
    if (!rc)
        rc = store_roster_list(api_store(req), r.node_code, req->arena, &list,
                               &n, err);
    if (rc)
        return rc;
    for (i = 0; i < n; i++)
        if (list[i].id == id) {
            http_resp_json(resp, 201, roster_entry_json(&list[i]));
            return 0;
        }
    return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
}

/* DELETE /roster/{id}: 204; 404 outside my scope. */
int
api_roster_remove(struct http_req *req, struct http_resp *resp,
                  struct gg_err *err)
{
    return api_id_action(req, resp, roster_remove, err);
}

static int
by_rank(const void *a, const void *b)
{
    const struct store_roster *x = a, *y = b;
    int d = roster_post_rank(x->post) - roster_post_rank(y->post);
    return d ? d : (x->id > y->id) - (x->id < y->id);
}

/* GET /nodes/{code}/care-card: 200 {node_code, node_name, contacts:[{post,
 * name, work_phone}]} — the node's posts with a service number, chiefs
 * first. */
int
api_roster_care_card(struct http_req *req, struct http_resp *resp,
                     struct gg_err *err)
{
    struct store_node *node;
    struct store_roster *list;
    json_t *contacts;
    size_t n;
    int rc = path_node(req, &node, err);

    if (!rc)
        rc = store_roster_list(api_store(req), node->code, req->arena, &list,
                               &n, err);
    if (rc)
        return rc;
    qsort(list, n, sizeof(*list), by_rank);
    contacts = json_array();
    for (size_t i = 0; i < n; i++)
        if (list[i].work_phone)
            json_array_append_new(
                contacts, json_pack("{s:s,s:s?,s:s}", "post", list[i].post,
                                    "name", list[i].name, "work_phone",
                                    list[i].work_phone));
    http_resp_json(resp, 200,
                   json_pack("{s:s,s:s,s:o}", "node_code", node->code,
                             "node_name", node->name, "contacts", contacts));
    return 0;
}

/* GET /nodes/{code}/overview: 200 {node, ancestors, children, party_orgs,
 * roster, counts, chief: {id, name} or null} — the governance tree and
 * the party tree of one node in
 * one answer (多网合一); 404 outside my scope. */
int
api_nodes_overview(struct http_req *req, struct http_resp *resp,
                   struct gg_err *err)
{
    const struct reg_kind *pk = registry_kind_of(STORE_KIND_PARTY_ORG);
    struct store_record_filter f = {0};
    struct store_node *node = NULL, *kids;
    struct store_record *orgs;
    json_t *ancestors, *children, *party, *roster = NULL;
    json_t *chief_json = json_null();
    struct store_person_row *chief;
    int64_t counts[5];
    size_t n_kids, n_orgs;
    int rc = path_node(req, &node, err);

    if (!rc)
        rc = store_node_children(api_store(req), &api_who(req)->scope,
                                 node->code, req->arena, &kids, &n_kids, err);
    f.node = node ? node->code : NULL;
    f.limit = 1000;
    if (!rc)
        rc = store_record_list(api_store(req), STORE_KIND_PARTY_ORG,
                               &api_who(req)->scope, &f, req->arena, &orgs,
                               &n_orgs, err);
    if (!rc)
        rc = store_node_counts(api_store(req), node->code, counts, err);
    if (!rc)
        rc = roster_of(req, node->code, &roster, err);
    if (rc)
        return rc;
    /* The ancestors I may see, top first, for the breadcrumb. */
    ancestors = json_array();
    for (size_t len = 2; len < strlen(node->code); len += len < 6 ? 2 : 3) {
        struct store_node *up;
        char *code = gg_arena_strndup(req->arena, node->code, len);
        if (!store_node_get(api_store(req), &api_who(req)->scope, code,
                            req->arena, &up, NULL))
            json_array_append_new(ancestors, api_node_json(up));
    }
    children = json_array();
    for (size_t i = 0; i < n_kids; i++)
        json_array_append_new(children, api_node_json(&kids[i]));
    party = json_array();
    for (size_t i = 0; i < n_orgs; i++)
        json_array_append_new(party, registry_json(pk, &orgs[i]));
    if (node->chief_person_id &&
        !store_person_get(api_store(req), &api_who(req)->scope,
                          node->chief_person_id, req->arena, &chief, NULL))
        chief_json = json_pack("{s:I,s:s}", "id",
                               (json_int_t)chief->id, "name", chief->name);
    http_resp_json(
        resp, 200,
        json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:{s:I,s:I,s:I,s:I,s:I}}", "node",
                  api_node_json(node), "chief", chief_json, "ancestors", ancestors, "children",
                  children, "party_orgs", party, "roster", roster, "counts",
                  "persons", (json_int_t)counts[0], "buildings",
                  (json_int_t)counts[1], "households", (json_int_t)counts[2],
                  "organisations", (json_int_t)counts[3], "party_orgs",
                  (json_int_t)counts[4]));
    return 0;
}

/* The {id} and {person_id} path parameters. */
static int
member_path(struct http_req *req, int64_t *org, int64_t *person,
            struct gg_err *err)
{
    int rc = api_param_id(req, "id", org, err);
    return rc ? rc : api_param_id(req, "person_id", person, err);
}

/* PUT /party-orgs/{id}/members/{person_id} {duty, joined_on?,
 * center_household?}: 200 the member; 400 a field; 404 outside scope. */
int
api_party_member_put(struct http_req *req, struct http_resp *resp,
                     struct gg_err *err)
{
    static const char *const keys[] = {"duty", "joined_on",
                                       "center_household", NULL};
    struct store_party_member m = {0}, *list;
    struct account_ctx ctx;
    int center = 0;
    size_t n;
    int rc = member_path(req, &m.party_org_id, &m.person_id, err);

    if (!rc)
        rc = gg_json_only_keys(req->json, keys, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "duty", 20, GG_JSON_REQUIRED, &m.duty,
                             err);
    if (!rc)
        rc = gg_json_get_str(req->json, "joined_on", 10, GG_JSON_OPTIONAL,
                             &m.joined_on, err);
    if (!rc)
        rc = api_json_bool(req->json, "center_household", &center, err);
    if (rc)
        return rc;
    if (m.joined_on && !*m.joined_on)
        m.joined_on = NULL;
    m.center_household = center == 1;
    api_ctx(req, &ctx);
    rc = party_member_set(&ctx, api_who(req), &m, err);
    if (!rc)
        rc = store_party_members(api_store(req), m.party_org_id, req->arena,
                                 &list, &n, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (list[i].person_id == m.person_id) {
            http_resp_json(resp, 200, api_party_member_json(&list[i]));
            return 0;
        }
    return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
}

/* DELETE /party-orgs/{id}/members/{person_id}: 204; 404. */
int
api_party_member_delete(struct http_req *req, struct http_resp *resp,
                        struct gg_err *err)
{
    struct account_ctx ctx;
    int64_t org, person;
    int rc = member_path(req, &org, &person, err);

    if (rc)
        return rc;
    api_ctx(req, &ctx);
    rc = party_member_remove(&ctx, api_who(req), org, person, err);
    if (rc)
        return rc;
    resp->status = 204;
    return 0;
}
