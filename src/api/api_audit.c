/* api_audit.c - the audit log, for the audit administrator (审计管理员). */
#include "core/gg.h"
#include "core/gg_time.h"
#include "api/api.h"
#include "domain/audit.h"

#define AUDIT_PAGE_MAX 200

/* GET /audit?from=&to=&actor=&action=&after=&limit= (from, to: ISO-8601;
 * actor and action: exact):
 * 200 {"items","next"} newest first; 400 bad query. */
int
api_audit_list(struct http_req *req, struct http_resp *resp,
               struct gg_err *err)
{
    struct store_audit_filter f = {0};
    struct store_audit *list;
    int64_t limit = 0;
    json_t *items;
    size_t n;
    int rc;

    rc = api_query_time(req, "from", &f.from_ms, err);
    if (!rc)
        rc = api_query_time(req, "to", &f.to_ms, err);
    f.from_ms *= 1000;
    f.to_ms *= 1000;
    if (!rc)
        rc = api_query_int(req, "after", INT64_MAX, &f.before_seq, err);
    if (!rc)
        rc = api_query_int(req, "limit", AUDIT_PAGE_MAX, &limit, err);
    if (!rc)
        rc = http_query_str(req, "actor", 80, &f.actor, err);
    if (!rc)
        rc = http_query_str(req, "action", 40, &f.action, err);
    if (rc)
        return rc;
    f.limit = limit ? (int)limit : 50;
    if (f.actor && !*f.actor)
        f.actor = NULL;
    if (f.action && !*f.action)
        f.action = NULL;
    rc = store_audit_list(api_store(req), &f, req->arena, &list, &n, err);
    if (rc)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        char at[GG_ISO_LEN];
        gg_time_iso(list[i].at, at);
        json_array_append_new(
            items,
            json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "seq",
                      (json_int_t)list[i].seq, "at", at, "actor",
                      list[i].actor, "action", list[i].action, "target",
                      list[i].target, "detail", list[i].detail, "ip",
                      list[i].ip, "hash", list[i].hash));
    }
    http_resp_json(resp, 200,
                   json_pack("{s:o,s:o}", "items", items, "next",
                             (int)n == f.limit
                                 ? json_integer(list[n - 1].seq)
                                 : json_null()));
    return 0;
}

/* 200 {"ok","checked","first_broken"}. */
int
api_audit_verify(struct http_req *req, struct http_resp *resp,
                 struct gg_err *err)
{
    int64_t checked, broken;
    int rc = audit_verify(api_store(req), api_thread(req)->app->keys,
                          &checked, &broken, err);

    if (rc)
        return rc;
    http_resp_json(resp, 200,
                   json_pack("{s:b,s:I,s:o}", "ok", broken == 0, "checked",
                             (json_int_t)checked, "first_broken",
                             broken ? json_integer(broken) : json_null()));
    return 0;
}
