#include "core/gg.h"
#include "core/gg_log.h"
#include "core/gg_sheet.h"
#include "domain/audit.h"
#include "domain/import.h"
#include "domain/node.h"
#include "domain/person.h"
#include "domain/registry.h"

#define IMPORT_BATCH 5000
#define PROGRESS_EVERY 1000
#define TAGS_MAX 20
#define NODE_CACHE 64

/* ---- code tables: what people write in a spreadsheet ---- */

/* "code:label,..." lists; a cell may hold either. */
static const char sexes[] = "1:男,2:女,0:未知,9:未说明";
static const char residences[] =
    "permanent:常住,registered:户籍,floating:流动,overseas:境外";
static const char political[] =
    "01:中共党员,02:中共预备党员,03:共青团员,04:民革党员,05:民盟盟员,"
    "06:民建会员,07:民进会员,08:农工党党员,09:致公党党员,10:九三学社社员,"
    "11:台盟盟员,12:无党派人士,13:群众";
static const char relations[] =
    "01:本人,02:户主,10:配偶,11:夫,12:妻,20:子,30:女,40:孙子女,41:孙子,"
    "42:孙女,50:父母,51:父亲,52:母亲,60:祖父母,61:祖父,62:祖母,"
    "70:兄弟姐妹,71:兄,73:弟,75:姐,77:妹,80:其他亲属,99:非亲属";
static const char ethnic[] =
    "01:汉族,02:蒙古族,03:回族,04:藏族,05:维吾尔族,06:苗族,07:彝族,"
    "08:壮族,09:布依族,10:朝鲜族,11:满族,12:侗族,13:瑶族,14:白族,"
    "15:土家族,16:哈尼族,17:哈萨克族,18:傣族,19:黎族,20:傈僳族,21:佤族,"
    "22:畲族,23:高山族,24:拉祜族,25:水族,26:东乡族,27:纳西族,28:景颇族,"
    "29:柯尔克孜族,30:土族,31:达斡尔族,32:仫佬族,33:羌族,34:布朗族,"
    "35:撒拉族,36:毛南族,37:仡佬族,38:锡伯族,39:阿昌族,40:普米族,"
    "41:塔吉克族,42:怒族,43:乌孜别克族,44:俄罗斯族,45:鄂温克族,46:德昂族,"
    "47:保安族,48:裕固族,49:京族,50:塔塔尔族,51:独龙族,52:鄂伦春族,"
    "53:赫哲族,54:门巴族,55:珞巴族,56:基诺族,97:其他,98:外国血统";

/* The code of a cell written as a code or a label; the cell itself when
 * it is neither (the record's own check then names the field). */
static const char *
code_or_null(const char *list, const char *cell, struct gg_arena *a)
{
    const char *code = cell ? registry_choice_code(list, cell, a) : NULL;
    return code ? code : cell;
}

/* Splits a tags cell: 高龄、独居 / 高龄;独居 / 高龄,独居 / 高龄 独居. */
static size_t
split_tags(const char *text, struct gg_arena *a, const char **out,
           size_t max)
{
    char *list = gg_arena_strdup(a, text), *w = list;
    size_t n = 0;

    for (const char *p = text; *p;) {
        if (!strncmp(p, "、", 3) || !strncmp(p, "，", 3) ||
            !strncmp(p, "；", 3)) {
            *w++ = ',';
            p += 3;
        } else {
            *w++ = strchr(";| \t", *p) ? ',' : *p;
            p++;
        }
    }
    *w = '\0';
    for (char *p = list; *p && n < max;) {
        size_t len = strcspn(p, ",");
        if (len)
            out[n++] = gg_arena_strndup(a, p, len);
        p += len + (p[len] == ',');
    }
    return n;
}

/* ---- columns ---- */

enum col_id {
    COL_NODE = 0,
    COL_BUILDING, /* a building by name (households, persons) */
    COL_UNIT,
    COL_ROOM,
    COL_FIELD,    /* a registry field */
    COL_P_NAME,
    COL_P_ID_NO,
    COL_P_SEX,
    COL_P_BIRTH,
    COL_P_ETHNIC,
    COL_P_POLITICAL,
    COL_P_PHONE,
    COL_P_RESIDENCE,
    COL_P_RELATION,
    COL_P_MOVED_IN,
    COL_P_MOVED_OUT,
    COL_P_TAGS,
    COL__COUNT
};

