#include "core/gg.h"

#include <jansson.h>

#include "core/gg_log.h"
#include "core/gg_time.h"
#include "domain/node.h"
#include "domain/roster.h"

/* The posts, in care-card order. */
static const char *const posts[] = {
    "grid_chief", "grid_worker_full", "grid_worker_part", "household_chief",
    "building_chief", "unit_chief", "police", "law_enforcement",
    "urban_management", "sanitation", "safety", "mediation", "publicity",
    "patrol",
};

static const char *const duties[] = {"secretary", "deputy", "committee",
                                     "member"};

#define ROSTER_HOUSEHOLDS_MAX 50

int
roster_post_rank(const char *post)
{
    for (size_t i = 0; post && i < GG_ARRAY_LEN(posts); i++)
        if (!strcmp(posts[i], post))
            return (int)i;
    return -1;
}

/* Writes a history entry and commits, or rolls back. */
static int
finish(const struct account_ctx *ctx, const struct account_who *who,
       const char *kind, int64_t record_id, const char *node,
       const char *action, json_t *before, json_t *after, int rc,
       struct gg_err *err)
{
    struct store_change c = {0};
    char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

    if (!rc) {
        c.kind = kind;
        c.record_id = record_id;
        c.node_code = node;
        c.at = ctx->now;
        c.actor_id = who->account_id;
        c.action = action;
        c.before = b;
        c.after = a;
        rc = store_history_add(ctx->s, &c, err);
    }
    free(b);
    free(a);
    json_decref(before);
    json_decref(after);
    if (!rc)
        rc = store_commit(ctx->s, err);
    if (rc && store_rollback(ctx->s, NULL))
        gg_log(GG_LOG_ERROR, "roster", "op=rollback failed=1");
    return rc;
}

static int
person_in_scope(const struct account_ctx *ctx, const struct account_who *who,
                int64_t id, struct store_person_row **p, struct gg_err *err)
{
    if (id <= 0 ||
        store_person_get(ctx->s, &who->scope, id, ctx->a, p, NULL))
        return gg_failf(err, GG_EINVAL, "person_id", MSG_PERSON_NOT_FOUND,
                        "%" PRId64, id);
    return 0;
}

static int
work_phone_ok(const char *v)
{
    size_t n = v ? strlen(v) : 0;
    return n >= 3 && n <= 20 && strspn(v, "0123456789-") == n &&
           v[0] != '-';
}

static json_t *
roster_json(const struct store_roster *r, const char *name)
{
    return json_pack("{s:I,s:s,s:s,s:s?}", "person_id",
                     (json_int_t)r->person_id, "name", name, "post", r->post,
                     "work_phone", r->work_phone);
}

int
roster_add(const struct account_ctx *ctx, const struct account_who *who,
           struct store_roster *r, int64_t *id, struct gg_err *err)
{
    struct store_person_row *p;
    struct store_record *b;
    struct store_node *node;
    int rc;

    if (store_node_get(ctx->s, &who->scope, r->node_code, ctx->a, &node,
                       NULL))
        return gg_failf(err, GG_ENOTFOUND, "code", MSG_NODE_NOT_FOUND, "%s",
                        r->node_code);
    if (node->level < NODE_COMMUNITY)
        return gg_failf(err, GG_EINVAL, "code", MSG_NODE_LEVEL_HOLDS, "%s",
                        store_node_level_name(node->level));
    rc = person_in_scope(ctx, who, r->person_id, &p, err);
    if (rc)
        return rc;
    if (roster_post_rank(r->post) < 0)
        return gg_failf(err, GG_EINVAL, "post", MSG_FIELD_CHOICE, "%s",
                        "grid_chief grid_worker_full grid_worker_part "
                        "household_chief building_chief unit_chief publicity "
                        "safety mediation patrol police law_enforcement "
                        "sanitation urban_management");
    if (r->work_phone && !work_phone_ok(r->work_phone))
        return gg_fail(err, GG_EINVAL, "work_phone", MSG_WORK_PHONE);
    if (!strcmp(r->post, "building_chief") || !strcmp(r->post, "unit_chief")) {
        if (!r->building_id)
            return gg_failf(err, GG_EINVAL, "building_id", MSG_ROSTER_NEEDS,
                            "%s", "building_id");
        if (!strcmp(r->post, "unit_chief") && !r->unit_no)
            return gg_failf(err, GG_EINVAL, "unit_no", MSG_ROSTER_NEEDS, "%s",
                            "unit_no");
    } else if (r->building_id || r->unit_no) {
        return gg_fail(err, GG_EINVAL, "building_id", MSG_FIELD_UNKNOWN);
    }
    if (r->building_id &&
        store_record_get(ctx->s, STORE_KIND_BUILDING, &who->scope,
                         r->building_id, ctx->a, &b, NULL))
        return gg_fail(err, GG_EINVAL, "building_id", MSG_NOT_FOUND);
    if (!strcmp(r->post, "household_chief") ? !r->n_households
                                            : r->n_households != 0)
        return gg_failf(err, GG_EINVAL, "households", MSG_ROSTER_NEEDS, "%s",
                        "households");
    if (r->n_households > ROSTER_HOUSEHOLDS_MAX)
        return gg_failf(err, GG_EINVAL, "households", MSG_FIELD_ARRAY, "%d",
                        ROSTER_HOUSEHOLDS_MAX);
    for (size_t i = 0; i < r->n_households; i++) {
        struct store_record *h;
        if (store_record_get(ctx->s, STORE_KIND_HOUSEHOLD, &who->scope,
                             r->households[i], ctx->a, &h, NULL))
            return gg_fail(err, GG_EINVAL, "households", MSG_NOT_FOUND);
    }
    r->since = ctx->now;
    rc = store_begin(ctx->s, err);
    if (rc)
        return rc;
    rc = store_roster_insert(ctx->s, r, id, err);
    if (rc == GG_ECONFLICT)
        rc = gg_failf(err, GG_ECONFLICT, "post", MSG_RECORD_TAKEN, "%s",
                      r->post);
    return finish(ctx, who, "node", strtoll(r->node_code, NULL, 10),
                  r->node_code, "roster_add", NULL, roster_json(r, p->name),
                  rc, err);
}

