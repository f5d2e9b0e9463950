#include "core/gg.h"
#include "core/gg_log.h"
#include "core/gg_parse.h"
#include "core/gg_time.h"
#include "domain/case.h"
#include "domain/creditcode.h"
#include "domain/geo.h"
#include "domain/locate.h"
#include "domain/node.h"
#include "domain/registry.h"

#include <math.h>

#define BUILDING_KINDS                                                        \
    "residential:住宅,commercial:商业,mixed:商住混合,public:公共建筑,"         \
    "industrial:工业,other:其他"
#define ORG_KINDS                                                             \
    "enterprise:企业,unit:机关事业单位,merchant:商户,property:物业公司,"      \
    "social:社会组织,cobuild:共建单位"
#define PARTY_KINDS                                                           \
    "committee:党委,general_branch:党总支,branch:党支部,group:党小组"

static const struct reg_field building_fields[] = {
    {STORE_F_BUILDING_name, "name", "楼栋名称", REG_TEXT, 1, 1, 100, NULL},
    {STORE_F_BUILDING_address, "address", "地址", REG_TEXT, 1, 1, 200, NULL},
    {STORE_F_BUILDING_kind, "kind", "类型", REG_CHOICE, 1, 0, 0,
     BUILDING_KINDS},
    {STORE_F_BUILDING_floors, "floors", "层数", REG_INT, 0, 1, 200, NULL},
    {STORE_F_BUILDING_units, "units", "单元数", REG_INT, 0, 0, 100, NULL},
    {STORE_F_BUILDING_lon, "lon", "经度", REG_LON, 0, 0, 0, NULL},
    {STORE_F_BUILDING_lat, "lat", "纬度", REG_LAT, 0, 0, 0, NULL},
};

static const struct reg_field household_fields[] = {
    {STORE_F_HOUSEHOLD_building_id, "building_id", "楼栋编号", REG_REF, 1, 1,
     INT64_MAX, NULL},
    {STORE_F_HOUSEHOLD_unit_no, "unit_no", "单元", REG_INT, 0, 1, 100, NULL},
    {STORE_F_HOUSEHOLD_room, "room", "房号", REG_TEXT, 1, 1, 20, NULL},
};

static const struct reg_field org_fields[] = {
    {STORE_F_ORG_kind, "kind", "类型", REG_CHOICE, 1, 0, 0, ORG_KINDS},
    {STORE_F_ORG_name, "name", "名称", REG_TEXT, 1, 1, 100, NULL},
    {STORE_F_ORG_credit_code, "credit_code", "统一社会信用代码", REG_CREDIT,
     0, 0, 0, NULL},
    {STORE_F_ORG_address, "address", "地址", REG_TEXT, 0, 1, 200, NULL},
    {STORE_F_ORG_lon, "lon", "经度", REG_LON, 0, 0, 0, NULL},
    {STORE_F_ORG_lat, "lat", "纬度", REG_LAT, 0, 0, 0, NULL},
    {STORE_F_ORG_contact, "contact", "联系人", REG_TEXT, 0, 1, 50, NULL},
    {STORE_F_ORG_agreement_from, "agreement_from", "共建协议开始日期",
     REG_DATE, 0, 0, 0, NULL},
    {STORE_F_ORG_agreement_to, "agreement_to", "共建协议结束日期", REG_DATE,
     0, 0, 0, NULL},
};

static const struct reg_field party_org_fields[] = {
    {STORE_F_PARTY_ORG_parent_id, "parent_id", "上级党组织编号", REG_REF, 0,
     1, INT64_MAX, NULL},
    {STORE_F_PARTY_ORG_kind, "kind", "类型", REG_CHOICE, 1, 0, 0,
     PARTY_KINDS},
    {STORE_F_PARTY_ORG_name, "name", "名称", REG_TEXT, 1, 1, 100, NULL},
};

/* District departments (区级部门) that cases are dispatched or summoned to. */
static const struct reg_field department_fields[] = {
    {STORE_F_DEPARTMENT_name, "name", "部门名称", REG_TEXT, 1, 1, 100, NULL},
    {STORE_F_DEPARTMENT_phone, "phone", "值班电话", REG_TEXT, 0, 1, 30, NULL},
    {STORE_F_DEPARTMENT_duty, "duty", "职责", REG_TEXT, 0, 1, 500, NULL},
};