struct column {
    enum col_id id;
    const char *name; /* English header / API field */
    const char *zh;   /* Chinese header */
    const char *alias;
    int required;
    const struct reg_field *f;
};

static const struct column person_columns[] = {
    {COL_P_NAME, "name", "姓名", NULL, 1, NULL},
    {COL_P_ID_NO, "id_no", "公民身份号码", "身份证号", 0, NULL},
    {COL_P_SEX, "sex", "性别", NULL, 0, NULL},
    {COL_P_BIRTH, "birth_date", "出生日期", NULL, 0, NULL},
    {COL_P_ETHNIC, "ethnic", "民族", NULL, 0, NULL},
    {COL_P_POLITICAL, "political", "政治面貌", NULL, 0, NULL},
    {COL_P_PHONE, "phone", "联系电话", "手机号", 0, NULL},
    {COL_P_RESIDENCE, "residence", "居住类型", NULL, 1, NULL},
    {COL_NODE, "node_code", "所属网格", NULL, 0, NULL},
    {COL_BUILDING, "building", "楼栋", NULL, 0, NULL},
    {COL_UNIT, "unit_no", "单元", NULL, 0, NULL},
    {COL_ROOM, "room", "房号", NULL, 0, NULL},
    {COL_P_RELATION, "relation", "与户主关系", NULL, 0, NULL},
    {COL_P_MOVED_IN, "moved_in", "迁入日期", NULL, 0, NULL},
    {COL_P_MOVED_OUT, "moved_out", "迁出日期", NULL, 0, NULL},
    {COL_P_TAGS, "tags", "人员标签", NULL, 0, NULL},
};

static const char *const kind_names[] = {"persons", "buildings",
                                         "households", "organisations"};

int
import_kind_known(const char *kind)
{
    for (size_t i = 0; kind && i < GG_ARRAY_LEN(kind_names); i++)
        if (!strcmp(kind_names[i], kind))
            return 1;
    return 0;
}

/* The columns of a kind, in template order, into out (in a). */
static size_t
columns_of(const char *kind, struct gg_arena *a, const struct column **out)
{
    const struct reg_kind *k;
    struct column *cols;
    size_t n = 0;

    if (!strcmp(kind, "persons")) {
        *out = person_columns;
        return GG_ARRAY_LEN(person_columns);
    }
    k = registry_kind(kind);
    cols = gg_arena_alloc(a, (k->n_fields + 2) * sizeof(*cols));
    cols[n++] = (struct column){COL_NODE, "node_code", "所属网格", NULL,
                                0, NULL};
    for (size_t i = 0; i < k->n_fields; i++) {
        const struct reg_field *f = &k->fields[i];
        if (f->check == REG_REF && k->kind == STORE_KIND_HOUSEHOLD)
            cols[n++] = (struct column){COL_BUILDING, "building", "楼栋",
                                        NULL, 1, NULL};
        else
            cols[n++] = (struct column){COL_FIELD, f->name, f->zh, NULL,
                                        f->required, f};
    }
    *out = cols;
    return n;
}

static int
header_is(const struct column *c, const char *cell)
{
    return !strcmp(cell, c->zh) || !strcasecmp(cell, c->name) ||
           (c->alias && !strcmp(cell, c->alias));
}

/* Finds each column's cell in the header: at[c] = its index, or -1 when
 * the file has no such column. An unknown header is an error. */
static int
read_header(const struct column *cols, size_t n_cols,
            const char *const *cells, size_t n, int *at, struct gg_err *err)
{
    for (size_t c = 0; c < n_cols; c++)
        at[c] = -1;
    for (size_t i = 0; i < n; i++) {
        const char *h = cells[i];
        size_t c = 0;
        while (*h == ' ')
            h++;
        if (!*h)
            continue;
        while (c < n_cols && !header_is(&cols[c], h))
            c++;
        if (c == n_cols)
            return gg_failf(err, GG_EINVAL, "file", MSG_IMPORT_COLUMN,
                            "%.60s", h);
        if (at[c] < 0) /* a repeated column: the first one counts */
            at[c] = (int)i;
    }
    for (size_t c = 0; c < n_cols; c++)
        if (cols[c].required && at[c] < 0)
            return gg_failf(err, GG_EINVAL, "file", MSG_IMPORT_MISSING, "%s",
                            cols[c].zh);
    return 0;
}

