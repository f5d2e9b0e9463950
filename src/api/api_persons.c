/* api_persons.c - persons of the registry: masked lists, and the one
 * audited way to see an ID or phone number in full. */
#include "core/gg.h"
#include "core/gg_json.h"
#include "api/api.h"
#include "domain/node.h"
#include "domain/person.h"

#define PERSONS_PAGE 100

/* GET /persons?node=CODE&after=: 200 {"items","next"}, masked; 400. */
int
api_persons_list(struct http_req *req, struct http_resp *resp,
                 struct gg_err *err)
{
    struct store_person_row *rows;
    const char *node;
    int64_t after;
    json_t *items;
    size_t n;
    int rc;

    rc = http_query_str(req, "node", NODE_CODE_MAX, &node, err);
    if (!rc && !node)
        rc = gg_fail(err, GG_EINVAL, "node", MSG_FIELD_REQUIRED);
    if (!rc)
        rc = node_code_check(node, NULL, "node", err);
    if (!rc)
        rc = api_query_int(req, "after", INT64_MAX, &after, err);
    if (!rc)
        rc = store_person_list(api_store(req), &api_who(req)->scope, node,
                               after, PERSONS_PAGE, req->arena, &rows, &n, err);
    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            items,
            json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s,s:s?,s:s?,s:s?}", "id",
                      (json_int_t)rows[i].id, "node_code", rows[i].node_code,
                      "name", rows[i].name, "sex", rows[i].sex, "birth_date",
                      rows[i].birth_date, "residence", rows[i].residence,
                      "id_no_masked", rows[i].id_no_mask, "phone_masked",
                      rows[i].phone_mask, "tags", rows[i].tags));
    http_resp_json(resp, 200,
                   json_pack("{s:o,s:o}", "items", items, "next",
                             n == PERSONS_PAGE ? json_integer(rows[n - 1].id)
                                               : json_null()));
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