/* The service catalogue (服务清单): what residents can order, and from whom. */
static const struct reg_field service_fields[] = {
    {STORE_F_SERVICE_category, "category", "服务类别", REG_CHOICE, 1, 0, 0,
     CASE_SERVICE_CATEGORIES},
    {STORE_F_SERVICE_name, "name", "服务名称", REG_TEXT, 1, 1, 100, NULL},
    {STORE_F_SERVICE_provider_id, "provider_id", "服务提供方编号", REG_REF, 0,
     1, INT64_MAX, NULL},
    {STORE_F_SERVICE_description, "description", "服务说明", REG_TEXT, 0, 1,
     1000, NULL},
    {STORE_F_SERVICE_price, "price", "收费标准", REG_TEXT, 0, 1, 100, NULL},
    {STORE_F_SERVICE_active, "active", "是否上架", REG_INT, 0, 0, 1, NULL},
};

static const struct reg_kind kinds[STORE_KIND__COUNT] = {
    [STORE_KIND_BUILDING] = {STORE_KIND_BUILDING, "buildings", building_fields,
                             GG_ARRAY_LEN(building_fields)},
    [STORE_KIND_HOUSEHOLD] = {STORE_KIND_HOUSEHOLD, "households",
                              household_fields,
                              GG_ARRAY_LEN(household_fields)},
    [STORE_KIND_ORG] = {STORE_KIND_ORG, "organisations", org_fields,
                        GG_ARRAY_LEN(org_fields)},
    [STORE_KIND_PARTY_ORG] = {STORE_KIND_PARTY_ORG, "party-orgs",
                              party_org_fields,
                              GG_ARRAY_LEN(party_org_fields)},
    [STORE_KIND_DEPARTMENT] = {STORE_KIND_DEPARTMENT, "departments",
                               department_fields,
                               GG_ARRAY_LEN(department_fields)},
    [STORE_KIND_SERVICE] = {STORE_KIND_SERVICE, "services", service_fields,
                            GG_ARRAY_LEN(service_fields)},
};

const struct reg_kind *
registry_kind(const char *name)
{
    for (size_t i = 0; name && i < GG_ARRAY_LEN(kinds); i++)
        if (!strcmp(kinds[i].name, name))
            return &kinds[i];
    return NULL;
}

const struct reg_kind *
registry_kind_of(enum store_kind kind)
{
    return kind < STORE_KIND__COUNT ? &kinds[kind] : NULL;
}

/* ---- one field ---- */

const char *
registry_choice_code(const char *choices, const char *text,
                     struct gg_arena *a)
{
    size_t len = strlen(text);

    for (const char *p = choices; *p;) {
        size_t item = strcspn(p, ","), code = strcspn(p, ":");
        const char *label = p + code + 1;
        size_t label_len = item - code - 1;
        if ((code == len && !strncmp(p, text, len)) ||
            (label_len == len && !strncmp(label, text, len)))
            return gg_arena_strndup(a, p, code);
        p += item + (p[item] == ',');
    }
    return NULL;
}

const char *
registry_choice_label(const char *choices, const char *code,
                      struct gg_arena *a)
{
    size_t len = code ? strlen(code) : 0;

    for (const char *p = choices; code && *p;) {
        size_t item = strcspn(p, ","), c = strcspn(p, ":");
        if (c == len && !strncmp(p, code, len))
            return gg_arena_strndup(a, p + c + 1, item - c - 1);
        p += item + (p[item] == ',');
    }
    return code;
}

/* The codes a choice allows, for the error message. */
static const char *
choice_list(const char *choices, struct gg_arena *a)
{
    char *out = gg_arena_strdup(a, choices), *w = out;
    for (const char *p = choices; *p;) {
        size_t item = strcspn(p, ","), code = strcspn(p, ":");
        memcpy(w, p + code + 1, item - code - 1);
        w += item - code - 1;
        p += item;
        if (*p == ',') {
            *w++ = '/';
            p++;
        }
    }
    *w = '\0';
    return out;
}

static int
set_number(const struct reg_field *f, const char *text, struct store_value *v,
           struct gg_err *err)
{
    char *end;
    double d;

