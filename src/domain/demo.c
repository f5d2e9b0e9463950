/*
 * demo.c - writes the demo data set (see demo.h). Deterministic: a fixed
 * seed drives every choice, so two runs describe the same people; only the
 * random nonces of the sealed fields differ.
 */
#include "core/gg.h"
#include "core/gg_log.h"
#include "domain/account.h"
#include "domain/creditcode.h"
#include "domain/demo.h"
#include "domain/idcard.h"
#include "domain/pii.h"

struct rng {
    uint64_t s;
};

static uint64_t
rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int
rng_range(struct rng *r, int lo, int hi)
{
    return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static int
rng_chance(struct rng *r, int percent)
{
    return rng_range(r, 1, 100) <= percent;
}

static const char *const surnames[] = {
    "林", "陈", "黄", "张", "王", "李", "刘", "吴", "郑", "杨", "赵", "周",
    "徐", "孙", "朱", "胡", "郭", "何", "罗", "高", "梁", "谢", "宋", "唐",
    "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "潘", "袁",
    "蔡", "蒋", "余", "叶", "程", "魏", "苏", "吕", "丁", "卢", "范", "游"};
static const char *const given_m[] = {
    "建国", "国华", "志强", "明", "伟", "军", "平", "德福", "文斌", "海涛",
    "荣", "春生", "林", "成", "永康", "金水", "长青", "宏", "振华", "立新",
    "子涵", "浩然", "宇轩", "俊杰", "晨阳", "家乐", "思远", "天佑"};
static const char *const given_f[] = {
    "秀英", "桂兰", "玉珍", "丽", "凤英", "梅", "淑华", "霞", "娟", "敏",
    "静", "红梅", "燕", "萍", "琴", "春燕", "美玲", "金花", "玉兰", "秀珍",
    "欣怡", "梓涵", "雨桐", "诗琪", "佳怡", "若曦", "可馨", "语嫣"};
static const char *const org_words[] = {
    "闽江", "建溪", "茶乡", "武夷", "九峰", "延福", "双剑", "玉屏",
    "南山", "长沙", "兴业", "安泰", "恒通", "瑞丰", "鑫源", "明达"};
static const char *const org_trades[] = {
    "商贸有限公司", "建材有限公司", "竹木制品厂", "茶业有限公司",
    "物流有限公司", "餐饮管理有限公司", "电子科技有限公司", "食品有限公司",
    "汽车维修有限公司", "印刷有限公司"};

#define PICK(r, arr) (arr)[rng_range((r), 0, (int)GG_ARRAY_LEN(arr) - 1)]

struct demo_ctx {
    struct store *s;
    const struct gg_keys *keys;
    struct gg_arena *a;
    struct rng rng;
    int64_t now;
    int today_ymd, this_year;
    struct demo_stats *stats;
    demo_progress_fn progress;
    void *progress_ctx;
    struct gg_err *err;
    unsigned id_seq, phone_seq;
};

/* One community to generate. */
struct demo_community {
    const char *district_code; /* the 6-digit region in ID numbers */
    const char *code;
    const char *address_prefix;
    int grids;
    const char *const *grid_names;
    int buildings;
    int households;
    int residents;     /* 0: 1..4 per household */
    int elderly_pct;   /* share of residents aged 70+ */
    int floating_pct;
    int enterprises;
    int grid_workers_per_grid;
    double lon, lat;
};

static int
node(struct demo_ctx *c, const char *code, const char *parent,
     enum store_node_level level, const char *name)
{
    struct store_node n = {0};
    n.code = code;
    n.parent_code = parent;
    n.level = level;
    n.name = name;
    c->stats->nodes++;
    return store_node_insert(c->s, &n, c->now, c->err);
}

static const char *
person_name(struct demo_ctx *c, int male)
{
    const char *given = male ? PICK(&c->rng, given_m) : PICK(&c->rng, given_f);
    return gg_arena_printf(c->a, "%s%s", PICK(&c->rng, surnames), given);
}

static int
age_for(struct demo_ctx *c, const struct demo_community *dc)
{
    int roll = rng_range(&c->rng, 1, 100);
    if (roll <= dc->elderly_pct)
        return rng_range(&c->rng, 70, 96);
    if (roll <= dc->elderly_pct + 6)
        return rng_range(&c->rng, 3, 17);
    return rng_range(&c->rng, 18, 69);
}

/* Writes one person; *id receives the row id. */
static int
person(struct demo_ctx *c, const struct demo_community *dc,
       const char *grid_code, int64_t household_id, const char *relation,
       int age, int male, int lives_alone, int64_t *id, const char **name_out)
{
    struct store_person p = {0};
    const char *tags[8];
    size_t n_tags = 0;
    char idno[IDCARD_LEN + 1], phone[16];
    int year = c->this_year - age;
    int month = rng_range(&c->rng, 1, 12), day = rng_range(&c->rng, 1, 28);
    int seq = (int)(c->id_seq++ % 500) * 2 + (male ? 1 : 0);
    int party = age >= 18 && rng_chance(&c->rng, 9);

    idcard_make(dc->district_code, year, month, day, seq, idno);
    p.node_code = grid_code;
    p.household_id = household_id;
    p.relation = relation;
    p.name = person_name(c, male);
    p.sex = male ? "1" : "2";
    p.birth_date = gg_arena_printf(c->a, "%04d-%02d-%02d", year, month, day);
    p.ethnic = rng_chance(&c->rng, 3) ? "22" : "01"; /* 畲族 / 汉族 */
    p.political = party ? "01" : age >= 14 && age <= 28 ? "03" : "13";
    p.residence = rng_chance(&c->rng, dc->floating_pct) ? "floating"
                                                         : "permanent";
    pii_seal(c->keys, PII_ID_NO, idno, c->a, &p.id_no);
    if (age >= 16) {
        static const char *const prefixes[] = {"138", "139", "135", "158",
                                               "187", "189", "133", "177"};
        snprintf(phone, sizeof(phone), "%s%08u", PICK(&c->rng, prefixes),
                 (c->phone_seq++ * 7919u + 1234567u) % 100000000u);
        pii_seal(c->keys, PII_PHONE, phone, c->a, &p.phone);
    }
    if (age >= 80)
        tags[n_tags++] = "高龄";
    if (lives_alone && age >= 60)
        tags[n_tags++] = "独居";
    if (age < 18)
        tags[n_tags++] = "未成年人";
    if (party)
        tags[n_tags++] = "党员";
    if (rng_chance(&c->rng, 5))
        tags[n_tags++] = "低保";
    if (rng_chance(&c->rng, 3))
        tags[n_tags++] = "残疾";
    if (male && age >= 40 && rng_chance(&c->rng, 4))
        tags[n_tags++] = "退役军人";
    p.tags = tags;
    p.n_tags = n_tags;
    if (name_out)
        *name_out = p.name;
    c->stats->persons++;
    return store_person_insert(c->s, &p, c->now, id, c->err);
}

static int
household_members(struct demo_ctx *c, const struct demo_community *dc,
                  const char *grid, int64_t hid, int members)
{
    int head_age = age_for(c, dc), head_male = rng_chance(&c->rng, 50);
    int rc;

    if (head_age < 18)
        head_age = rng_range(&c->rng, 25, 69);
    rc = person(c, dc, grid, hid, "02", head_age, head_male, members == 1,
                NULL, NULL);
    for (int m = 1; !rc && m < members; m++) {
        if (m == 1 && rng_chance(&c->rng, 75)) {
            int age = head_age + rng_range(&c->rng, -4, 3);
            rc = person(c, dc, grid, hid, "10", age < 18 ? 18 : age,
                        !head_male, 0, NULL, NULL);
        } else {
            int age = head_age - rng_range(&c->rng, 22, 35);
            int male = rng_chance(&c->rng, 50);
            if (age < 1)
                age = rng_range(&c->rng, 1, 12);
            rc = person(c, dc, grid, hid, male ? "20" : "30", age, male, 0,
                        NULL, NULL);
        }
    }
    return rc;
}

static int
community(struct demo_ctx *c, const struct demo_community *dc,
          const char *name)
{
    char grid[32];
    int64_t bid, hid;
    int rc, households_left = dc->households;
    int residents_left = dc->residents;

    rc = node(c, dc->code, gg_arena_strndup(c->a, dc->code, 9),
              NODE_COMMUNITY, name);
    for (int g = 1; !rc && g <= dc->grids; g++) {
        snprintf(grid, sizeof(grid), "%s%03d", dc->code, g);
        rc = node(c, gg_arena_strdup(c->a, grid), dc->code, NODE_GRID,
                  dc->grid_names[g - 1]);
    }
    for (int b = 0; !rc && b < dc->buildings; b++) {
        struct store_record bl = {0};
        struct store_value *bv = bl.v;
        int share = households_left / (dc->buildings - b);
        int units = share > 16 ? 2 : 1, floors = 6;

        snprintf(grid, sizeof(grid), "%s%03d", dc->code,
                 b * dc->grids / dc->buildings + 1);
        bl.node_code = gg_arena_strdup(c->a, grid);
        bv[STORE_F_BUILDING_name] = (struct store_value){
            .set = 1, .s = gg_arena_printf(c->a, "%d号楼", b + 1)};
        bv[STORE_F_BUILDING_address] = (struct store_value){
            .set = 1, .s = gg_arena_printf(c->a, "%s%d号楼",
                                           dc->address_prefix, b + 1)};
        bv[STORE_F_BUILDING_kind] = (struct store_value){.set = 1,
                                                         .s = "residential"};
        bv[STORE_F_BUILDING_floors] = (struct store_value){.set = 1,
                                                           .i = floors};
        bv[STORE_F_BUILDING_units] = (struct store_value){.set = 1,
                                                          .i = units};
        bv[STORE_F_BUILDING_lon] = (struct store_value){
            .set = 1, .r = dc->lon + (b % 8) * 0.0006};
        bv[STORE_F_BUILDING_lat] = (struct store_value){
            .set = 1, .r = dc->lat + (b / 8) * 0.0005};
        c->stats->buildings++;
        rc = store_record_insert(c->s, STORE_KIND_BUILDING, &bl, c->now, &bid,
                                 c->err);
        for (int h = 0; !rc && h < share; h++) {
            struct store_record hh = {0};
            int per_unit = (share + units - 1) / units;
            int in_unit = h % per_unit;
            int members;

            hh.node_code = bl.node_code;
            hh.v[STORE_F_HOUSEHOLD_building_id] = (struct store_value){
                .set = 1, .i = bid};
            hh.v[STORE_F_HOUSEHOLD_unit_no] = (struct store_value){
                .set = 1, .i = h / per_unit + 1};
            hh.v[STORE_F_HOUSEHOLD_room] = (struct store_value){
                .set = 1, .s = gg_arena_printf(c->a, "%d%02d",
                                               in_unit / 2 + 1,
                                               in_unit % 2 + 1)};
            c->stats->households++;
            rc = store_record_insert(c->s, STORE_KIND_HOUSEHOLD, &hh, c->now,
                                     &hid, c->err);
            if (rc)
                break;
            if (dc->residents) {
                /* One or two each, in a random mix that ends exactly on
                 * the community's resident count. */
                int left = households_left - h;
                int extra = residents_left - left;
                members = 1 + (rng_range(&c->rng, 1, left) <= extra);
            } else {
                members = rng_range(&c->rng, 1, 4);
            }
            residents_left -= members;
            rc = household_members(c, dc, bl.node_code, hid, members);
        }
        households_left -= share;
        if (c->progress)
            c->progress(c->progress_ctx, name, b + 1, dc->buildings);
    }
    for (int e = 0; !rc && e < dc->enterprises; e++) {
        struct store_record o = {0};
        char credit[CREDITCODE_LEN + 1];

        creditcode_make('9', '1', dc->district_code,
                        (unsigned)(71530000 + e * 37), credit);
        snprintf(grid, sizeof(grid), "%s%03d", dc->code, e % dc->grids + 1);
        o.node_code = gg_arena_strdup(c->a, grid);
        o.v[STORE_F_ORG_kind] = (struct store_value){.set = 1,
                                                     .s = "enterprise"};
        o.v[STORE_F_ORG_name] = (struct store_value){
            .set = 1, .s = gg_arena_printf(c->a, "%s%s%s",
                                           PICK(&c->rng, org_words),
                                           PICK(&c->rng, org_words),
                                           PICK(&c->rng, org_trades))};
        o.v[STORE_F_ORG_credit_code] = (struct store_value){
            .set = 1, .s = gg_arena_strdup(c->a, credit)};
        o.v[STORE_F_ORG_address] = (struct store_value){
            .set = 1, .s = gg_arena_printf(c->a, "%s%d号",
                                           dc->address_prefix, 100 + e)};
        c->stats->orgs++;
        rc = store_record_insert(c->s, STORE_KIND_ORG, &o, c->now, NULL,
                                 c->err);
    }
    return rc;
}

/* Grid staff (网格长 and 网格员) of a community, with accounts for them. */
static int
grid_staff(struct demo_ctx *c, const struct demo_community *dc,
           const char *account_prefix, const char *hash)
{
    char grid[32];
    int rc = 0, worker = 0;

    for (int g = 1; !rc && g <= dc->grids; g++) {
        snprintf(grid, sizeof(grid), "%s%03d", dc->code, g);
        for (int k = 0; !rc && k <= dc->grid_workers_per_grid; k++) {
            struct store_roster m = {0};
            const char *name, *post, *role, *user;
            struct account_grant grant[1];
            int64_t pid, aid;
            int male = rng_chance(&c->rng, 50);

            rc = person(c, dc, gg_arena_strdup(c->a, grid), 0, NULL,
                        rng_range(&c->rng, 28, 55), male, 0, &pid, &name);
            if (rc)
                break;
            if (k == 0) {
                post = "grid_chief";
                role = "grid_chief";
                user = gg_arena_printf(c->a, "%s_chief%d", account_prefix, g);
            } else {
                post = k <= 2 ? "grid_worker_full" : "grid_worker_part";
                role = "grid_worker";
                user = gg_arena_printf(c->a, "%s_grid%02d", account_prefix,
                                       ++worker);
            }
            m.node_code = gg_arena_strdup(c->a, grid);
            m.person_id = pid;
            m.post = post;
            m.since = c->now;
            c->stats->grid_members++;
            rc = store_roster_insert(c->s, &m, NULL, c->err);
            if (rc)
                break;
            grant[0].role = role;
            grant[0].node_code = m.node_code;
            c->stats->accounts++;
            rc = account_create(c->s, user, name, hash, pid, m.node_code, 0,
                                grant, 1, c->now, &aid, c->err);
        }
    }
    return rc;
}

struct demo_account {
    const char *username, *display_name, *role, *node;
};

static const struct demo_account demo_accounts[] = {
    {"dh_admin", "王建国", "street_center", "370902001"},
    {"ts_district", "赵立新", "district_admin", "370902"},
    {"dh_secretary", "李淑华", "community_secretary", "370902001007"},
    {"dh_worker", "孙红梅", "community_worker", "370902001007"},
    {"dh_resident", "周春生", "resident", "370902001007001"},
    {"dh_volunteer", "吴欣怡", "volunteer", "370902001007"},
    {"dh_household", "郑淑华", "household_chief", "370902001007001"},
    {"ts_department", "何振华", "department_staff", "370902"},
    {"yp_district", "郑振华", "district_admin", "350702"},
    {"sh_center", "林永康", "street_center", "350702004"},
    {"cs_secretary", "陈美玲", "community_secretary", "350702004005"},
    {"sysadmin", "系统管理员", "sys_admin", "370902"},
    {"secadmin", "安全管理员", "sec_admin", "370902"},
    {"auditor", "审计管理员", "audit_admin", "370902"},
};

static const char *const dh_grids[] = {"东湖第一网格", "东湖第二网格",
                                       "东湖第三网格", "东湖第四网格",
                                       "东湖第五网格", "东湖第六网格"};
static const char *const cs_grids[] = {"长沙第一网格", "长沙第二网格",
                                       "长沙第三网格", "长沙第四网格"};

int
demo_load(struct store *s, const struct gg_keys *keys, int64_t now,
          demo_progress_fn progress, void *progress_ctx,
          struct demo_stats *stats, struct gg_err *err)
{
    struct demo_ctx c = {0};
    struct tm tm;
    time_t t = (time_t)now;
    char hash[GG_PWHASH_MAX];
    int rc;
    static const struct {
        const char *code, *parent, *name;
        enum store_node_level level;
    } frame[] = {
        {"35", NULL, "福建省", NODE_PROVINCE},
        {"3507", "35", "南平市", NODE_CITY},
        {"350702", "3507", "延平区", NODE_DISTRICT},
        {"350702004", "350702", "四鹤街道", NODE_STREET},
        {"350702004001", "350702004", "四鹤社区", NODE_COMMUNITY},
        {"37", NULL, "山东省", NODE_PROVINCE},
        {"3709", "37", "泰安市", NODE_CITY},
        {"370902", "3709", "泰山区", NODE_DISTRICT},
        {"370902001", "370902", "岱庙街道", NODE_STREET},
        {"370902001001", "370902001", "岱宗社区", NODE_COMMUNITY},
        {"370902001002", "370902001", "擂鼓石社区", NODE_COMMUNITY},
        {"370902001003", "370902001", "财源社区", NODE_COMMUNITY},
    };
    const struct demo_community changsha = {
        "350702", "350702004005", "福建省南平市延平区四鹤街道长沙社区",
        4, cs_grids, 38, 582, 970, 72, 2, 30, 2, 118.1700, 26.6400};
    const struct demo_community donghu = {
        "370902", "370902001007", "山东省泰安市泰山区岱庙街道东湖社区",
        6, dh_grids, 36, 864, 0, 18, 12, 0, 4, 117.1300, 36.1900};

    memset(stats, 0, sizeof(*stats));
    gmtime_r(&t, &tm);
    c.s = s;
    c.keys = keys;
    c.a = gg_arena_new(1 << 16);
    c.rng.s = 0x6772696467ull; /* "gridg" */
    c.now = now;
    c.this_year = tm.tm_year + 1900;
    c.today_ymd = c.this_year * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    c.stats = stats;
    c.progress = progress;
    c.progress_ctx = progress_ctx;
    c.err = err;

    /* One hash for every demo account: they share the documented demo
     * password, and Argon2id is deliberately slow. */
    rc = gg_password_hash(DEMO_PASSWORD, &gg_pwhash_interactive, hash);
    if (rc) {
        gg_fail(err, rc, "", MSG_INTERNAL);
        goto out;
    }
    rc = store_begin(s, err);
    if (rc)
        goto out;
    for (size_t i = 0; !rc && i < GG_ARRAY_LEN(frame); i++)
        rc = node(&c, frame[i].code, frame[i].parent, frame[i].level,
                  frame[i].name);
    if (!rc)
        rc = community(&c, &changsha, "长沙社区");
    if (!rc)
        rc = community(&c, &donghu, "东湖社区");
    if (!rc)
        rc = grid_staff(&c, &changsha, "cs", hash);
    if (!rc)
        rc = grid_staff(&c, &donghu, "dh", hash);
    for (size_t i = 0; !rc && i < GG_ARRAY_LEN(demo_accounts); i++) {
        const struct demo_account *d = &demo_accounts[i];
        struct account_grant grant[2] = {{d->role, d->node},
                                         {d->role, "350702"}};
        int64_t id;
        /* The administrator duties cover both demo districts. */
        size_t n = !strcmp(d->role, "sys_admin") ||
                           !strcmp(d->role, "sec_admin") ||
                           !strcmp(d->role, "audit_admin")
                       ? 2
                       : 1;
        stats->accounts++;
        rc = account_create(s, d->username, d->display_name, hash, 0, d->node,
                            0, grant, n, now, &id, err);
    }
    if (!rc)
        rc = store_commit(s, err);
    if (rc && store_rollback(s, NULL))
        gg_log(GG_LOG_ERROR, "demo", "op=rollback failed=1");
out:
    gg_arena_free(c.a);
    return rc;
}