/* ---- one row ---- */

struct importer {
    const struct account_ctx *ctx;
    const struct account_who *who;
    const struct import_opts *o;
    const struct column *cols;
    size_t n_cols;
    int at[GG_SHEET_MAX_COLS]; /* the cell of each column, or -1 */
    struct gg_arena *row;   /* reset after every row */
    /* Nodes found live in scope: rows use a handful, over and over. */
    char node_ok[NODE_CACHE][32];
    unsigned node_next;
    /* The last building found, by node and name: rows come in runs. */
    char last_node[32], last_building[256];
    int64_t last_building_id;
};

/* The cell of column c in this row, trimmed; NULL when absent or empty. */
static const char *
cell(struct importer *im, const char *const *cells, size_t n, size_t c)
{
    const char *v;
    size_t len;

    if (im->at[c] < 0 || (size_t)im->at[c] >= n)
        return NULL; /* a short row: the cell is empty */
    v = cells[im->at[c]];
    while (*v == ' ' || *v == '\t')
        v++;
    len = strlen(v);
    while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
        len--;
    return len ? gg_arena_strndup(im->row, v, len) : NULL;
}

static const char *
node_known(const struct importer *im, const char *code)
{
    for (size_t i = 0; i < NODE_CACHE; i++)
        if (!strcmp(im->node_ok[i], code))
            return im->node_ok[i];
    return NULL;
}

static int
row_node(struct importer *im, const char *given, const char **node,
         struct gg_err *err)
{
    const char *n = given ? given : im->o->node;
    int rc;

    if (!n)
        return gg_fail(err, GG_EINVAL, "node_code", MSG_FIELD_REQUIRED);
    rc = node_code_check(n, NULL, "node_code", err);
    if (!rc && im->o->node &&
        strncmp(n, im->o->node, strlen(im->o->node)))
        rc = gg_failf(err, GG_EINVAL, "node_code", MSG_IMPORT_NODE, "%s",
                      im->o->node);
    *node = n;
    if (!rc && !node_known(im, n)) {
        struct store_node *live;
        if (store_node_get(im->ctx->s, &im->who->scope, n, im->row, &live,
                           NULL))
            return gg_failf(err, GG_EINVAL, "node_code", MSG_NODE_NOT_FOUND,
                            "%s", n);
        snprintf(im->node_ok[im->node_next++ % NODE_CACHE],
                 sizeof(im->node_ok[0]), "%s", n);
    }
    return rc;
}

static int
building_id(struct importer *im, const char *node, const char *name,
            int64_t *id, struct gg_err *err)
{
    if (!strcmp(node, im->last_node) && !strcmp(name, im->last_building)) {
        *id = im->last_building_id;
        return 0;
    }
    if (store_building_find(im->ctx->s, node, name, id, NULL))
        return gg_failf(err, GG_EINVAL, "building", MSG_IMPORT_BUILDING,
                        "%.60s", name);
    snprintf(im->last_node, sizeof(im->last_node), "%s", node);
    snprintf(im->last_building, sizeof(im->last_building), "%s", name);
    im->last_building_id = *id;
    return 0;
}

/* The household at (building, unit, room), created when it is new. */
static int
household_of(struct importer *im, const char *node, const char *building,
             const char *unit, const char *room, int64_t *id,
             const char **hnode, struct gg_err *err)
{
    const struct reg_kind *hk = registry_kind("households");
    struct store_record h = {0};
    int64_t bid;
    char *end;
    long u = 0;
    int rc = building_id(im, node, building, &bid, err);

    if (rc)
        return rc;
    if (!room)
        return gg_fail(err, GG_EINVAL, "room", MSG_FIELD_REQUIRED);
    if (unit) {
        u = strtol(unit, &end, 10);
        if (*end || u < 1 || u > 100)
            return gg_failf(err, GG_EINVAL, "unit_no", MSG_FIELD_RANGE, "%s",
                            "1-100");
    }
    if (!store_household_find(im->ctx->s, bid, (int)u, room, id, hnode,
                              im->row, NULL))
        return 0;
    h.v[STORE_F_HOUSEHOLD_building_id] = (struct store_value){.set = 1,
                                                              .i = bid};
    h.v[STORE_F_HOUSEHOLD_unit_no] = (struct store_value){.set = u != 0,
                                                          .i = u};
    rc = registry_set(&hk->fields[2], room, im->row, &h, err);
    if (!rc)
        rc = registry_save(im->ctx, im->who, hk, NULL, 0, 0, &h, id, err);
    *hnode = h.node_code;
    return rc;
}