    errno = 0;
    d = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(d))
        return gg_fail(err, GG_EINVAL, f->name, MSG_FIELD_NUMBER);
    if (f->check == REG_LON || f->check == REG_LAT) {
        double lim = f->check == REG_LON ? 180 : 90;
        if (d < -lim || d > lim)
            return gg_failf(err, GG_EINVAL, f->name, MSG_GEO_COORD_RANGE,
                            "%.9g", d);
        v->r = d;
        return 0;
    }
    if (d != floor(d) || d < (double)f->min || d > (double)f->max)
        return gg_failf(err, GG_EINVAL, f->name, MSG_FIELD_RANGE,
                        "%" PRId64 "-%" PRId64, f->min,
                        f->max == INT64_MAX ? (int64_t)9007199254740991
                                            : f->max);
    v->i = (int64_t)d;
    return 0;
}

int
registry_set(const struct reg_field *f, const char *text, struct gg_arena *a,
             struct store_record *r, struct gg_err *err)
{
    struct store_value *v = &r->v[f->index];
    size_t len;

    memset(v, 0, sizeof(*v));
    if (!text)
        return 0;
    /* Imported cells often carry stray spaces around the value. */
    while (*text == ' ' || *text == '\t')
        text++;
    len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    if (!len)
        return 0;
    text = gg_arena_strndup(a, text, len);
    if (!gg_utf8_valid(text, len) || gg_has_controls(text, len, 0))
        return gg_fail(err, GG_EINVAL, f->name, MSG_FIELD_CONTROL_CHARS);
    v->set = 1;
    switch (f->check) {
    case REG_TEXT:
        if (gg_utf8_len(text, len) > (size_t)f->max)
            return gg_failf(err, GG_EINVAL, f->name, MSG_FIELD_TOO_LONG,
                            "%" PRId64, f->max);
        v->s = text;
        return 0;
    case REG_CHOICE:
        v->s = registry_choice_code(f->choices, text, a);
        if (!v->s)
            return gg_failf(err, GG_EINVAL, f->name, MSG_FIELD_CHOICE, "%s",
                            choice_list(f->choices, a));
        return 0;
    case REG_DATE:
        if (gg_date_ymd(text) < 0)
            return gg_fail(err, GG_EINVAL, f->name, MSG_DATE_PLAIN);
        v->s = text;
        return 0;
    case REG_CREDIT: {
        char *up = gg_arena_strdup(a, text);
        for (char *p = up; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        v->s = up;
        return creditcode_check(up, f->name, err);
    }
    case REG_INT:
    case REG_REF:
    case REG_LON:
    case REG_LAT:
        return set_number(f, text, v, err);
    }
    return gg_fail(err, GG_EINTERNAL, f->name, MSG_INTERNAL);
}

int
registry_from_json(const struct reg_kind *k, const json_t *body,
                   const char *const *keys_extra, struct gg_arena *a,
                   struct store_record *r, struct gg_err *err)
{
    const char *key;
    json_t *value;

    json_object_foreach((json_t *)body, key, value) {
        const struct reg_field *f = NULL;
        char num[64];
        const char *text;
        int known = 0;

        for (size_t i = 0; i < k->n_fields && !f; i++)
            if (!strcmp(k->fields[i].name, key))
                f = &k->fields[i];
        for (size_t i = 0; !f && keys_extra && keys_extra[i]; i++)
            known |= !strcmp(keys_extra[i], key);
        if (known)
            continue;
        if (!f)
            return gg_fail(err, GG_EINVAL, key, MSG_FIELD_UNKNOWN);
        if (json_is_null(value)) {
            text = NULL;
        } else if (json_is_string(value)) {
            if (f->check == REG_INT || f->check == REG_REF ||
                f->check == REG_LON || f->check == REG_LAT)
                return gg_fail(err, GG_EINVAL, f->name, MSG_FIELD_NUMBER);
            text = json_string_value(value);
            if (strlen(text) != json_string_length(value))
                return gg_fail(err, GG_EINVAL, f->name,
                               MSG_FIELD_CONTROL_CHARS);
        } else if (json_is_integer(value)) {
            snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                     json_integer_value(value));
            text = num;
        } else if (json_is_real(value)) {
            snprintf(num, sizeof(num), "%.17g", json_real_value(value));
            text = num;
        } else {
            return gg_fail(err, GG_EINVAL, f->name, MSG_FIELD_STRING);
        }
        if ((f->check == REG_TEXT || f->check == REG_CHOICE ||
             f->check == REG_DATE || f->check == REG_CREDIT) &&
            text == num)
            return gg_fail(err, GG_EINVAL, f->name, MSG_FIELD_STRING);
        if (registry_set(f, text, a, r, err))
            return err->code;
    }
    return 0;
}

