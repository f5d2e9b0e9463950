/* api_persons.c - persons of the registry: masked lists, and the one
 * audited way to see an ID or phone number in full. */
#include "core/gg.h"
#include "core/gg_json.h"
#include "api/api.h"
#include "domain/node.h"
#include "domain/idcard.h"
#include "domain/person.h"
#include "domain/pii.h"

#define PERSONS_PAGE 100

json_t *
api_person_row_json(const struct store_person_row *p)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s,s:s?,s:s?,s:s?,s:s?,s:o}",
                     "id", (json_int_t)p->id, "node_code", p->node_code,
                     "name", p->name, "sex", p->sex, "birth_date",
                     p->birth_date, "residence", p->residence, "id_no_masked",
                     p->id_no_mask, "phone_masked", p->phone_mask, "tags",
                     p->tags, "relation", p->relation, "household_id",
                     p->household_id ? json_integer(p->household_id)
                                     : json_null());
}

int
api_person_filter(struct http_req *req, struct api_person_query *q,
                  struct gg_err *err)
{
    const struct gg_keys *keys = api_thread(req)->app->keys;
    struct store_person_filter *f = &q->f;
    const char *id_no, *phone;
    int rc;

    memset(f, 0, sizeof(*f));
    rc = http_query_str(req, "node", NODE_CODE_MAX, &f->node, err);
    if (!rc && !f->node)
        rc = gg_fail(err, GG_EINVAL, "node", MSG_FIELD_REQUIRED);
    if (!rc)
        rc = node_code_check(f->node, NULL, "node", err);
    if (!rc)
        rc = api_query_int(req, "after", INT64_MAX, &f->after, err);
    if (!rc)
        rc = api_query_int(req, "building", INT64_MAX, &f->building, err);
    if (!rc)
        rc = api_query_int(req, "household", INT64_MAX, &f->household, err);
    if (!rc)
        rc = http_query_str(req, "q", 50, &f->name_prefix, err);
    if (!rc)
        rc = http_query_str(req, "tag", 20, &f->tag, err);
    if (!rc)
        rc = http_query_str(req, "address", 100, &f->address, err);
    if (!rc)
        rc = http_query_str(req, "id_no", 18, &id_no, err);
    if (!rc)
        rc = http_query_str(req, "phone", 13, &phone, err);
    if (rc)
        return rc;
    if (id_no) {
        char norm[IDCARD_LEN + 1];
        snprintf(norm, sizeof(norm), "%s", id_no);
        if (norm[17] == 'x')
            norm[17] = 'X';
        rc = idcard_check(norm, 99991231, NULL, "id_no", err);
        if (rc)
            return rc;
        pii_blind_of(keys, PII_ID_NO, norm, q->id_blind);
        f->id_blind = q->id_blind;
    } else if (phone) {
        rc = pii_phone_check(phone, "phone", err);
        if (rc)
            return rc;
        pii_blind_of(keys, PII_PHONE, phone, q->phone_blind);
        f->phone_blind = q->phone_blind;
    }
    if (f->name_prefix && !*f->name_prefix)
        f->name_prefix = NULL;
    if (f->tag && !*f->tag)
        f->tag = NULL;
    if (f->address && !*f->address)
        f->address = NULL;
    f->limit = PERSONS_PAGE;
    return 0;
}

/* GET /persons?node=CODE[&q=NAME_PREFIX][&id_no=..|&phone=..][&tag=..]
 * [&address=..][&building=ID][&household=ID][&after=ID]: 200
 * {"items","next"}, masked, in id order; an ID or phone number is matched
 * exactly through its blind index. 400 names the bad parameter. */
int
api_persons_list(struct http_req *req, struct http_resp *resp,
                 struct gg_err *err)
{
    struct api_person_query q;
    struct store_person_row *rows;
    json_t *items;
    size_t n;
    int rc = api_person_filter(req, &q, err);

    if (!rc)
        rc = store_person_list(api_store(req), &api_who(req)->scope, &q.f,
                               req->arena, &rows, &n, err);
    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, api_person_row_json(&rows[i]));
    http_resp_json(resp, 200,
                   json_pack("{s:o,s:o}", "items", items, "next",
                             n == PERSONS_PAGE ? json_integer(rows[n - 1].id)
                                               : json_null()));
    return 0;
}

/* The special-population tags a person may carry (person_tags). */
static json_t *
configured_tags(const struct gg_config *cfg)
{
    json_t *list = json_array();
    for (const char *p = cfg->person_tags; *p;) {
        size_t n = strcspn(p, ",");
        if (n)
            json_array_append_new(list, json_stringn(p, n));
        p += n + (p[n] == ',');
    }
    return list;
}

/* GET /persons/stats?node=CODE: 200 {"total", "by_tag":[{tag,count}],
 * "by_child":[{code,name,count}], "tags":[tag]} within my scope (tags:
 * every tag a person may carry); 400 a bad node. */