static int
person_row(struct importer *im, const char *const *cells, size_t n,
           struct gg_err *err)
{
    struct person_input in = {0};
    const char *v[COL__COUNT] = {0}; /* by column id */
    const char *tags[TAGS_MAX];
    int64_t id;
    int rc;

    for (size_t c = 0; c < GG_ARRAY_LEN(person_columns); c++)
        v[person_columns[c].id] = cell(im, cells, n, c);
    in.name = v[COL_P_NAME];
    in.id_no = v[COL_P_ID_NO] ? v[COL_P_ID_NO] : "";
    in.sex = code_or_null(sexes, v[COL_P_SEX], im->row);
    in.birth_date = v[COL_P_BIRTH];
    in.ethnic = code_or_null(ethnic, v[COL_P_ETHNIC], im->row);
    in.political = code_or_null(political, v[COL_P_POLITICAL], im->row);
    in.phone = v[COL_P_PHONE] ? v[COL_P_PHONE] : "";
    in.residence = code_or_null(residences, v[COL_P_RESIDENCE], im->row);
    in.relation = code_or_null(relations, v[COL_P_RELATION], im->row);
    in.moved_in = v[COL_P_MOVED_IN];
    in.moved_out = v[COL_P_MOVED_OUT];
    rc = row_node(im, v[COL_NODE], &in.node_code, err);
    if (!rc && v[COL_BUILDING]) {
        const char *hnode;
        rc = household_of(im, in.node_code, v[COL_BUILDING], v[COL_UNIT],
                          v[COL_ROOM], &in.household_id, &hnode, err);
        if (!rc)
            in.node_code = hnode; /* a person lives where the household is */
    } else if (!rc && (v[COL_UNIT] || v[COL_ROOM])) {
        rc = gg_fail(err, GG_EINVAL, "building", MSG_FIELD_REQUIRED);
    }
    if (!rc && v[COL_P_TAGS]) {
        in.n_tags = split_tags(v[COL_P_TAGS], im->row, tags, TAGS_MAX);
        in.tags = tags;
    }
    if (!rc) {
        struct account_ctx *ctx = (struct account_ctx *)im->ctx;
        ctx->node_checked = node_known(im, in.node_code);
        rc = person_create(ctx, im->who, &in, &id, err);
    }
    return rc;
}

static int
located(const struct reg_kind *k, const struct store_record *r)
{
    return (k->kind == STORE_KIND_BUILDING &&
            r->v[STORE_F_BUILDING_lon].set) ||
           (k->kind == STORE_KIND_ORG && r->v[STORE_F_ORG_lon].set);
}

static int
record_row(struct importer *im, const struct reg_kind *k,
           const char *const *cells, size_t n, struct gg_err *err)
{
    struct store_record r = {0};
    const char *node_cell = NULL, *building = NULL;
    int rc = 0;

    for (size_t c = 0; c < im->n_cols && !rc; c++) {
        const char *v = cell(im, cells, n, c);
        if (im->cols[c].id == COL_NODE)
            node_cell = v;
        else if (im->cols[c].id == COL_BUILDING)
            building = v;
        else
            rc = registry_set(im->cols[c].f, v, im->row, &r, err);
    }
    /* A record with a location finds its grid unless the row names one. */
    if (!rc && (node_cell || !located(k, &r)))
        rc = row_node(im, node_cell, &r.node_code, err);
    if (!rc && k->kind == STORE_KIND_HOUSEHOLD) {
        int64_t bid;
        if (!building)
            return gg_fail(err, GG_EINVAL, "building", MSG_FIELD_REQUIRED);
        rc = building_id(im, r.node_code, building, &bid, err);
        r.v[STORE_F_HOUSEHOLD_building_id] = (struct store_value){.set = 1,
                                                                  .i = bid};
        r.node_code = NULL; /* the building's */
    }
    if (!rc)
        rc = registry_save(im->ctx, im->who, k, im->o->loc, 0, 0, &r, NULL,
                           err);
    /* A located record must still land under the import's node. */
    if (!rc && im->o->node &&
        strncmp(r.node_code, im->o->node, strlen(im->o->node)))
        rc = gg_failf(err, GG_EINVAL, "lon", MSG_IMPORT_NODE, "%s",
                      im->o->node);
    return rc;
}