static json_t *
value_json(const struct reg_field *f, const struct store_value *v)
{
    if (!v->set)
        return json_null();
    switch (f->check) {
    case REG_INT:
    case REG_REF:
        return json_integer(v->i);
    case REG_LON:
    case REG_LAT:
        return json_real(v->r);
    default:
        return json_string(v->s);
    }
}

json_t *
registry_json(const struct reg_kind *k, const struct store_record *r)
{
    json_t *o = json_pack("{s:I,s:s?,s:s?,s:I}", "id", (json_int_t)r->id,
                          "node_code", r->node_code, "node_name",
                          r->node_name, "version", (json_int_t)r->version);
    for (size_t i = 0; i < k->n_fields; i++)
        json_object_set_new(o, k->fields[i].name,
                            value_json(&k->fields[i],
                                       &r->v[k->fields[i].index]));
    if (k->kind == STORE_KIND_BUILDING)
        json_object_set_new(o, "household_count", json_integer(r->count));
    else if (k->kind == STORE_KIND_HOUSEHOLD)
        json_object_set_new(o, "member_count", json_integer(r->count));
    else if (k->kind == STORE_KIND_PARTY_ORG)
        json_object_set_new(o, "member_count", json_integer(r->count));
    if (k->kind == STORE_KIND_HOUSEHOLD)
        json_object_set_new(o, "building_name",
                            r->label ? json_string(r->label) : json_null());
    return o;
}

const char *
registry_text(const struct reg_field *f, const struct store_record *r,
              struct gg_arena *a)
{
    const struct store_value *v = &r->v[f->index];

    if (!v->set)
        return "";
    switch (f->check) {
    case REG_INT:
    case REG_REF:
        return gg_arena_printf(a, "%" PRId64, v->i);
    case REG_LON:
    case REG_LAT:
        return gg_arena_printf(a, "%.7f", v->r);
    case REG_CHOICE: /* exports speak Chinese: the label of the code */
        return registry_choice_label(f->choices, v->s, a);
    default:
        return v->s;
    }
}

/* ---- saving ---- */

static const char *
snapshot(const struct account_ctx *ctx, const struct reg_kind *k,
         const struct store_record *r)
{
    json_t *j;
    char *text;
    const char *out;

    if (!r)
        return NULL;
    j = registry_json(k, r);
    json_object_del(j, "node_name");
    json_object_del(j, "household_count");
    json_object_del(j, "member_count");
    json_object_del(j, "building_name");
    json_object_del(j, "version");
    text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    out = text ? gg_arena_strdup(ctx->a, text) : NULL;
    free(text);
    json_decref(j);
    return out;
}

/* The node must be live, in scope and of a level that holds the kind. */
static int
check_node(const struct account_ctx *ctx, const struct account_who *who,
           const struct reg_kind *k, const char *code, struct gg_err *err)
{
    struct store_node *node;
    enum store_node_level lowest =
        k->kind == STORE_KIND_PARTY_ORG || k->kind == STORE_KIND_DEPARTMENT
            ? NODE_DISTRICT
        : k->kind == STORE_KIND_SERVICE ? NODE_STREET
                                        : NODE_COMMUNITY;
    int rc = node_code_check(code, NULL, "node_code", err);

    if (rc)
        return rc;
    if (store_node_get(ctx->s, &who->scope, code, ctx->a, &node, NULL))
        return gg_failf(err, GG_EINVAL, "node_code", MSG_NODE_NOT_FOUND, "%s",
                        code);
    if (node->level < lowest ||
        (k->kind == STORE_KIND_DEPARTMENT && node->level > NODE_STREET))
        return gg_failf(err, GG_EINVAL, "node_code", MSG_NODE_LEVEL_HOLDS,
                        "%s", store_node_level_name(node->level));
    return 0;
}

