#include "core/gg.h"
#include "core/gg_buf.h"
#include "core/gg_log.h"
#include "core/gg_time.h"
#include "domain/audit.h"
#include "domain/idcard.h"
#include "domain/node.h"
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

/* ---- creating and changing records ---- */

static int
code2(const char *v, int lo, int hi, int extra1, int extra2)
{
    int n;
    if (!v || strlen(v) != 2 || v[0] < '0' || v[0] > '9' || v[1] < '0' ||
        v[1] > '9')
        return 0;
    n = (v[0] - '0') * 10 + (v[1] - '0');
    return (n >= lo && n <= hi) || n == extra1 || n == extra2;
}

static int
date_ok(const char *v, int today)
{
    int ymd = gg_date_ymd(v);
    return ymd > 0 && ymd <= today;
}

static int
tag_known(const char *configured, const char *tag)
{
    size_t len = strlen(tag);
    for (const char *p = configured; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n == len && !strncmp(p, tag, n))
            return 1;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* Checks `in` and fills `out` (sealing what is new); `old` is the stored
 * record on update (NULL on create). */
static int
person_build(const struct account_ctx *ctx, const struct account_who *who,
             const struct person_input *in, const struct store_person *old,
             struct store_person *out, struct gg_err *err)
{
    static const char *const residences[] = {"permanent", "registered",
                                             "floating", "overseas"};
    int today = gg_today_ymd(ctx->now), found = 0;
    struct store_node *node;
    char *id_no = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!in->name || !*in->name)
        return gg_fail(err, GG_EINVAL, "name", MSG_FIELD_REQUIRED);
    if (!in->node_code)
        return gg_fail(err, GG_EINVAL, "node_code", MSG_FIELD_REQUIRED);
    rc = node_code_check(in->node_code, NULL, "node_code", err);
    if (rc)
        return rc;
    /* An import checks each node once (ctx->node_checked). */
    if ((!ctx->node_checked || strcmp(ctx->node_checked, in->node_code)) &&
        store_node_get(ctx->s, &who->scope, in->node_code, ctx->a, &node,
                       NULL))
        return gg_failf(err, GG_EINVAL, "node_code", MSG_NODE_NOT_FOUND, "%s",
                        in->node_code);
    if (in->household_id) {
        const char *hnode;
        if (store_household_node(ctx->s, &who->scope, in->household_id, ctx->a,
                                 &hnode, NULL))
            return gg_fail(err, GG_EINVAL, "household_id", MSG_NOT_FOUND);
        if (strcmp(hnode, in->node_code))
            return gg_fail(err, GG_EINVAL, "household_id", MSG_HOUSEHOLD_NODE);
    }
    if (in->relation && !code2(in->relation, 1, 99, -1, -1))
        return gg_failf(err, GG_EINVAL, "relation", MSG_FIELD_CHOICE, "%s",
                        "GB/T 4761");
    if (in->ethnic && !code2(in->ethnic, 1, 56, 97, 98))
        return gg_failf(err, GG_EINVAL, "ethnic", MSG_FIELD_CHOICE, "%s",
                        "GB/T 3304 01-56, 97, 98");
    if (in->political && !code2(in->political, 1, 13, -1, -1))
        return gg_failf(err, GG_EINVAL, "political", MSG_FIELD_CHOICE, "%s",
                        "GB/T 4762 01-13");
    if (in->sex && (strlen(in->sex) != 1 || !strchr("0129", in->sex[0])))
        return gg_failf(err, GG_EINVAL, "sex", MSG_FIELD_CHOICE, "%s",
                        "GB/T 2261.1: 0 1 2 9");
    for (size_t i = 0; in->residence && i < GG_ARRAY_LEN(residences); i++)
        found |= !strcmp(in->residence, residences[i]);
    if (!found)
        return gg_failf(err, GG_EINVAL, "residence", MSG_FIELD_CHOICE, "%s",
                        "permanent registered floating overseas");
    if (in->birth_date && !date_ok(in->birth_date, today))
        return gg_fail(err, GG_EINVAL, "birth_date", MSG_DATE_FORMAT);
    if (in->moved_in && !date_ok(in->moved_in, today))
        return gg_fail(err, GG_EINVAL, "moved_in", MSG_DATE_FORMAT);
    if (in->moved_out && !date_ok(in->moved_out, today))
        return gg_fail(err, GG_EINVAL, "moved_out", MSG_DATE_FORMAT);
    for (size_t i = 0; i < in->n_tags; i++)
        if (!tag_known(ctx->person_tags, in->tags[i]))
            return gg_failf(err, GG_EINVAL, "tags", MSG_TAG_UNKNOWN, "%.40s",
                            in->tags[i]);

    out->node_code = in->node_code;
    out->household_id = in->household_id;
    out->relation = in->relation;
    out->name = in->name;
    out->sex = in->sex;
    out->birth_date = in->birth_date;
    out->ethnic = in->ethnic;
    out->political = in->political;
    out->residence = in->residence;
    out->moved_in = in->moved_in;
    out->moved_out = in->moved_out;
    out->tags = in->tags;
    out->n_tags = in->n_tags;

    if (in->id_no && *in->id_no) {
        struct idcard_info info;
        id_no = gg_arena_strdup(ctx->a, in->id_no);
        if (strlen(id_no) == IDCARD_LEN && id_no[17] == 'x')
            id_no[17] = 'X';
        rc = idcard_check(id_no, today, &info, "id_no", err);
        if (rc)
            return rc;
        if (out->sex && out->sex[0] != info.sex)
            return gg_fail(err, GG_EINVAL, "sex", MSG_IDCARD_MISMATCH);
        if (out->birth_date && strcmp(out->birth_date, info.birth_date))
            return gg_fail(err, GG_EINVAL, "birth_date", MSG_IDCARD_MISMATCH);
        out->sex = info.sex == '1' ? "1" : "2";
        out->birth_date = gg_arena_strdup(ctx->a, info.birth_date);
        pii_seal(ctx->keys, PII_ID_NO, id_no, ctx->a, &out->id_no);
    } else if (!in->id_no && old) {
        out->id_no = old->id_no;
    }
    if (!out->sex)
        out->sex = "0"; /* GB/T 2261.1: not known */
    if (in->phone && *in->phone) {
        rc = pii_phone_check(in->phone, "phone", err);
        if (rc)
            return rc;
        pii_seal(ctx->keys, PII_PHONE, in->phone, ctx->a, &out->phone);
    } else if (!in->phone && old) {
        out->phone = old->phone;
    }
    return 0;
}