/* ---- the run ---- */

static void
report_error(struct import_report *r, int64_t line, const struct gg_err *e)
{
    r->bad++;
    if (r->n_errors >= IMPORT_ERRORS_MAX)
        return;
    if (!(r->n_errors & (r->n_errors - 1)) || !r->errors) {
        size_t cap = r->n_errors ? r->n_errors * 2 : 64;
        r->errors = realloc(r->errors, cap * sizeof(*r->errors));
        if (!r->errors)
            abort();
    }
    r->errors[r->n_errors].line = line;
    r->errors[r->n_errors++].err = *e;
}

void
import_report_release(struct import_report *r)
{
    free(r->errors);
    memset(r, 0, sizeof(*r));
}

/* A failure of the store itself ends the import; bad input does not. */
static int
is_fatal(int rc)
{
    return rc == GG_ESTORE || rc == GG_EBUSY || rc == GG_EINTERNAL;
}

static void
progress(struct importer *im, struct gg_sheet *sh, struct import_report *r)
{
    uint64_t done, total;
    if (!im->o->progress)
        return;
    gg_sheet_progress(sh, &done, &total);
    im->o->progress(im->o->progress_ctx, r, done, total);
}

static int
run_rows(struct importer *im, struct gg_sheet *sh, const struct reg_kind *k,
         struct import_report *r, struct gg_err *err)
{
    const struct account_ctx *ctx = im->ctx;
    const char *const *cells;
    int batch = im->o->batch > 0 ? im->o->batch : IMPORT_BATCH;
    int64_t line, in_batch = 0;
    size_t n;
    int rc;

    rc = store_begin(ctx->s, err);
    while (!rc && (rc = gg_sheet_next(sh, &cells, &n, &line, err)) == 1) {
        struct gg_err row_err = {0};
        int row_rc;

        r->total++;
        /* A bad row writes nothing but, with households created for it,
         * may have written something first: undo it when the rest is
         * kept. All-or-nothing keeps nothing anyway. */
        rc = im->o->skip_bad ? store_step_begin(ctx->s, err) : 0;
        if (rc)
            break;
        row_rc = k ? record_row(im, k, cells, n, &row_err)
                   : person_row(im, cells, n, &row_err);
        gg_arena_reset(im->row);
        if (is_fatal(row_rc)) {
            *err = row_err;
            rc = row_rc;
            break;
        }
        if (im->o->skip_bad)
            rc = row_rc ? store_step_undo(ctx->s, err)
                        : store_step_keep(ctx->s, err);
        if (row_rc)
            report_error(r, line, &row_err);
        else
            r->ok++;
        /* Skipping bad rows, a real import keeps what it has done so far. */
        if (!rc && im->o->skip_bad && !im->o->dry_run &&
            ++in_batch >= batch) {
            rc = store_commit(ctx->s, err);
            if (!rc)
                rc = store_begin(ctx->s, err);
            in_batch = 0;
            r->written = 1;
        }
        if (r->total % PROGRESS_EVERY == 0)
            progress(im, sh, r);
    }
    if (rc < 0) {
        if (store_rollback(ctx->s, NULL))
            gg_log(GG_LOG_ERROR, "import", "op=rollback failed=1");
        return rc;
    }
    if (im->o->dry_run || (r->bad && !im->o->skip_bad)) {
        rc = store_rollback(ctx->s, err);
        r->written = 0;
    } else {
        rc = store_commit(ctx->s, err);
        r->written = !rc && (r->ok || r->written);
    }
    progress(im, sh, r);
    return rc;
}

int
import_run(const struct account_ctx *ctx, const struct account_who *who,
           const char *path, const struct import_opts *o,
           struct import_report *r, struct gg_err *err)
{
    struct account_ctx row_ctx = *ctx;
    struct importer im = {0};
    struct gg_sheet *sh = NULL;
    const struct reg_kind *k = NULL;
    const char *const *cells;
    int64_t line;
    size_t n;
    int rc;