/* A record with a location lives in the grid that covers it. */
static int
place(const struct account_ctx *ctx, struct grid_locator *loc,
      const struct reg_kind *k, struct store_record *r, struct gg_err *err)
{
    int ilon = k->kind == STORE_KIND_BUILDING ? STORE_F_BUILDING_lon
                                              : STORE_F_ORG_lon;
    int ilat = k->kind == STORE_KIND_BUILDING ? STORE_F_BUILDING_lat
                                              : STORE_F_ORG_lat;
    const char *grid;
    int rc;

    if (r->v[ilon].set != r->v[ilat].set)
        return gg_fail(err, GG_EINVAL, r->v[ilon].set ? "lat" : "lon",
                       MSG_LOCATION_PAIR);
    if (!r->v[ilon].set || !loc)
        goto need_node;
    rc = grid_locate(loc, ctx->s, r->v[ilon].r, r->v[ilat].r, "lon", ctx->a,
                     &grid, err);
    if (rc)
        return rc;
    if (grid) {
        /* The grid, or a micro-grid under it that was named, wins. */
        if (!r->node_code || !strncmp(grid, r->node_code, strlen(r->node_code)))
            r->node_code = grid;
        else if (strncmp(r->node_code, grid, strlen(grid)))
            return gg_failf(err, GG_EINVAL, "lon", MSG_LOCATION_ELSEWHERE,
                            "%s", grid);
        return 0;
    }
    if (!r->node_code)
        return gg_fail(err, GG_EINVAL, "lon", MSG_LOCATION_NO_GRID);
need_node:
    if (!r->node_code)
        return gg_fail(err, GG_EINVAL, "node_code", MSG_FIELD_REQUIRED);
    return 0;
}

/* 党小组 under a 党支部; 党支部 under a 党总支 or 党委; 党总支 under a 党委;
 * a 党委 under another 党委 or nothing. No cycles. */
static int
check_party_parent(const struct account_ctx *ctx,
                   const struct account_who *who, int64_t id,
                   struct store_record *r, struct gg_err *err)
{
    static const char *const allowed[][2] = {
        {"group", "branch"},
        {"branch", "general_branch"},
        {"branch", "committee"},
        {"general_branch", "committee"},
        {"committee", "committee"},
    };
    const char *kind = r->v[STORE_F_PARTY_ORG_kind].s;
    struct store_record *parent;
    int64_t at;
    int ok = 0, depth = 0;

    if (!r->v[STORE_F_PARTY_ORG_parent_id].set)
        return strcmp(kind, "group")
                   ? 0
                   : gg_failf(err, GG_EINVAL, "parent_id", MSG_PARTY_PARENT,
                              "%s", "党小组 → 党支部");
    at = r->v[STORE_F_PARTY_ORG_parent_id].i;
    if (store_record_get(ctx->s, STORE_KIND_PARTY_ORG, &who->scope, at,
                         ctx->a, &parent, NULL))
        return gg_fail(err, GG_EINVAL, "parent_id", MSG_NOT_FOUND);
    for (size_t i = 0; i < GG_ARRAY_LEN(allowed); i++)
        ok |= !strcmp(allowed[i][0], kind) &&
              !strcmp(allowed[i][1], parent->v[STORE_F_PARTY_ORG_kind].s);
    if (!ok)
        return gg_failf(err, GG_EINVAL, "parent_id", MSG_PARTY_PARENT, "%s",
                        parent->v[STORE_F_PARTY_ORG_kind].s);
    /* Walk up: meeting ourselves would close a loop. */
    while (id && parent && depth++ < 64) {
        if (parent->id == id)
            return gg_fail(err, GG_EINVAL, "parent_id", MSG_PARTY_CYCLE);
        if (!parent->v[STORE_F_PARTY_ORG_parent_id].set)
            break;
        if (store_record_get(ctx->s, STORE_KIND_PARTY_ORG, &who->scope,
                             parent->v[STORE_F_PARTY_ORG_parent_id].i,
                             ctx->a, &parent, NULL))
            break;
    }
    return 0;
}

/* The kind's own rules, after every field passed its check. */
static int
check_kind(const struct account_ctx *ctx, const struct account_who *who,
           const struct reg_kind *k, struct grid_locator *loc, int64_t id,
           struct store_record *r, struct gg_err *err)
{
    struct store_record *b;