/* A JSON string (or null) into b; non-zero when b is full. */
static int
add_json_string(struct gg_buf *b, const char *v)
{
    int rc = 0;

    if (!v)
        return gg_buf_adds(b, "null");
    rc |= gg_buf_add(b, "\"", 1);
    while (*v && !rc) {
        size_t plain = 0;
        unsigned char c;
        while (v[plain] && v[plain] != '"' && v[plain] != '\\' &&
               (unsigned char)v[plain] >= 0x20)
            plain++;
        rc |= gg_buf_add(b, v, plain);
        v += plain;
        c = (unsigned char)*v;
        if (!c)
            break;
        rc |= c < 0x20 ? gg_buf_addf(b, "\\u%04x", c)
                       : gg_buf_addf(b, "\\%c", c);
        v++;
    }
    return rc | gg_buf_add(b, "\"", 1);
}

static int
add_field(struct gg_buf *b, const char *key, const char *v)
{
    return gg_buf_addf(b, ",\"%s\":", key) | add_json_string(b, v);
}

/* The masked snapshot as compact JSON text, in a. Written by hand rather
 * than through jansson: an import writes one per person, and building and
 * dumping a jansson object cost more than the rest of the history row. */
static const char *
person_snapshot(const struct store_person *p, struct gg_arena *a)
{
    struct gg_buf b;
    const char *out;
    int rc;

    gg_buf_init(&b, 64 * 1024); /* a record is a few hundred bytes */
    rc = gg_buf_adds(&b, "{\"node_code\":") |
         add_json_string(&b, p->node_code);
    rc |= p->household_id
              ? gg_buf_addf(&b, ",\"household_id\":%" PRId64, p->household_id)
              : gg_buf_adds(&b, ",\"household_id\":null");
    rc |= add_field(&b, "relation", p->relation);
    rc |= add_field(&b, "name", p->name);
    rc |= add_field(&b, "sex", p->sex);
    rc |= add_field(&b, "birth_date", p->birth_date);
    rc |= add_field(&b, "ethnic", p->ethnic);
    rc |= add_field(&b, "political", p->political);
    rc |= add_field(&b, "residence", p->residence);
    rc |= add_field(&b, "id_no_masked", p->id_no.mask);
    rc |= add_field(&b, "phone_masked", p->phone.mask);
    rc |= add_field(&b, "moved_in", p->moved_in);
    rc |= add_field(&b, "moved_out", p->moved_out);
    rc |= gg_buf_adds(&b, ",\"tags\":[");
    for (size_t i = 0; i < p->n_tags; i++)
        rc |= (i ? gg_buf_add(&b, ",", 1) : 0) |
              add_json_string(&b, p->tags[i]);
    rc |= gg_buf_adds(&b, "]}");
    out = rc ? "{}" : gg_arena_strndup(a, b.data, b.len);
    gg_buf_release(&b);
    return out;
}

