#include "core/gg.h"
#include "core/gg_log.h"
#include "domain/audit.h"
#include "domain/person.h"
#include "domain/pii.h"

static const char *
unseal(const struct account_ctx *ctx, const char *ad,
       const struct store_blob *b)
{
    char *out;

    if (!b->len || b->len <= GG_SEAL_OVERHEAD)
        return NULL;
    out = gg_arena_alloc(ctx->a, b->len - GG_SEAL_OVERHEAD + 1);
    if (gg_unseal(ctx->keys, ad, b->data, b->len, out)) {
        gg_log(GG_LOG_ERROR, "person.reveal", "op=unseal failed=1");
        return NULL;
    }
    return out;
}

int
person_reveal(const struct account_ctx *ctx, const struct account_who *who,
              int64_t id, unsigned fields, const char *reason,
              const char **id_no, const char **phone, struct gg_err *err)
{
    struct store_blob sealed_id = {0}, sealed_phone = {0};
    struct audit_event ev = {0};
    int rc;

    *id_no = *phone = NULL;
    rc = store_person_sealed(ctx->s, &who->scope, id, ctx->a, &sealed_id,
                             &sealed_phone, err);
    if (rc)
        return rc;
    ev.actor_id = who->account_id;
    ev.actor = who->username;
    ev.action = "pii.reveal";
    ev.target = gg_arena_printf(ctx->a, "person:%" PRId64, id);
    ev.detail = gg_arena_printf(ctx->a, "fields=%s%s%s reason=%s",
                                fields & PERSON_FIELD_ID_NO ? "id_no" : "",
                                fields == 3 ? "," : "",
                                fields & PERSON_FIELD_PHONE ? "phone" : "",
                                reason);
    ev.ip = ctx->ip;
    rc = audit_record(ctx->s, ctx->keys, &ev, ctx->now * 1000, err);
    if (rc)
        return rc;
    if (fields & PERSON_FIELD_ID_NO)
        *id_no = unseal(ctx, pii_label(PII_ID_NO), &sealed_id);
    if (fields & PERSON_FIELD_PHONE)
        *phone = unseal(ctx, pii_label(PII_PHONE), &sealed_phone);
    return 0;
}