int
api_persons_stats(struct http_req *req, struct http_resp *resp,
                  struct gg_err *err)
{
    const struct account_who *who = api_who(req);
    struct store_count *tags, *children;
    struct store_node *kids = NULL;
    size_t n_tags, n_children, n_kids = 0, child_len = 0;
    enum store_node_level level;
    json_t *by_tag, *by_child;
    const char *node;
    int64_t total;
    int rc;

    rc = http_query_str(req, "node", NODE_CODE_MAX, &node, err);
    if (!rc && !node)
        rc = gg_fail(err, GG_EINVAL, "node", MSG_FIELD_REQUIRED);
    if (!rc)
        rc = node_code_check(node, NULL, "node", err);
    if (rc)
        return rc;
    if (!node_code_level(node, &level))
        child_len = node_child_len(level);
    rc = store_person_counts(api_store(req), &who->scope, node, child_len,
                             req->arena, &total, &tags, &n_tags, &children,
                             &n_children, err);
    if (!rc && child_len)
        rc = store_node_children(api_store(req), &who->scope, node,
                                 req->arena, &kids, &n_kids, err);
    if (rc)
        return rc;
    by_tag = json_array();
    for (size_t i = 0; i < n_tags; i++)
        json_array_append_new(by_tag,
                              json_pack("{s:s,s:I}", "tag", tags[i].key,
                                        "count", (json_int_t)tags[i].count));
    by_child = json_array();
    for (size_t i = 0; i < n_children; i++) {
        const char *name = NULL;
        for (size_t k = 0; k < n_kids && !name; k++)
            if (!strcmp(kids[k].code, children[i].key))
                name = kids[k].name;
        json_array_append_new(
            by_child, json_pack("{s:s,s:s?,s:I}", "code", children[i].key,
                                "name", name, "count",
                                (json_int_t)children[i].count));
    }
    http_resp_json(resp, 200,
                   json_pack("{s:I,s:o,s:o,s:o}", "total", (json_int_t)total,
                             "by_tag", by_tag, "by_child", by_child, "tags",
                             configured_tags(api_thread(req)->app->cfg)));
    return 0;
}

/* {fields:["id_no","phone"], reason}: 200 the full values, written to the
 * audit log first; 400 field; 403 without pii.reveal; 404 outside scope;
 * 503 when the audit record cannot be written (nothing is shown). */
int
api_persons_reveal(struct http_req *req, struct http_resp *resp,
                   struct gg_err *err)
{
    static const char *const keys[] = {"fields", "reason", NULL};
    json_t *arr = json_object_get(req->json, "fields"), *v;
    const char *reason, *id_no, *phone;
    struct account_ctx ctx;
    unsigned fields = 0;
    int64_t id;
    size_t i;
    int rc;

    rc = api_param_id(req, "id", &id, err);
    if (!rc)
        rc = gg_json_only_keys(req->json, keys, err);
    if (!rc)
        rc = gg_json_get_str(req->json, "reason", 200, GG_JSON_REQUIRED,
                             &reason, err);
    if (rc)
        return rc;
    if (!json_is_array(arr) || !json_array_size(arr) ||
        json_array_size(arr) > 2)
        return gg_failf(err, GG_EINVAL, "fields", MSG_FIELD_ARRAY, "%d", 2);
    json_array_foreach(arr, i, v) {
        const char *f = json_string_value(v);
        if (f && !strcmp(f, "id_no"))
            fields |= PERSON_FIELD_ID_NO;
        else if (f && !strcmp(f, "phone"))
            fields |= PERSON_FIELD_PHONE;
        else
            return gg_failf(err, GG_EINVAL, "fields", MSG_FIELD_CHOICE, "%s",
                            "id_no, phone");
    }
    api_ctx(req, &ctx);
    rc = person_reveal(&ctx, api_who(req), id, fields, reason, &id_no, &phone,
                       err);
    if (rc)
        return rc;
    http_resp_json(resp, 200, json_pack("{s:s?,s:s?}", "id_no", id_no,
                                        "phone", phone));
    return 0;
}

#define PERSON_MAX_TAGS 16