    switch (k->kind) {
    case STORE_KIND_BUILDING:
        return place(ctx, loc, k, r, err);
    case STORE_KIND_HOUSEHOLD:
        /* A household lives in its building's grid. */
        if (store_record_get(ctx->s, STORE_KIND_BUILDING, &who->scope,
                             r->v[STORE_F_HOUSEHOLD_building_id].i, ctx->a,
                             &b, NULL))
            return gg_fail(err, GG_EINVAL, "building_id", MSG_NOT_FOUND);
        if (r->node_code && strcmp(r->node_code, b->node_code) &&
            strncmp(r->node_code, b->node_code, strlen(b->node_code)))
            return gg_fail(err, GG_EINVAL, "node_code", MSG_BUILDING_NODE);
        if (!r->node_code)
            r->node_code = b->node_code;
        return 0;
    case STORE_KIND_ORG: {
        const struct store_value *from = &r->v[STORE_F_ORG_agreement_from];
        const struct store_value *to = &r->v[STORE_F_ORG_agreement_to];
        if ((!strcmp(r->v[STORE_F_ORG_kind].s, "cobuild") && !from->set) ||
            (to->set && (!from->set || strcmp(to->s, from->s) < 0)))
            return gg_fail(err, GG_EINVAL, from->set ? "agreement_to"
                                                     : "agreement_from",
                           MSG_AGREEMENT_DATES);
        return place(ctx, loc, k, r, err);
    }
    case STORE_KIND_PARTY_ORG:
        if (!r->node_code)
            return gg_fail(err, GG_EINVAL, "node_code", MSG_FIELD_REQUIRED);
        return check_party_parent(ctx, who, id, r, err);
    case STORE_KIND_DEPARTMENT:
        if (!r->node_code)
            return gg_fail(err, GG_EINVAL, "node_code", MSG_FIELD_REQUIRED);
        return 0;
    case STORE_KIND_SERVICE:
        if (!r->node_code)
            return gg_fail(err, GG_EINVAL, "node_code", MSG_FIELD_REQUIRED);
        if (!r->v[STORE_F_SERVICE_active].set) {
            r->v[STORE_F_SERVICE_active].set = 1;
            r->v[STORE_F_SERVICE_active].i = 1;
        }
        /* The provider is an organisation the writer can see. */
        if (r->v[STORE_F_SERVICE_provider_id].set &&
            store_record_get(ctx->s, STORE_KIND_ORG, &who->scope,
                             r->v[STORE_F_SERVICE_provider_id].i, ctx->a, &b,
                             NULL))
            return gg_fail(err, GG_EINVAL, "provider_id", MSG_NOT_FOUND);
        return 0;
    default:
        return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
    }
}

/* What a duplicate means for each kind. */
static int
duplicate(const struct reg_kind *k, struct gg_err *err)
{
    const char *field = k->kind == STORE_KIND_ORG         ? "credit_code"
                        : k->kind == STORE_KIND_HOUSEHOLD ? "room"
                                                          : "name";
    return gg_failf(err, GG_ECONFLICT, field, MSG_RECORD_TAKEN, "%s", field);
}

int
registry_save(const struct account_ctx *ctx, const struct account_who *who,
              const struct reg_kind *k, struct grid_locator *loc, int64_t id,
              int64_t version, struct store_record *r, int64_t *new_id,
              struct gg_err *err)
{
    struct store_record *old = NULL;
    struct store_change c = {0};
    int rc = 0;

    for (size_t i = 0; i < k->n_fields; i++)
        if (k->fields[i].required && !r->v[k->fields[i].index].set)
            return gg_fail(err, GG_EINVAL, k->fields[i].name,
                           MSG_FIELD_REQUIRED);
    if (id) {
        rc = store_record_get(ctx->s, k->kind, &who->scope, id, ctx->a, &old,
                              err);
        if (rc)
            return rc;
    }
    rc = check_kind(ctx, who, k, loc, id, r, err);
    if (!rc)
        rc = check_node(ctx, who, k, r->node_code, err);
    if (rc)
        return rc;
    r->id = id;
    r->version = version;
    if (!ctx->in_tx)
        rc = store_begin(ctx->s, err);
    if (!rc)
        rc = id ? store_record_update(ctx->s, k->kind, r, ctx->now, err)
                : store_record_insert(ctx->s, k->kind, r, ctx->now, &r->id,
                                      err);
    if (!rc && new_id)
        *new_id = r->id;
    if (rc == GG_ECONFLICT && err->msg == MSG_DUPLICATE)
        rc = duplicate(k, err);
    if (!rc) {
        c.kind = store_kind_name[k->kind];
        c.record_id = r->id;
        c.node_code = r->node_code;
        c.at = ctx->now;
        c.actor_id = who->account_id;
        c.action = id ? "update" : "create";
        c.before = snapshot(ctx, k, old);
        c.after = snapshot(ctx, k, r);
        rc = store_history_add(ctx->s, &c, err);
    }
    if (ctx->in_tx)
        return rc;
    if (!rc)
        rc = store_commit(ctx->s, err);
    if (rc && store_rollback(ctx->s, NULL))
        gg_log(GG_LOG_ERROR, "registry.save", "op=rollback failed=1");
    return rc;
}