json_t *
person_json(const struct store_person *p)
{
    struct gg_arena *a = gg_arena_new(1024);
    json_t *j = json_loads(person_snapshot(p, a), 0, NULL);
    gg_arena_free(a);
    return j ? j : json_object();
}

static const char *
snapshot_text(const struct account_ctx *ctx, const struct store_person *p)
{
    return p ? person_snapshot(p, ctx->a) : "{}";
}

static int
save(const struct account_ctx *ctx, const struct account_who *who,
     struct store_person *p, const struct store_person *old, int64_t *id,
     struct gg_err *err)
{
    struct store_change c = {0};
    int rc = ctx->in_tx ? 0 : store_begin(ctx->s, err);

    if (rc)
        return rc;
    rc = old ? store_person_update(ctx->s, p, ctx->now, err)
             : store_person_insert(ctx->s, p, ctx->now, id, err);
    if (rc == GG_ECONFLICT)
        gg_fail(err, GG_ECONFLICT, err->msg == MSG_DUPLICATE ? "id_no" : "version",
                err->msg == MSG_DUPLICATE ? MSG_IDCARD_TAKEN : MSG_CONFLICT);
    if (!rc) {
        c.kind = "person";
        c.record_id = old ? old->id : *id;
        c.node_code = p->node_code;
        c.at = ctx->now;
        c.actor_id = who->account_id;
        c.action = old ? "update" : "create";
        c.before = snapshot_text(ctx, old);
        c.after = snapshot_text(ctx, p);
        rc = store_history_add(ctx->s, &c, err);
    }
    if (ctx->in_tx)
        return rc;
    if (!rc)
        rc = store_commit(ctx->s, err);
    if (rc && store_rollback(ctx->s, NULL))
        gg_log(GG_LOG_ERROR, "person.save", "op=rollback failed=1");
    return rc;
}

int
person_create(const struct account_ctx *ctx, const struct account_who *who,
              const struct person_input *in, int64_t *id, struct gg_err *err)
{
    struct store_person p;
    int rc = person_build(ctx, who, in, NULL, &p, err);
    if (rc)
        return rc;
    return save(ctx, who, &p, NULL, id, err);
}

int
person_update(const struct account_ctx *ctx, const struct account_who *who,
              int64_t id, int64_t version, const struct person_input *in,
              struct gg_err *err)
{
    struct store_person *old, p;
    int rc = store_person_record(ctx->s, &who->scope, id, ctx->a, &old, err);

    if (!rc)
        rc = person_build(ctx, who, in, old, &p, err);
    if (rc)
        return rc;
    p.id = id;
    p.version = version;
    return save(ctx, who, &p, old, NULL, err);
}