    memset(r, 0, sizeof(*r));
    if (!import_kind_known(o->kind))
        return gg_failf(err, GG_EINVAL, "kind", MSG_IMPORT_KIND, "%.40s",
                        o->kind ? o->kind : "");
    if (strcmp(o->kind, "persons"))
        k = registry_kind(o->kind);
    rc = gg_sheet_open(&sh, path, err);
    if (rc)
        return rc;
    r->encoding = gg_sheet_encoding(sh);
    rc = gg_sheet_next(sh, &cells, &n, &line, err);
    if (rc == 0)
        rc = gg_fail(err, GG_EINVAL, "file", MSG_IMPORT_EMPTY);
    im.row = gg_arena_new(16384);
    im.n_cols = columns_of(o->kind, im.row, &im.cols);
    if (rc == 1) {
        /* The columns live in the row arena: keep them in ctx->a. */
        struct column *keep = gg_arena_alloc(ctx->a,
                                             im.n_cols * sizeof(*keep));
        memcpy(keep, im.cols, im.n_cols * sizeof(*keep));
        im.cols = keep;
        rc = read_header(im.cols, im.n_cols, cells, n, im.at, err);
    }
    gg_arena_reset(im.row);
    row_ctx.in_tx = 1;
    row_ctx.a = im.row;
    im.ctx = &row_ctx;
    im.who = who;
    im.o = o;
    if (!rc)
        rc = run_rows(&im, sh, k, r, err);
    gg_arena_free(im.row);
    gg_sheet_close(&sh);
    return rc;
}

/* ---- writing spreadsheets ---- */

int
import_report_xlsx(const struct import_report *r, enum gg_lang lang,
                   const char *path, struct gg_err *err)
{
    const char *head[3] = {gg_msg(lang, MSG_IMPORT_HEAD_LINE),
                           gg_msg(lang, MSG_IMPORT_HEAD_FIELD),
                           gg_msg(lang, MSG_IMPORT_HEAD_REASON)};
    struct gg_xlsx *x = NULL;
    int rc = gg_xlsx_create(&x, path, NULL, err);

    if (!rc)
        rc = gg_xlsx_row(x, head, 3, err);
    for (size_t i = 0; !rc && i < r->n_errors; i++) {
        const struct import_error *e = &r->errors[i];
        char line[24], reason[512];
        const char *row[3] = {line, e->err.field, reason};
        snprintf(line, sizeof(line), "%" PRId64, e->line);
        gg_msg_format(reason, sizeof(reason), lang, e->err.msg, e->err.arg);
        rc = gg_xlsx_row(x, row, 3, err);
    }
    if (!rc)
        return gg_xlsx_close(&x, err);
    gg_xlsx_close(&x, NULL);
    return rc;
}

int
import_template_xlsx(const char *kind, const char *path, struct gg_err *err)
{
    struct gg_arena *a;
    const struct column *cols;
    const char *head[GG_SHEET_MAX_COLS];
    struct gg_xlsx *x = NULL;
    size_t n;
    int rc;

    if (!import_kind_known(kind))
        return gg_failf(err, GG_EINVAL, "kind", MSG_IMPORT_KIND, "%.40s",
                        kind ? kind : "");
    a = gg_arena_new(4096);
    n = columns_of(kind, a, &cols);
    for (size_t i = 0; i < n; i++)
        head[i] = cols[i].zh;
    rc = gg_xlsx_create(&x, path, NULL, err);
    if (!rc)
        rc = gg_xlsx_row(x, head, n, err);
    if (!rc)
        rc = gg_xlsx_close(&x, err);
    else
        gg_xlsx_close(&x, NULL);
    gg_arena_free(a);
    return rc;
}

#define EXPORT_PAGE 1000