int
roster_remove(const struct account_ctx *ctx, const struct account_who *who,
              int64_t id, struct gg_err *err)
{
    struct store_roster *r;
    int rc = store_begin(ctx->s, err);

    if (rc)
        return rc;
    rc = store_roster_delete(ctx->s, &who->scope, id, ctx->a, &r, err);
    return finish(ctx, who, "node",
                  rc ? 0 : strtoll(r->node_code, NULL, 10),
                  rc ? "" : r->node_code, "roster_remove",
                  rc ? NULL : roster_json(r, ""), NULL, rc, err);
}

int
party_member_set(const struct account_ctx *ctx, const struct account_who *who,
                 struct store_party_member *m, struct gg_err *err)
{
    struct store_record *org;
    struct store_person_row *p;
    int ok = 0, rc;

    if (store_record_get(ctx->s, STORE_KIND_PARTY_ORG, &who->scope,
                         m->party_org_id, ctx->a, &org, err))
        return err->code;
    rc = person_in_scope(ctx, who, m->person_id, &p, err);
    if (rc)
        return rc;
    for (size_t i = 0; m->duty && i < GG_ARRAY_LEN(duties); i++)
        ok |= !strcmp(duties[i], m->duty);
    if (!ok)
        return gg_failf(err, GG_EINVAL, "duty", MSG_FIELD_CHOICE, "%s",
                        "secretary deputy committee member");
    if (m->joined_on && (gg_date_ymd(m->joined_on) < 0 ||
                         gg_date_ymd(m->joined_on) > gg_today_ymd(ctx->now)))
        return gg_fail(err, GG_EINVAL, "joined_on", MSG_DATE_FORMAT);
    m->node_code = org->node_code;
    rc = store_begin(ctx->s, err);
    if (rc)
        return rc;
    rc = store_party_member_put(ctx->s, m, ctx->now, err);
    return finish(ctx, who, "party_org", org->id, org->node_code,
                  "member_set", NULL,
                  json_pack("{s:I,s:s,s:s,s:s?,s:b}", "person_id",
                            (json_int_t)m->person_id, "name", p->name,
                            "duty", m->duty, "joined_on", m->joined_on,
                            "center_household", m->center_household != 0),
                  rc, err);
}

int
party_member_remove(const struct account_ctx *ctx,
                    const struct account_who *who, int64_t org_id,
                    int64_t person_id, struct gg_err *err)
{
    struct store_record *org;
    int rc;

    if (store_record_get(ctx->s, STORE_KIND_PARTY_ORG, &who->scope, org_id,
                         ctx->a, &org, err))
        return err->code;
    rc = store_begin(ctx->s, err);
    if (rc)
        return rc;
    rc = store_party_member_delete(ctx->s, org_id, person_id, err);
    return finish(ctx, who, "party_org", org->id, org->node_code,
                  "member_remove",
                  json_pack("{s:I}", "person_id", (json_int_t)person_id),
                  NULL, rc, err);
}