/* Reads a person's fields from the body (all of them: a PUT replaces). */
static int
person_input_read(struct http_req *req, struct person_input *in,
                  int64_t *version, struct gg_err *err)
{
    static const char *const keys[] = {
        "version", "node_code", "household_id", "relation", "name", "sex",
        "birth_date", "ethnic", "political", "residence", "id_no", "phone",
        "moved_in", "moved_out", "tags", NULL};
    static const struct {
        const char *name;
        size_t max;
        size_t offset;
    } text[] = {
        {"node_code", 18, offsetof(struct person_input, node_code)},
        {"relation", 2, offsetof(struct person_input, relation)},
        {"name", 50, offsetof(struct person_input, name)},
        {"sex", 1, offsetof(struct person_input, sex)},
        {"birth_date", 10, offsetof(struct person_input, birth_date)},
        {"ethnic", 2, offsetof(struct person_input, ethnic)},
        {"political", 2, offsetof(struct person_input, political)},
        {"residence", 20, offsetof(struct person_input, residence)},
        {"id_no", 18, offsetof(struct person_input, id_no)},
        {"phone", 13, offsetof(struct person_input, phone)},
        {"moved_in", 10, offsetof(struct person_input, moved_in)},
        {"moved_out", 10, offsetof(struct person_input, moved_out)},
    };
    json_t *tags = json_object_get(req->json, "tags"), *v;
    const char **list;
    size_t i;
    int rc = gg_json_only_keys(req->json, keys, err);

    memset(in, 0, sizeof(*in));
    for (i = 0; !rc && i < GG_ARRAY_LEN(text); i++)
        rc = gg_json_get_str(req->json, text[i].name, text[i].max,
                             GG_JSON_OPTIONAL,
                             (const char **)((char *)in + text[i].offset),
                             err);
    if (!rc)
        rc = api_json_int(req->json, "household_id", 1, INT64_MAX, 0,
                          &in->household_id, err);
    if (!rc && version)
        rc = api_json_int(req->json, "version", 1, INT64_MAX, 1, version,
                          err);
    if (rc)
        return rc;
    if (tags && (!json_is_array(tags) ||
                 json_array_size(tags) > PERSON_MAX_TAGS))
        return gg_failf(err, GG_EINVAL, "tags", MSG_FIELD_ARRAY, "%d",
                        PERSON_MAX_TAGS);
    list = gg_arena_alloc(req->arena,
                          (json_array_size(tags) + 1) * sizeof(*list));
    json_array_foreach(tags, i, v) {
        if (!json_is_string(v))
            return gg_fail(err, GG_EINVAL, "tags", MSG_FIELD_STRING);
        for (size_t k = 0; k < i; k++)
            if (!strcmp(list[k], json_string_value(v)))
                return gg_failf(err, GG_EINVAL, "tags", MSG_FIELD_CHOICE,
                                "%.40s", list[k]);
        list[i] = json_string_value(v);
    }
    in->tags = list;
    in->n_tags = json_array_size(tags);
    return 0;
}

static int
answer_person(struct http_req *req, struct http_resp *resp, int64_t id,
              int status, struct gg_err *err)
{
    struct store_person *p;
    json_t *j;
    int rc = store_person_record(api_store(req), &api_who(req)->scope, id,
                                 req->arena, &p, err);
    if (rc)
        return rc;
    j = person_json(p);
    json_object_set_new(j, "id", json_integer(p->id));
    json_object_set_new(j, "version", json_integer(p->version));
    http_resp_json(resp, status, j);
    return 0;
}

/* 201 the person, masked; 400 the first bad field; 409 the ID number is
 * already recorded. */
int
api_persons_create(struct http_req *req, struct http_resp *resp,
                   struct gg_err *err)
{
    struct person_input in;
    struct account_ctx ctx;
    int64_t id;
    int rc = person_input_read(req, &in, NULL, err);

    if (rc)
        return rc;
    api_ctx(req, &ctx);
    rc = person_create(&ctx, api_who(req), &in, &id, err);
    if (rc)
        return rc;
    return answer_person(req, resp, id, 201, err);
}

/* 200 the person, masked; 404 missing or outside my scope. */
int
api_persons_get(struct http_req *req, struct http_resp *resp,
                struct gg_err *err)
{
    int64_t id;
    int rc = api_param_id(req, "id", &id, err);
    if (rc)
        return rc;
    return answer_person(req, resp, id, 200, err);
}

/* {version, ...every field}: 200 the person; id_no / phone absent keep
 * what is recorded, "" clears it; 400; 404; 409 stale or ID taken. */
int
api_persons_update(struct http_req *req, struct http_resp *resp,
                   struct gg_err *err)
{
    struct person_input in;
    struct account_ctx ctx;
    int64_t id, version = 0;
    int rc = api_param_id(req, "id", &id, err);

    if (!rc)
        rc = person_input_read(req, &in, &version, err);
    if (rc)
        return rc;
    api_ctx(req, &ctx);
    rc = person_update(&ctx, api_who(req), id, version, &in, err);
    if (rc)
        return rc;
    return answer_person(req, resp, id, 200, err);
}

/* 200 {"items":[change]} newest first, masked; 404 outside my scope. */
int
api_persons_history(struct http_req *req, struct http_resp *resp,
                    struct gg_err *err)
{
    struct store_person_row *row;
    int64_t id;
    int rc = api_param_id(req, "id", &id, err);

    if (!rc)
        rc = store_person_get(api_store(req), &api_who(req)->scope, id,
                              req->arena, &row, err);
    return rc ? rc : api_history(req, resp, "person", id, err);
}