static int
export_persons(const struct account_ctx *ctx, const struct account_who *who,
               const struct store_person_filter *pf, struct gg_xlsx *x,
               int64_t *rows, struct gg_err *err)
{
    struct store_person_filter f = *pf;
    struct store_person_row *list;
    size_t n;
    int rc;

    f.limit = EXPORT_PAGE;
    do {
        rc = store_person_list(ctx->s, &who->scope, &f, ctx->a, &list, &n,
                               err);
        for (size_t i = 0; !rc && i < n; i++) {
            const struct store_person_row *p = &list[i];
            struct gg_arena *a = ctx->a;
#define LABEL(list, code) registry_choice_label(list, code, a)
            const char *row[GG_ARRAY_LEN(person_columns)] = {
                p->name, p->id_no_mask, LABEL(sexes, p->sex), p->birth_date,
                LABEL(ethnic, p->ethnic), LABEL(political, p->political),
                p->phone_mask, LABEL(residences, p->residence), p->node_code,
                p->building,
                p->unit_no ? gg_arena_printf(a, "%d", p->unit_no) : NULL,
                p->room, LABEL(relations, p->relation), p->moved_in,
                p->moved_out, p->tags};
#undef LABEL
            rc = gg_xlsx_row(x, row, GG_ARRAY_LEN(row), err);
        }
        *rows += (int64_t)n;
        if (n)
            f.after = list[n - 1].id;
        gg_arena_reset(ctx->a);
    } while (!rc && n == EXPORT_PAGE);
    return rc;
}

static int
export_records(const struct account_ctx *ctx, const struct account_who *who,
               const struct reg_kind *k, const struct column *cols,
               size_t n_cols, const struct store_record_filter *rf,
               struct gg_xlsx *x, int64_t *rows, struct gg_err *err)
{
    struct store_record_filter f = *rf;
    struct store_record *list;
    const char *row[GG_SHEET_MAX_COLS];
    size_t n;
    int rc;

    f.limit = EXPORT_PAGE;
    do {
        rc = store_record_list(ctx->s, k->kind, &who->scope, &f, ctx->a,
                               &list, &n, err);
        for (size_t i = 0; !rc && i < n; i++) {
            for (size_t c = 0; c < n_cols; c++)
                row[c] = cols[c].id == COL_NODE ? list[i].node_code
                         : cols[c].id == COL_BUILDING
                             ? list[i].label
                             : registry_text(cols[c].f, &list[i], ctx->a);
            rc = gg_xlsx_row(x, row, n_cols, err);
        }
        *rows += (int64_t)n;
        if (n)
            f.after = list[n - 1].id;
        gg_arena_reset(ctx->a);
    } while (!rc && n == EXPORT_PAGE);
    return rc;
}

int
export_run(const struct account_ctx *ctx, const struct account_who *who,
           const char *kind, const struct export_filter *f, const char *path,
           int64_t *rows, struct gg_err *err)
{
    struct account_ctx page = *ctx;
    const struct column *cols;
    const char *head[GG_SHEET_MAX_COLS];
    struct audit_event ev = {0};
    struct gg_xlsx *x = NULL;
    size_t n;
    int rc;

    *rows = 0;
    if (!import_kind_known(kind))
        return gg_failf(err, GG_EINVAL, "kind", MSG_IMPORT_KIND, "%.40s",
                        kind ? kind : "");
    n = columns_of(kind, ctx->a, &cols);
    for (size_t i = 0; i < n; i++)
        head[i] = cols[i].zh;
    page.a = gg_arena_new(1 << 16);
    rc = gg_xlsx_create(&x, path, NULL, err);
    if (!rc)
        rc = gg_xlsx_row(x, head, n, err);
    if (!rc && !strcmp(kind, "persons"))
        rc = export_persons(&page, who, f->persons, x, rows, err);
    else if (!rc)
        rc = export_records(&page, who, registry_kind(kind), cols, n,
                            f->records, x, rows, err);
    gg_arena_free(page.a);
    if (!rc)
        rc = gg_xlsx_close(&x, err);
    else
        gg_xlsx_close(&x, NULL);
    if (rc)
        return rc;
    ev.actor_id = who->account_id;
    ev.actor = who->username;
    ev.action = "registry.export";
    ev.target = gg_arena_printf(ctx->a, "%s:%s", kind,
                                f->persons ? f->persons->node
                                           : f->records->node);
    ev.detail = gg_arena_printf(ctx->a, "rows=%" PRId64, *rows);
    ev.ip = ctx->ip;
    return audit_record(ctx->s, ctx->keys, &ev, ctx->now * 1000, err);
}
