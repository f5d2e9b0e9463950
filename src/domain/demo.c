/*
 * demo.c - writes the demo data set (see demo.h). Deterministic: a fixed
 * seed drives every choice, so two runs describe the same people; only the
 * random nonces of the sealed fields differ.
 *
 * The order keeps that promise as the demo grows: the registry, the grid
 * staff and the accounts draw from the seed first, exactly as they always
 * did; the boundaries take their own seed per community; the party tree,
 * the rest of the roster and the further organisations draw from the main
 * seed only after everything else. Adding to the end changes nobody who
 * was there before. Last come the case engine's records and the year of
 * cases (demo_cases.c), which draws from the same generator.
 */
#include <math.h>

#include "core/gg.h"
#include "core/gg_log.h"
#include "domain/account.h"
#include "domain/creditcode.h"
#include "domain/demo.h"
#include "domain/demo_cases.h"
#include "domain/geo.h"
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

/* Uniform in [-amp, amp], in steps of amp / 1000. */
static double
rng_jitter(struct rng *r, double amp)
{
    return (rng_range(r, 0, 2000) - 1000) * amp / 1000.0;
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
static const char *const shop_kinds[] = {
    "便利店", "超市", "理发店", "大药房", "早餐店", "五金店", "水果店",
    "快递驿站", "面馆", "洗衣店", "茶叶店", "粮油店"};

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

/* A co-building unit (共建单位) of a street, and its credit code's
 * registration authority and type (GB 32100: 1 1 机关, 9 1 企业). */
struct demo_cobuild {
    const char *name;
    char authority, type;
};

/* One community to generate. */
struct demo_community {
    const char *name;
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
    double lon, lat;   /* the south-west corner of the community */
    /* The drawing: cols x rows grids, numbered from the north-west in
     * reading order, over width x height degrees. */
    int cols, rows;
    double width, height;
    int undrawn_grid;  /* left without a boundary (a coverage gap); 0: none */
    /* Published service numbers: area code and the exchange's first
     * digits, e.g. 0538-823GGSS for grid GG, slot SS. */
    const char *phone_area, *phone_exchange;
    const char *social_name;              /* its social organisation */
    const struct demo_cobuild *cobuild;   /* the street's 2 共建单位 */
};

/*
 * A community's drawing: a lattice of cols x rows cells, one per grid,
 * whose inner corners and edges are jittered so the borders look drawn.
 * Every edge is computed once and shared by the cells on both sides, and
 * the community's outline is made of the same edges: neighbours meet on
 * identical coordinates, never overlap, and together are the community.
 * Nothing moves by more than 12% of a cell, so the middle 60% of each
 * cell (where buildings and organisations go) is always inside it.
 */
#define MAP_COLS_MAX 4
#define MAP_ROWS_MAX 4
#define MAP_EDGE_STEPS 4 /* every edge is drawn in this many segments */
#define DEMO_ORGS_MAX 64

struct demo_map {
    int cols, rows;
    double lon0, lat0, w, h; /* south-west corner; one cell, in degrees */
    double corner[MAP_COLS_MAX + 1][MAP_ROWS_MAX + 1][2];
    /* How far each inner point of an edge lies off the straight line:
     * north-south for the east-west edges (h), east-west for the others. */
    double h_off[MAP_COLS_MAX][MAP_ROWS_MAX + 1][MAP_EDGE_STEPS - 1];
    double v_off[MAP_COLS_MAX + 1][MAP_ROWS_MAX][MAP_EDGE_STEPS - 1];
};

/* What the later stages need to know of a community just written. */
struct demo_building {
    int64_t id;
    int grid; /* 1-based, as in the grid's code */
    int units;
    double lon, lat;
    const char *name;
};

struct demo_household {
    int64_t id;
    int grid, building, unit_no; /* building: index in the area's list */
};

struct demo_resident {
    int64_t id;
    int household; /* index in the area's list */
    int age, party;
    const char *name;
};

struct demo_area {
    const struct demo_community *dc;
    struct demo_map map;
    struct demo_building *buildings;
    struct demo_household *households;
    struct demo_resident *residents;
    size_t n_buildings, n_households, n_residents;
    int org_slots[MAP_COLS_MAX * MAP_ROWS_MAX + 1]; /* per grid, see orgs */
    /* For the year of cases (demo_cases.h): the organisations written,
     * and the grid staff's accounts per grid (1-based). */
    struct demo_world_org orgs[DEMO_ORGS_MAX];
    size_t n_orgs;
    struct demo_account_ref chiefs[MAP_COLS_MAX * MAP_ROWS_MAX + 1];
    struct demo_account_ref workers[MAP_COLS_MAX * MAP_ROWS_MAX + 1]
                                   [DEMO_GRID_WORKERS_MAX];
    size_t n_workers[MAP_COLS_MAX * MAP_ROWS_MAX + 1];
};

/* What person() wrote. */
struct person_out {
    int64_t id;
    const char *name;
    int party;
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
grid_code(struct demo_ctx *c, const struct demo_community *dc, int grid)
{
    return gg_arena_printf(c->a, "%s%03d", dc->code, grid);
}

/* A published service number (see struct demo_community); grid 0 for the
 * community's own. */
static const char *
service_phone(struct demo_ctx *c, const struct demo_community *dc, int grid,
              int slot)
{
    return gg_arena_printf(c->a, "%s-%s%02d%02d", dc->phone_area,
                           dc->phone_exchange, grid, slot);
}

static struct store_value
text_value(const char *s)
{
    return (struct store_value){.set = s != NULL, .s = s};
}

static struct store_value
real_value(double r)
{
    return (struct store_value){.set = 1, .r = r};
}

static double
round_to(double v, double unit)
{
    return round(v / unit) * unit;
}

static void
map_init(struct demo_map *m, const struct demo_community *dc)
{
    struct rng r = {strtoull(dc->code, NULL, 10)};

    m->cols = dc->cols;
    m->rows = dc->rows;
    m->lon0 = dc->lon;
    m->lat0 = dc->lat;
    m->w = dc->width / dc->cols;
    m->h = dc->height / dc->rows;
    /* The community's four corners stay put; the other corners on its
     * outline move along it only. */
    for (int i = 0; i <= m->cols; i++)
        for (int j = 0; j <= m->rows; j++) {
            double dx = i == 0 || i == m->cols ? 0 : rng_jitter(&r, m->w * .07);
            double dy = j == 0 || j == m->rows ? 0 : rng_jitter(&r, m->h * .07);
            m->corner[i][j][0] = round_to(m->lon0 + i * m->w + dx, 1e-7);
            m->corner[i][j][1] = round_to(m->lat0 + j * m->h + dy, 1e-7);
        }
    for (int i = 0; i < m->cols; i++)
        for (int j = 0; j <= m->rows; j++)
            for (int k = 0; k < MAP_EDGE_STEPS - 1; k++)
                m->h_off[i][j][k] = rng_jitter(&r, m->h * .05);
    for (int i = 0; i <= m->cols; i++)
        for (int j = 0; j < m->rows; j++)
            for (int k = 0; k < MAP_EDGE_STEPS - 1; k++)
                m->v_off[i][j][k] = rng_jitter(&r, m->w * .05);
}

static void
ring_add(json_t *ring, double lon, double lat)
{
    json_array_append_new(ring, json_pack("[f,f]", lon, lat));
}

/* Appends an edge to ring, without its last point: the east-west edge from
 * corner (i, j) to (i + 1, j) (horizontal) or the north-south one from
 * (i, j) to (i, j + 1), forward or back. Both directions compute every
 * point the same way, so the two cells sharing an edge get the same
 * coordinates. */
static void
map_edge(const struct demo_map *m, json_t *ring, int i, int j, int horizontal,
         int forward)
{
    const double *a = m->corner[i][j];
    const double *b = horizontal ? m->corner[i + 1][j] : m->corner[i][j + 1];
    const double *off = horizontal ? m->h_off[i][j] : m->v_off[i][j];

    for (int k = 0; k < MAP_EDGE_STEPS; k++) {
        int step = forward ? k : MAP_EDGE_STEPS - k; /* counted from a */
        double t = (double)step / MAP_EDGE_STEPS;
        double lon = a[0] + (b[0] - a[0]) * t, lat = a[1] + (b[1] - a[1]) * t;

        if (step == 0 || step == MAP_EDGE_STEPS) {
            const double *p = step ? b : a;
            ring_add(ring, p[0], p[1]);
            continue;
        }
        if (horizontal)
            lat += off[step - 1];
        else
            lon += off[step - 1];
        ring_add(ring, round_to(lon, 1e-7), round_to(lat, 1e-7));
    }
}

/* The cell of a grid: its column and its row counted from the south. */
static void
map_cell_of(const struct demo_map *m, int grid, int *i, int *j)
{
    *i = (grid - 1) % m->cols;
    *j = m->rows - 1 - (grid - 1) / m->cols;
}

/* A grid's boundary as a GeoJSON Polygon, counter-clockwise (RFC 7946);
 * grid 0: the community's outline. */
static json_t *
map_polygon(const struct demo_map *m, int grid)
{
    json_t *ring = json_array();
    int ci, cj;

    if (grid) {
        map_cell_of(m, grid, &ci, &cj);
        map_edge(m, ring, ci, cj, 1, 1);     /* south, eastwards */
        map_edge(m, ring, ci + 1, cj, 0, 1); /* east, northwards */
        map_edge(m, ring, ci, cj + 1, 1, 0); /* north, westwards */
        map_edge(m, ring, ci, cj, 0, 0);     /* west, southwards */
    } else {
        for (int i = 0; i < m->cols; i++)
            map_edge(m, ring, i, 0, 1, 1);
        for (int j = 0; j < m->rows; j++)
            map_edge(m, ring, m->cols, j, 0, 1);
        for (int i = m->cols - 1; i >= 0; i--)
            map_edge(m, ring, i, m->rows, 1, 0);
        for (int j = m->rows - 1; j >= 0; j--)
            map_edge(m, ring, 0, j, 0, 0);
    }
    json_array_append_new(ring, json_deep_copy(json_array_get(ring, 0)));
    return json_pack("{s:s,s:[o]}", "type", "Polygon", "coordinates", ring);
}

/* A point of a grid's cell: fx, fy in [0, 1] span the middle 60% of it,
 * west to east and south to north (always inside the grid). */
static void
map_point(const struct demo_map *m, int grid, double fx, double fy,
          double *lon, double *lat)
{
    int i, j;

    map_cell_of(m, grid, &i, &j);
    *lon = round_to(m->lon0 + (i + .2 + .6 * fx) * m->w, 1e-6);
    *lat = round_to(m->lat0 + (j + .2 + .6 * fy) * m->h, 1e-6);
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

/* Writes one person; *out (may be NULL) receives the row id, the name and
 * whether they are a party member. */
static int
person(struct demo_ctx *c, const struct demo_community *dc,
       const char *node_code, int64_t household_id, const char *relation,
       int age, int male, int lives_alone, struct person_out *out)
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
    p.node_code = node_code;
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
    c->stats->persons++;
    if (!out)
        return store_person_insert(c->s, &p, c->now, NULL, c->err);
    out->name = p.name;
    out->party = party;
    return store_person_insert(c->s, &p, c->now, &out->id, c->err);
}

/* Remembers a resident for the party tree and the roster. */
static void
resident_add(struct demo_area *ar, int household, int age,
             const struct person_out *p)
{
    struct demo_resident *r = &ar->residents[ar->n_residents++];
    r->id = p->id;
    r->household = household;
    r->age = age;
    r->party = p->party;
    r->name = p->name;
}

/* Remembers an organisation for the year of cases. */
static void
org_remember(struct demo_area *ar, int64_t id, int grid, const char *kind,
             const char *name, double lon, double lat)
{
    if (ar->n_orgs < DEMO_ORGS_MAX)
        ar->orgs[ar->n_orgs++] = (struct demo_world_org){
            .id = id, .grid = grid, .kind = kind, .name = name, .lon = lon,
            .lat = lat};
}

/* Writes the members of the area's household hh. */
static int
household_members(struct demo_ctx *c, struct demo_area *ar,
                  const char *grid, int hh, int members)
{
    const struct demo_community *dc = ar->dc;
    int64_t hid = ar->households[hh].id;
    int head_age = age_for(c, dc), head_male = rng_chance(&c->rng, 50);
    struct person_out p;
    int rc;

    if (head_age < 18)
        head_age = rng_range(&c->rng, 25, 69);
    rc = person(c, dc, grid, hid, "02", head_age, head_male, members == 1,
                &p);
    if (!rc)
        resident_add(ar, hh, head_age, &p);
    for (int m = 1; !rc && m < members; m++) {
        int age;
        if (m == 1 && rng_chance(&c->rng, 75)) {
            age = head_age + rng_range(&c->rng, -4, 3);
            if (age < 18)
                age = 18;
            rc = person(c, dc, grid, hid, "10", age, !head_male, 0, &p);
        } else {
            int male;
            age = head_age - rng_range(&c->rng, 22, 35);
            male = rng_chance(&c->rng, 50);
            if (age < 1)
                age = rng_range(&c->rng, 1, 12);
            rc = person(c, dc, grid, hid, male ? "20" : "30", age, male, 0,
                        &p);
        }
        if (!rc)
            resident_add(ar, hh, age, &p);
    }
    return rc;
}

/* The first building of a grid (1-based): buildings are dealt to the grids
 * in runs, building b to grid b * grids / buildings + 1. */
static int
first_building(const struct demo_community *dc, int grid)
{
    return ((grid - 1) * dc->buildings + dc->grids - 1) / dc->grids;
}

static int
community(struct demo_ctx *c, const struct demo_community *dc,
          struct demo_area *ar)
{
    const char *grid;
    int64_t bid, hid;
    int rc, households_left = dc->households;
    int residents_left = dc->residents;

    ar->dc = dc;
    map_init(&ar->map, dc);
    ar->buildings = gg_arena_alloc(c->a, (size_t)dc->buildings *
                                             sizeof(*ar->buildings));
    ar->households = gg_arena_alloc(c->a, (size_t)dc->households *
                                              sizeof(*ar->households));
    /* At most 4 residents per household (2 when residents are given). */
    ar->residents = gg_arena_alloc(c->a, (size_t)dc->households * 4 *
                                             sizeof(*ar->residents));
    rc = node(c, dc->code, gg_arena_strndup(c->a, dc->code, 9),
              NODE_COMMUNITY, dc->name);
    for (int g = 1; !rc && g <= dc->grids; g++)
        rc = node(c, grid_code(c, dc, g), dc->code, NODE_GRID,
                  dc->grid_names[g - 1]);
    for (int b = 0; !rc && b < dc->buildings; b++) {
        struct store_record bl = {0};
        struct store_value *bv = bl.v;
        int share = households_left / (dc->buildings - b);
        int units = share > 16 ? 2 : 1, floors = 6;
        int g = b * dc->grids / dc->buildings + 1;
        /* The grid's buildings stand in rows inside its cell. */
        int first = first_building(dc, g);
        int n = first_building(dc, g + 1) - first;
        int cols = 1, rows, at = b - first;
        double lon, lat;

        while (cols * cols < n)
            cols++;
        rows = (n + cols - 1) / cols;
        map_point(&ar->map, g, (at % cols + .5) / cols,
                  1 - (at / cols + .5) / rows, &lon, &lat);
        grid = grid_code(c, dc, g);
        bl.node_code = grid;
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
        bv[STORE_F_BUILDING_lon] = real_value(lon);
        bv[STORE_F_BUILDING_lat] = real_value(lat);
        c->stats->buildings++;
        rc = store_record_insert(c->s, STORE_KIND_BUILDING, &bl, c->now, &bid,
                                 c->err);
        ar->buildings[ar->n_buildings++] = (struct demo_building){
            .id = bid, .grid = g, .units = units, .lon = lon, .lat = lat,
            .name = bv[STORE_F_BUILDING_name].s};
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
            ar->households[ar->n_households++] = (struct demo_household){
                .id = hid, .grid = g, .building = b,
                .unit_no = h / per_unit + 1};
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
            rc = household_members(c, ar, bl.node_code,
                                   (int)ar->n_households - 1, members);
        }
        households_left -= share;
        if (c->progress)
            c->progress(c->progress_ctx, dc->name, b + 1, dc->buildings);
    }
    for (int e = 0; !rc && e < dc->enterprises; e++) {
        struct store_record o = {0};
        char credit[CREDITCODE_LEN + 1];
        int g = e % dc->grids + 1;
        int per_grid = (dc->enterprises + dc->grids - 1) / dc->grids;
        double lon, lat;
        int64_t oid = 0;

        creditcode_make('9', '1', dc->district_code,
                        (unsigned)(71530000 + e * 37), credit);
        /* Along the south of the grid's cell; other organisations take
         * the north (see orgs()). */
        map_point(&ar->map, g, (e / dc->grids + .5) / per_grid, 0, &lon,
                  &lat);
        o.node_code = grid_code(c, dc, g);
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
        o.v[STORE_F_ORG_lon] = real_value(lon);
        o.v[STORE_F_ORG_lat] = real_value(lat);
        c->stats->orgs++;
        rc = store_record_insert(c->s, STORE_KIND_ORG, &o, c->now, &oid,
                                 c->err);
        org_remember(ar, oid, g, "enterprise", o.v[STORE_F_ORG_name].s, lon,
                     lat);
    }
    return rc;
}

/* One roster post (一网多员). */
static int
roster_post(struct demo_ctx *c, const char *node, int64_t person,
            const char *post, const char *work_phone, int64_t building_id,
            int unit_no, const int64_t *households, size_t n_households)
{
    struct store_roster m = {0};

    m.node_code = node;
    m.person_id = person;
    m.post = post;
    m.work_phone = work_phone;
    m.building_id = building_id;
    m.unit_no = unit_no;
    m.households = households;
    m.n_households = n_households;
    m.since = c->now;
    c->stats->roster++;
    return store_roster_insert(c->s, &m, NULL, c->err);
}

/* Grid staff (网格长 and 网格员) of a community, with accounts for them and
 * their service numbers (slot 1 the chief, then the workers). */
static int
grid_staff(struct demo_ctx *c, struct demo_area *ar,
           const char *account_prefix, const char *hash)
{
    const struct demo_community *dc = ar->dc;
    int rc = 0, worker = 0;

    for (int g = 1; !rc && g <= dc->grids; g++) {
        const char *grid = grid_code(c, dc, g);
        for (int k = 0; !rc && k <= dc->grid_workers_per_grid; k++) {
            const char *post, *role, *user;
            struct account_grant grant[1];
            struct person_out p;
            int64_t aid;
            int male = rng_chance(&c->rng, 50);

            rc = person(c, dc, grid, 0, NULL, rng_range(&c->rng, 28, 55),
                        male, 0, &p);
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
            c->stats->grid_members++;
            rc = roster_post(c, grid, p.id, post,
                             service_phone(c, dc, g, k + 1), 0, 0, NULL, 0);
            if (rc)
                break;
            grant[0].role = role;
            grant[0].node_code = grid;
            c->stats->accounts++;
            rc = account_create(c->s, user, p.name, hash, p.id, grid, 0,
                                grant, 1, c->now, &aid, c->err);
            if (k == 0)
                ar->chiefs[g] = (struct demo_account_ref){aid, role, grid};
            else if (ar->n_workers[g] < DEMO_GRID_WORKERS_MAX)
                ar->workers[g][ar->n_workers[g]++] =
                    (struct demo_account_ref){aid, role, grid};
        }
    }
    return rc;
}

/* ---- what comes after the registry: boundaries, party tree, roster,
 * further organisations ---- */

static int
boundary_put(struct demo_ctx *c, const char *code, json_t *geometry)
{
    struct store_geometry g = {0};
    struct geo_shape *shape = NULL;
    char *text = NULL;
    int rc = geo_polygon_parse(geometry, "geometry", &shape, c->err);

    if (!rc)
        rc = geo_shape_area_m2(shape, &g.area_m2, c->err);
    if (!rc) {
        text = geo_shape_to_text(shape, NULL);
        geo_shape_bbox(shape, g.bbox);
        g.node_code = code;
        g.geojson = text;
        c->stats->geometries++;
        rc = store_geometry_put(c->s, &g, c->now, c->err);
    }
    free(text);
    geo_shape_free(shape);
    json_decref(geometry);
    return rc;
}

/* The community's outline and every grid's but the undrawn one. */
static int
boundaries(struct demo_ctx *c, const struct demo_area *ar)
{
    const struct demo_community *dc = ar->dc;
    int rc = boundary_put(c, dc->code, map_polygon(&ar->map, 0));

    for (int g = 1; !rc && g <= dc->grids; g++)
        if (g != dc->undrawn_grid)
            rc = boundary_put(c, grid_code(c, dc, g), map_polygon(&ar->map, g));
    return rc;
}

static int
party_org(struct demo_ctx *c, const char *node, int64_t parent,
          const char *kind, const char *name, int64_t *id)
{
    struct store_record r = {0};

    r.node_code = node;
    if (parent)
        r.v[STORE_F_PARTY_ORG_parent_id] =
            (struct store_value){.set = 1, .i = parent};
    r.v[STORE_F_PARTY_ORG_kind] = text_value(kind);
    r.v[STORE_F_PARTY_ORG_name] = text_value(name);
    c->stats->party_orgs++;
    return store_record_insert(c->s, STORE_KIND_PARTY_ORG, &r, c->now, id,
                               c->err);
}

static int
party_member(struct demo_ctx *c, int64_t org, const char *node,
             int64_t person_id, const char *duty, const char *joined_on,
             int center_household)
{
    struct store_party_member m = {0};

    m.party_org_id = org;
    m.person_id = person_id;
    m.node_code = node;
    m.duty = duty;
    m.joined_on = joined_on;
    m.center_household = center_household;
    return store_party_member_put(c->s, &m, c->now, c->err);
}

/* When a member of this age joined: at 18 or later, last year at the
 * latest; NULL for those too young to say. */
static const char *
joined_on(struct demo_ctx *c, int age)
{
    int year, month, day;

    if (age < 19)
        return NULL;
    year = c->this_year - age + rng_range(&c->rng, 18, age < 46 ? age - 1 : 45);
    month = rng_range(&c->rng, 1, 12);
    day = rng_range(&c->rng, 1, 28);
    return gg_arena_printf(c->a, "%04d-%02d-%02d", year, month, day);
}

/*
 * The party tree laid over the grid (多网合一): the community's 党委; per
 * grid a 党支部 of the grid's residents who are party members (secretary,
 * deputy, one more on the branch committee, every fifth a 党员中心户)
 * whose secretary sits on the 党委; and one or two 楼院党小组 per
 * branch, each the members living in a run of the grid's buildings, the
 * first of them leading it (duty secretary: 党小组组长). Only persons
 * already tagged 党员 are taken, so no tag needs adding; every demo grid
 * has well over a dozen.
 */
static int
party_tree(struct demo_ctx *c, const struct demo_area *ar)
{
    static const char *const duties[] = {"secretary", "deputy", "committee"};
    const struct demo_community *dc = ar->dc;
    const struct demo_resident **members;
    const char **joined;
    int64_t committee, branch, group;
    int rc;

    members = gg_arena_alloc(c->a, ar->n_residents * sizeof(*members));
    joined = gg_arena_alloc(c->a, ar->n_residents * sizeof(*joined));
    rc = party_org(c, dc->code, 0, "committee",
                   gg_arena_printf(c->a, "%s党委", dc->name), &committee);
    for (int g = 1; !rc && g <= dc->grids; g++) {
        const char *grid = grid_code(c, dc, g);
        int first = first_building(dc, g), n_b;
        int groups;
        size_t n = 0;

        n_b = first_building(dc, g + 1) - first;
        for (size_t i = 0; i < ar->n_residents; i++) {
            const struct demo_resident *r = &ar->residents[i];
            if (r->party && ar->households[r->household].grid == g)
                members[n++] = r;
        }
        rc = party_org(c, grid, committee, "branch",
                       gg_arena_printf(c->a, "%s党支部",
                                       dc->grid_names[g - 1]),
                       &branch);
        for (size_t i = 0; !rc && i < n; i++) {
            joined[i] = joined_on(c, members[i]->age);
            c->stats->party_members++;
            rc = party_member(c, branch, grid, members[i]->id,
                              i < GG_ARRAY_LEN(duties) ? duties[i] : "member",
                              joined[i], i % 5 == 2);
        }
        if (!rc && n)
            rc = party_member(c, committee, dc->code, members[0]->id,
                              g <= 2 ? duties[g - 1] : "committee", joined[0],
                              0);
        groups = rng_range(&c->rng, 1, 2);
        for (int q = 0; !rc && q < groups; q++) {
            int from = first + q * n_b / groups;
            int to = first + (q + 1) * n_b / groups; /* exclusive */
            int lead = 1;

            rc = party_org(c, grid, branch, "group",
                           from + 1 == to
                               ? gg_arena_printf(c->a, "%s%d号楼党小组",
                                                 dc->grid_names[g - 1],
                                                 from + 1)
                               : gg_arena_printf(c->a, "%s%d—%d号楼党小组",
                                                 dc->grid_names[g - 1],
                                                 from + 1, to),
                           &group);
            for (size_t i = 0; !rc && i < n; i++) {
                int b = ar->households[members[i]->household].building;
                if (b < from || b >= to)
                    continue;
                rc = party_member(c, group, grid, members[i]->id,
                                  lead ? "secretary" : "member", joined[i], 0);
                lead = 0;
            }
        }
    }
    return rc;
}

/* What pick() looks for among a grid's residents. */
struct pick {
    int grid;
    int age_lo, age_hi;
    int building;          /* index in the area's list; -1: any */
    int unit_no;           /* 0: any */
    size_t h_from, h_to;   /* households [h_from, h_to); h_to 0: any */
};

/* The first resident from a random place on who matches and holds no post
 * in the grid yet (used[0..*n_used)), then added to used; 0 if none. */
static int64_t
pick(struct demo_ctx *c, const struct demo_area *ar, const struct pick *p,
     int64_t *used, size_t *n_used)
{
    size_t start;

    if (!ar->n_residents)
        return 0;
    start = (size_t)rng_range(&c->rng, 0, (int)ar->n_residents - 1);
    for (size_t k = 0; k < ar->n_residents; k++) {
        const struct demo_resident *r =
            &ar->residents[(start + k) % ar->n_residents];
        const struct demo_household *h = &ar->households[r->household];
        size_t u = 0;

        if (h->grid != p->grid || r->age < p->age_lo || r->age > p->age_hi ||
            (p->building >= 0 && h->building != p->building) ||
            (p->unit_no && h->unit_no != p->unit_no) ||
            (p->h_to && ((size_t)r->household < p->h_from ||
                         (size_t)r->household >= p->h_to)))
            continue;
        while (u < *n_used && used[u] != r->id)
            u++;
        if (u < *n_used)
            continue;
        used[(*n_used)++] = r->id;
        return r->id;
    }
    return 0;
}

/* pick(), and failing that anyone of working age in the grid, then any
 * adult: the elderly 长沙社区 has few of working age. */
static int64_t
pick_or_near(struct demo_ctx *c, const struct demo_area *ar,
             const struct pick *p, int64_t *used, size_t *n_used)
{
    struct pick any = {.grid = p->grid, .age_lo = 18, .age_hi = 75,
                       .building = -1};
    int64_t id = pick(c, ar, p, used, n_used);

    if (!id)
        id = pick(c, ar, &any, used, n_used);
    if (!id) {
        any.age_hi = 120;
        id = pick(c, ar, &any, used, n_used);
    }
    return id;
}

/* A person from outside the community (police, officers, workers): no
 * household, written at a grid they serve like the grid staff (every
 * person of a community is in one of its grids, as the statistics by grid
 * expect). */
static int
outsider(struct demo_ctx *c, const struct demo_community *dc,
         const char *node, int age_lo, int age_hi, int male_pct,
         struct person_out *p)
{
    int age = rng_range(&c->rng, age_lo, age_hi);
    int male = rng_chance(&c->rng, male_pct);

    return person(c, dc, node, 0, NULL, age, male, 0, p);
}

/*
 * The rest of each grid's roster (一网多员), besides its chief and workers:
 * from the residents, one or two household-link chiefs (联户长) with 5-10
 * neighbouring households each, a building chief, a unit chief and the
 * four duty posts; and from outside, the community police officers (社区
 * 民警, one for up to three grids), a law-enforcement and an
 * urban-management officer for the community and a sanitation worker per
 * grid. Chiefs and police carry service numbers for the care card.
 */
static int
roster(struct demo_ctx *c, const struct demo_area *ar)
{
    static const char *const duty_posts[] = {"publicity", "safety",
                                             "mediation", "patrol"};
    const struct demo_community *dc = ar->dc;
    int officers = (dc->grids + 2) / 3;
    int64_t police[MAP_COLS_MAX * MAP_ROWS_MAX] = {0}, law = 0, urban = 0;
    struct person_out p = {0};
    int rc = 0;

    /* Officer k serves grids (g - 1) * officers / grids == k, from the
     * first of them. */
    for (int k = 0; !rc && k < officers; k++) {
        int g = (k * dc->grids + officers - 1) / officers + 1;
        rc = outsider(c, dc, grid_code(c, dc, g), 28, 50, 80, &p);
        police[k] = p.id;
    }
    if (!rc)
        rc = outsider(c, dc, grid_code(c, dc, 1), 28, 50, 70, &p);
    law = p.id;
    if (!rc)
        rc = outsider(c, dc, grid_code(c, dc, 1), 28, 55, 60, &p);
    urban = p.id;
    for (int g = 1; !rc && g <= dc->grids; g++) {
        const char *grid = grid_code(c, dc, g);
        int first = first_building(dc, g);
        int n_b = first_building(dc, g + 1) - first;
        size_t h0 = 0, h1, at, n_used = 0;
        int64_t used[32], id;
        int chiefs = rng_range(&c->rng, 1, 2), b;

        while (h0 < ar->n_households && ar->households[h0].grid != g)
            h0++;
        h1 = h0;
        while (h1 < ar->n_households && ar->households[h1].grid == g)
            h1++;
        /* The grid's first resident holds no post: the API tests take
         * them as "someone of this grid" to give posts to. */
        for (size_t i = 0; i < ar->n_residents; i++)
            if (ar->households[ar->residents[i].household].grid == g) {
                used[n_used++] = ar->residents[i].id;
                break;
            }
        at = h0 + (size_t)rng_range(&c->rng, 1, 4);
        for (int q = 0; !rc && q < chiefs; q++) {
            size_t n = (size_t)rng_range(&c->rng, 5, 10);
            struct pick near = {.grid = g, .age_lo = 18, .age_hi = 75,
                                .building = -1, .h_from = at,
                                .h_to = at + n};
            int64_t *hh;

            if (at + n > h1)
                break;
            hh = gg_arena_alloc(c->a, n * sizeof(*hh));
            for (size_t i = 0; i < n; i++)
                hh[i] = ar->households[at + i].id;
            id = pick_or_near(c, ar, &near, used, &n_used);
            if (id)
                rc = roster_post(c, grid, id, "household_chief",
                                 service_phone(c, dc, g, 10 + q), 0, 0, hh,
                                 n);
            at += n + (size_t)rng_range(&c->rng, 0, 3);
        }
        b = first + rng_range(&c->rng, 0, n_b - 1);
        {
            struct pick in_b = {.grid = g, .age_lo = 18, .age_hi = 75,
                                .building = b};
            id = pick_or_near(c, ar, &in_b, used, &n_used);
            if (!rc && id)
                rc = roster_post(c, grid, id, "building_chief", NULL,
                                 ar->buildings[b].id, 0, NULL, 0);
        }
        b = first + rng_range(&c->rng, 0, n_b - 1);
        {
            struct pick in_u = {.grid = g, .age_lo = 18, .age_hi = 75,
                                .building = b};
            in_u.unit_no = rng_range(&c->rng, 1, ar->buildings[b].units);
            id = pick_or_near(c, ar, &in_u, used, &n_used);
            if (!rc && id)
                rc = roster_post(c, grid, id, "unit_chief", NULL,
                                 ar->buildings[b].id, in_u.unit_no, NULL, 0);
        }
        for (size_t k = 0; !rc && k < GG_ARRAY_LEN(duty_posts); k++) {
            struct pick able = {.grid = g, .age_lo = 25, .age_hi = 70,
                                .building = -1};
            id = pick_or_near(c, ar, &able, used, &n_used);
            if (id)
                rc = roster_post(c, grid, id, duty_posts[k], NULL, 0, 0, NULL,
                                 0);
        }
        if (!rc) {
            int k = (g - 1) * officers / dc->grids;
            rc = roster_post(c, grid, police[k], "police",
                             service_phone(c, dc, 0, 10 + k), 0, 0, NULL, 0);
        }
        if (!rc)
            rc = roster_post(c, grid, law, "law_enforcement", NULL, 0, 0,
                             NULL, 0);
        if (!rc)
            rc = roster_post(c, grid, urban, "urban_management", NULL, 0, 0,
                             NULL, 0);
        if (!rc)
            rc = outsider(c, dc, grid, 35, 60, 50, &p);
        if (!rc)
            rc = roster_post(c, grid, p.id, "sanitation", NULL, 0, 0, NULL, 0);
    }
    return rc;
}

/* An organisation along the north of its grid's cell (the enterprises
 * have the south). */
static int
org_add(struct demo_ctx *c, struct demo_area *ar, int grid, const char *kind,
        const char *name, const char *credit, const char *address,
        const char *contact, const char *from, const char *to)
{
    struct store_record o = {0};
    double lon, lat;
    int64_t id = 0;
    int rc;

    map_point(&ar->map, grid, (ar->org_slots[grid]++ + .5) / 6, 1, &lon,
              &lat);
    o.node_code = grid_code(c, ar->dc, grid);
    o.v[STORE_F_ORG_kind] = text_value(kind);
    o.v[STORE_F_ORG_name] = text_value(name);
    o.v[STORE_F_ORG_credit_code] = text_value(credit);
    o.v[STORE_F_ORG_address] = text_value(address);
    o.v[STORE_F_ORG_lon] = real_value(lon);
    o.v[STORE_F_ORG_lat] = real_value(lat);
    o.v[STORE_F_ORG_contact] = text_value(contact);
    o.v[STORE_F_ORG_agreement_from] = text_value(from);
    o.v[STORE_F_ORG_agreement_to] = text_value(to);
    c->stats->orgs++;
    rc = store_record_insert(c->s, STORE_KIND_ORG, &o, c->now, &id, c->err);
    org_remember(ar, id, grid, kind, name, lon, lat);
    return rc;
}

static const char *
credit_code(struct demo_ctx *c, char authority, char type, const char *region,
            unsigned serial)
{
    char code[CREDITCODE_LEN + 1];

    creditcode_make(authority, type, region, serial, code);
    return gg_arena_strdup(c->a, code);
}

/* Two merchants (商户) per grid; the property company (物业公司) in grid 1,
 * the social organisation in grid 2, and the street's two co-building
 * units (共建单位) in grids 1 and 2, with agreements from last January to
 * the end of next year. */
static int
orgs(struct demo_ctx *c, struct demo_area *ar)
{
    const struct demo_community *dc = ar->dc;
    const char *name, *contact;
    int rc = 0, k = 0;

    for (int g = 1; !rc && g <= dc->grids; g++)
        for (int m = 0; !rc && m < 2; m++, k++) {
            const char *word = PICK(&c->rng, org_words);
            name = gg_arena_printf(c->a, "%s%s", word,
                                   PICK(&c->rng, shop_kinds));
            contact = gg_arena_printf(c->a, "%s老板", PICK(&c->rng, surnames));
            rc = org_add(c, ar, g, "merchant", name,
                         credit_code(c, '9', '2', dc->district_code,
                                     (unsigned)(72530000 + k * 41)),
                         gg_arena_printf(c->a, "%s%d号商铺",
                                         dc->address_prefix, 200 + k),
                         contact, NULL, NULL);
        }
    if (!rc) {
        const char *word = PICK(&c->rng, org_words);
        name = gg_arena_printf(c->a, "%s%s物业服务有限公司", word,
                               PICK(&c->rng, org_words));
        contact = gg_arena_printf(c->a, "%s经理", PICK(&c->rng, surnames));
        rc = org_add(c, ar, 1, "property", name,
                     credit_code(c, '9', '1', dc->district_code, 73530011),
                     gg_arena_printf(c->a, "%s物业服务中心",
                                     dc->address_prefix),
                     contact, NULL, NULL);
    }
    if (!rc) {
        contact = gg_arena_printf(c->a, "%s会长", PICK(&c->rng, surnames));
        rc = org_add(c, ar, 2, "social", dc->social_name,
                     credit_code(c, '5', '1', dc->district_code, 74530013),
                     gg_arena_printf(c->a, "%s党群服务中心",
                                     dc->address_prefix),
                     contact, NULL, NULL);
    }
    for (int i = 0; !rc && i < 2; i++) {
        contact = gg_arena_printf(c->a, "%s主任", PICK(&c->rng, surnames));
        rc = org_add(c, ar, i + 1, "cobuild", dc->cobuild[i].name,
                     credit_code(c, dc->cobuild[i].authority,
                                 dc->cobuild[i].type, dc->district_code,
                                 (unsigned)(75530000 + i * 43)),
                     NULL, contact,
                     gg_arena_printf(c->a, "%04d-01-01", c->this_year - 1),
                     gg_arena_printf(c->a, "%04d-12-31", c->this_year + 1));
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
static const struct demo_cobuild sh_cobuild[] = {
    {"延平区人民检察院", '1', '1'}, {"延平区第二实验小学", '1', '2'}};
static const struct demo_cobuild dm_cobuild[] = {
    {"泰山区市场监督管理局", '1', '1'}, {"泰山区实验学校", '1', '2'}};

/* ---- for the case engine: service providers, the district's departments
 * (区级部门), the service catalogue (服务清单) and residents' accounts;
 * then the working calendar and a year of cases (demo_cases.c). These
 * draw from the seed after everything above. ---- */

/* The departments and the catalogue exist before the year of cases
 * begins (a year back from now). */
#define DEMO_CASES_SINCE (400 * 86400)

/* A service provider besides a community's social organisation, property
 * company and merchants: the health station, the canteen for the
 * elderly (长者食堂) and the street's legal service office. */
struct demo_provider {
    const char *name, *kind, *title;
    int grid;
    char authority, type;
};

static const struct demo_provider dh_providers[] = {
    {"东湖社区卫生服务站", "unit", "站长", 3, '1', '2'},
    {"东湖社区长者食堂", "merchant", "经理", 4, '9', '2'},
    {"岱庙街道法律服务所", "unit", "主任", 5, '1', '2'},
};
static const struct demo_provider cs_providers[] = {
    {"长沙社区卫生服务站", "unit", "站长", 3, '1', '2'},
    {"长沙社区老年食堂", "merchant", "经理", 3, '9', '2'},
    {"四鹤街道司法所", "unit", "所长", 2, '1', '1'},
};

static int
providers(struct demo_ctx *c, struct demo_area *ar,
          const struct demo_provider *p, size_t n)
{
    const struct demo_community *dc = ar->dc;
    int rc = 0;

    for (size_t i = 0; !rc && i < n; i++) {
        const char *contact =
            gg_arena_printf(c->a, "%s%s", PICK(&c->rng, surnames), p[i].title);
        rc = org_add(c, ar, p[i].grid, p[i].kind, p[i].name,
                     credit_code(c, p[i].authority, p[i].type,
                                 dc->district_code,
                                 (unsigned)(76530000 + i * 53)),
                     gg_arena_printf(c->a, "%s%d号", dc->address_prefix,
                                     300 + (int)i),
                     contact, NULL, NULL);
    }
    return rc;
}

/* The district departments of 泰山区 and who acts for each: 城管 is the
 * demo's ts_department; the others get an account each. */
static const struct {
    enum demo_department key;
    const char *name, *phone, *duty, *username, *display_name;
} ts_departments[] = {
    {DEMO_DEPT_URBAN, "区城管局", "0538-6226110",
     "市容环境、占道经营、违法建设、户外广告、环卫和市政设施",
     "ts_department", NULL},
    {DEMO_DEPT_POLICE, "公安泰山分局", "0538-6223110",
     "社会治安、治安类矛盾纠纷、流动人口、犬只管理", "ts_police", "孟庆海"},
    {DEMO_DEPT_FIRE, "区消防救援大队", "0538-6225119",
     "消防安全检查、火灾隐患整改、消防通道", "ts_fire", "高志远"},
    {DEMO_DEPT_CIVIL, "区民政局", "0538-6221234",
     "低保特困、养老服务、社会救助、婚姻家庭和社会组织", "ts_civil",
     "刘慧敏"},
    {DEMO_DEPT_HOUSING, "区住建局", "0538-6227890",
     "房屋安全、物业管理、燃气、老旧小区改造、建筑施工", "ts_housing",
     "张国栋"},
    {DEMO_DEPT_MARKET, "区市场监管局", "0538-6229315",
     "食品安全、特种设备、价格和消费纠纷", "ts_market", "袁丽娜"},
};

static int
departments(struct demo_ctx *c, const char *hash, int64_t ts_department,
            struct demo_world *w)
{
    int64_t since = c->now - DEMO_CASES_SINCE;
    int rc = 0;

    for (size_t i = 0; !rc && i < GG_ARRAY_LEN(ts_departments); i++) {
        struct store_record r = {0};
        struct account_grant grant[1] = {{"department_staff", "370902"}};
        int64_t id = 0, member = ts_department;
        enum demo_department k = ts_departments[i].key;

        r.node_code = "370902";
        r.v[STORE_F_DEPARTMENT_name] = text_value(ts_departments[i].name);
        r.v[STORE_F_DEPARTMENT_phone] = text_value(ts_departments[i].phone);
        r.v[STORE_F_DEPARTMENT_duty] = text_value(ts_departments[i].duty);
        c->stats->departments++;
        rc = store_record_insert(c->s, STORE_KIND_DEPARTMENT, &r, since, &id,
                                 c->err);
        if (!rc && ts_departments[i].display_name) {
            c->stats->accounts++;
            rc = account_create(c->s, ts_departments[i].username,
                                ts_departments[i].display_name, hash, 0,
                                "370902", 0, grant, 1, c->now, &member,
                                c->err);
        }
        if (!rc)
            rc = store_department_member_put(c->s, id, member, since, c->err);
        w->departments[k] = id;
        w->dept_members[k] =
            (struct demo_account_ref){member, "department_staff", "370902"};
    }
    return rc;
}

/* A community's catalogue: provider names one of the providers above,
 * "social", "property", "cobuild:N" (the street's N-th 共建单位) or
 * "shop:KIND" (a merchant of that kind, or else the social
 * organisation). */
struct demo_service {
    const char *category, *name, *provider, *description, *price;
    int active;
};

static const struct demo_service dh_services[] = {
    {"meals", "长者助餐（堂食）", "东湖社区长者食堂",
     "60岁以上老人到长者食堂就餐，一荤两素一汤。", "每餐10元，70岁以上6元", 1},
    {"meals", "送餐上门", "东湖社区长者食堂",
     "为行动不便的高龄、独居老人送午餐上门。", "每餐12元（含配送）", 1},
    {"rehab", "康复理疗", "东湖社区卫生服务站",
     "推拿、针灸、理疗，康复师可上门。", "医保报销后每次约20元", 1},
    {"rehab", "慢病康复指导", "东湖社区卫生服务站",
     "高血压、糖尿病患者的饮食和运动指导。", "免费", 1},
    {"medical", "家庭医生上门巡诊", "东湖社区卫生服务站",
     "签约家庭医生上门测血压血糖、调整用药。", "签约居民免费", 1},
    {"nursing", "上门护理", "东湖社区卫生服务站",
     "换药、管路护理、压疮护理等。", "每次30元起", 1},
    {"training", "智能手机使用培训", "social",
     "教老人用手机挂号、视频通话、识别诈骗。", "免费", 1},
    {"training", "书法绘画兴趣班", "cobuild:1",
     "共建学校教师周六上午授课。", "每学期100元", 1},
    {"legal", "法律咨询", "岱庙街道法律服务所",
     "每周三下午律师在社区坐班，解答婚姻家庭、继承、劳动等问题。", "免费",
     1},
    {"counselling", "心理疏导", "social", "心理咨询师一对一倾听和疏导。",
     "免费", 1},
    {"housekeeping", "家政保洁", "property", "日常保洁、家电清洗。",
     "每小时40元", 1},
    {"housekeeping", "水电小修", "property", "水龙头、电路、下水道等小修。",
     "上门费20元，材料另计", 1},
    {"errands", "代购代办", "social", "志愿者为老人代买药品、代缴水电费。",
     "免费", 1},
    {"other", "上门理发", "shop:理发店", "为卧床、行动不便的老人上门理发。",
     "每次15元", 1},
    {"training", "老年大学春季班", "cobuild:1", "本期已结课，下期另行通知。",
     "每学期200元", 0},
};
static const struct demo_service cs_services[] = {
    {"meals", "老年助餐", "长沙社区老年食堂", "午餐、晚餐，可堂食可自取。",
     "每餐8元，80岁以上免费", 1},
    {"meals", "送餐上门", "长沙社区老年食堂", "为独居、失能老人送餐上门。",
     "每餐10元", 1},
    {"nursing", "上门护理", "长沙社区卫生服务站",
     "换药、测血压血糖、用药指导。", "每次20元起", 1},
    {"medical", "家庭医生签约服务", "长沙社区卫生服务站",
     "签约医生定期随访，慢病长处方。", "免费", 1},
    {"rehab", "康复保健", "长沙社区卫生服务站", "中医理疗、康复训练指导。",
     "医保报销后每次约15元", 1},
    {"counselling", "空巢老人心理慰藉", "social",
     "老年协会志愿者定期上门陪伴聊天。", "免费", 1},
    {"legal", "法律咨询", "四鹤街道司法所", "解答赡养、继承、房产等问题。",
     "免费", 1},
    {"errands", "代购代办", "social", "代买药品和生活用品、代缴费用。", "免费",
     1},
    {"housekeeping", "家政服务", "property", "保洁、小修。", "每小时35元", 1},
    {"training", "防诈骗知识讲座", "cobuild:0", "检察官讲解常见诈骗手段。",
     "免费", 1},
};

static int64_t
provider_of(const struct demo_area *ar, const char *want)
{
    int64_t social = 0;
    int nth = -1;

    if (!strncmp(want, "cobuild:", 8))
        nth = want[8] - '0';
    for (size_t i = 0; i < ar->n_orgs; i++) {
        const struct demo_world_org *o = &ar->orgs[i];
        if (!strcmp(o->kind, "social"))
            social = o->id;
        if (!strcmp(o->name, want) || !strcmp(o->kind, want) ||
            (!strcmp(o->kind, "cobuild") && nth-- == 0) ||
            (!strncmp(want, "shop:", 5) && !strcmp(o->kind, "merchant") &&
             strlen(o->name) > strlen(want + 5) &&
             !strcmp(o->name + strlen(o->name) - strlen(want + 5), want + 5)))
            return o->id;
    }
    return social;
}

static int
services(struct demo_ctx *c, const struct demo_area *ar,
         const struct demo_service *sv, size_t n,
         struct demo_world_community *wc)
{
    struct demo_world_service *out =
        gg_arena_alloc(c->a, n * sizeof(*out));
    int rc = 0;

    for (size_t i = 0; !rc && i < n; i++) {
        struct store_record r = {0};
        int64_t id = 0, provider = provider_of(ar, sv[i].provider);

        r.node_code = ar->dc->code;
        r.v[STORE_F_SERVICE_category] = text_value(sv[i].category);
        r.v[STORE_F_SERVICE_name] = text_value(sv[i].name);
        if (provider)
            r.v[STORE_F_SERVICE_provider_id] =
                (struct store_value){.set = 1, .i = provider};
        r.v[STORE_F_SERVICE_description] = text_value(sv[i].description);
        r.v[STORE_F_SERVICE_price] = text_value(sv[i].price);
        r.v[STORE_F_SERVICE_active] =
            (struct store_value){.set = 1, .i = sv[i].active};
        c->stats->services++;
        rc = store_record_insert(c->s, STORE_KIND_SERVICE, &r,
                                 c->now - DEMO_CASES_SINCE, &id, c->err);
        if (sv[i].active)
            out[wc->n_services++] = (struct demo_world_service){
                id, sv[i].category, sv[i].name, provider};
    }
    wc->services = out;
    return rc;
}

/*
 * What the year of cases needs to know of a community: its grids (their
 * staff, a few residents with accounts of their own, who report and
 * rate, and residents' names for the parties of disputes), buildings and
 * organisations. Two residents per grid get an account (prefix_res01 ...,
 * the demo password), linked to their person.
 */
static int
world_community(struct demo_ctx *c, const struct demo_area *ar,
                const char *prefix, const char *hash,
                struct demo_world_community *wc)
{
    const struct demo_community *dc = ar->dc;
    struct demo_world_building *b;
    struct demo_world_org *o;
    int rc = 0, n_accounts = 0;

    wc->code = dc->code;
    wc->name = dc->name;
    wc->address_prefix = dc->address_prefix;
    wc->n_grids = (size_t)dc->grids;
    b = gg_arena_alloc(c->a, ar->n_buildings * sizeof(*b));
    for (size_t i = 0; i < ar->n_buildings; i++)
        b[i] = (struct demo_world_building){
            ar->buildings[i].id, ar->buildings[i].grid - 1,
            ar->buildings[i].units, ar->buildings[i].lon,
            ar->buildings[i].lat, ar->buildings[i].name};
    wc->buildings = b;
    wc->n_buildings = ar->n_buildings;
    o = gg_arena_alloc(c->a, ar->n_orgs * sizeof(*o));
    for (size_t i = 0; i < ar->n_orgs; i++) {
        o[i] = ar->orgs[i];
        o[i].grid--; /* 0-based there */
    }
    wc->orgs = o;
    wc->n_orgs = ar->n_orgs;
    for (int g = 1; !rc && g <= dc->grids; g++) {
        struct demo_world_grid *gr = &wc->grids[g - 1];
        size_t start = (size_t)rng_range(&c->rng, 0,
                                         (int)ar->n_residents - 1);

        gr->code = grid_code(c, dc, g);
        gr->drawn = g != dc->undrawn_grid;
        map_point(&ar->map, g, 0, 0, &gr->box[0], &gr->box[1]);
        map_point(&ar->map, g, 1, 1, &gr->box[2], &gr->box[3]);
        gr->chief = ar->chiefs[g];
        for (size_t i = 0; i < ar->n_workers[g]; i++)
            gr->workers[i] = ar->workers[g][i];
        gr->n_workers = ar->n_workers[g];
        gr->n_full = gr->n_workers < 2 ? gr->n_workers : 2;
        gr->names = gg_arena_alloc(c->a, 40 * sizeof(*gr->names));
        for (size_t k = 0; !rc && k < ar->n_residents; k++) {
            const struct demo_resident *r =
                &ar->residents[(start + k) % ar->n_residents];
            struct account_grant grant[1] = {{"resident", gr->code}};
            int64_t id;

            if (ar->households[r->household].grid != g || r->age < 18)
                continue;
            if (gr->n_names < 40)
                gr->names[gr->n_names++] = r->name;
            if (gr->n_residents >= 2 || r->age < 25 || r->age > 80)
                continue;
            c->stats->accounts++;
            rc = account_create(c->s,
                                gg_arena_printf(c->a, "%s_res%02d", prefix,
                                                ++n_accounts),
                                r->name, hash, r->id, gr->code, 0, grant, 1,
                                c->now, &id, c->err);
            gr->residents[gr->n_residents++] =
                (struct demo_account_ref){id, "resident", gr->code};
        }
    }
    return rc;
}

/* The account of a demo_accounts entry as the year of cases sees it. */
static struct demo_account_ref
demo_account_ref(const int64_t *ids, const char *username)
{
    for (size_t i = 0; i < GG_ARRAY_LEN(demo_accounts); i++)
        if (!strcmp(demo_accounts[i].username, username))
            return (struct demo_account_ref){ids[i], demo_accounts[i].role,
                                             demo_accounts[i].node};
    return (struct demo_account_ref){0, NULL, NULL};
}

/* The case engine's part of the demo, after everything else. */
static int
cases_part(struct demo_ctx *c, struct demo_area *cs, struct demo_area *dh,
           const int64_t *ids, const char *hash,
           const struct gg_config *cfg)
{
    struct demo_world w;
    struct demo_world_community *wcs = &w.communities[0];
    struct demo_world_community *wdh = &w.communities[1];
    struct demo_cases_stats cst = {0};
    struct demo_world_grid *g1;
    int rc;

    memset(&w, 0, sizeof(w));
    w.s = c->s;
    w.keys = c->keys;
    w.cfg = cfg;
    w.now = c->now;
    w.rng = &c->rng.s;
    w.n_communities = 2;
    rc = providers(c, cs, cs_providers, GG_ARRAY_LEN(cs_providers));
    if (!rc)
        rc = providers(c, dh, dh_providers, GG_ARRAY_LEN(dh_providers));
    if (!rc)
        rc = departments(c, hash,
                         demo_account_ref(ids, "ts_department").id, &w);
    if (!rc)
        rc = services(c, cs, cs_services, GG_ARRAY_LEN(cs_services), wcs);
    if (!rc)
        rc = services(c, dh, dh_services, GG_ARRAY_LEN(dh_services), wdh);
    if (!rc)
        rc = world_community(c, cs, "cs", hash, wcs);
    if (!rc)
        rc = world_community(c, dh, "dh", hash, wdh);
    if (rc)
        return rc;
    /* 长沙社区 in 延平区: no department of the demo serves it. */
    wcs->issues = 60;
    wcs->disputes = 16;
    wcs->hazards = 8;
    wcs->orders = 45;
    wcs->secretary = demo_account_ref(ids, "cs_secretary");
    wcs->street = demo_account_ref(ids, "sh_center");
    wcs->district = demo_account_ref(ids, "yp_district");
    /* 东湖社区: the street's year (和平街道's 121 disputes and 26 hazards
     * at about its scale). */
    wdh->issues = 320;
    wdh->disputes = 121;
    wdh->hazards = 26;
    wdh->orders = 90;
    wdh->departments = 1;
    wdh->secretary = demo_account_ref(ids, "dh_secretary");
    wdh->worker = demo_account_ref(ids, "dh_worker");
    wdh->volunteer = demo_account_ref(ids, "dh_volunteer");
    wdh->street = demo_account_ref(ids, "dh_admin");
    wdh->district = demo_account_ref(ids, "ts_district");
    g1 = &wdh->grids[0];
    g1->residents[g1->n_residents++] = demo_account_ref(ids, "dh_resident");
    g1->residents[g1->n_residents++] = demo_account_ref(ids, "dh_household");
    rc = demo_calendar(c->s, &c->stats->calendar_days, c->err);
    if (!rc)
        rc = demo_cases(&w, &cst, c->err);
    c->stats->cases = cst.cases;
    c->stats->cases_open = cst.open;
    c->stats->case_actions = cst.actions;
    c->stats->photos = cst.photos;
    c->stats->case_alerts = cst.alerts;
    return rc;
}

int
demo_load(struct store *s, const struct gg_keys *keys,
          const struct gg_config *cfg, int64_t now,
          demo_progress_fn progress, void *progress_ctx,
          struct demo_stats *stats, struct gg_err *err)
{
    struct demo_ctx c = {0};
    struct demo_area cs = {0}, dh = {0};
    int64_t ids[GG_ARRAY_LEN(demo_accounts)];
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
    static const struct demo_community changsha = {
        .name = "长沙社区",
        .district_code = "350702",
        .code = "350702004005",
        .address_prefix = "福建省南平市延平区四鹤街道长沙社区",
        .grids = 4,
        .grid_names = cs_grids,
        .buildings = 38,
        .households = 582,
        .residents = 970,
        .elderly_pct = 72,
        .floating_pct = 2,
        .enterprises = 30,
        .grid_workers_per_grid = 2,
        .lon = 118.1700,
        .lat = 26.6400,
        .cols = 2,
        .rows = 2,
        .width = 0.0060,
        .height = 0.0040,
        .undrawn_grid = 4,
        .phone_area = "0599",
        .phone_exchange = "861",
        .social_name = "长沙社区老年协会",
        .cobuild = sh_cobuild,
    };
    static const struct demo_community donghu = {
        .name = "东湖社区",
        .district_code = "370902",
        .code = "370902001007",
        .address_prefix = "山东省泰安市泰山区岱庙街道东湖社区",
        .grids = 6,
        .grid_names = dh_grids,
        .buildings = 36,
        .households = 864,
        .residents = 0,
        .elderly_pct = 18,
        .floating_pct = 12,
        .enterprises = 0,
        .grid_workers_per_grid = 4,
        .lon = 117.1300,
        .lat = 36.1900,
        .cols = 3,
        .rows = 2,
        .width = 0.0090,
        .height = 0.0050,
        .undrawn_grid = 0,
        .phone_area = "0538",
        .phone_exchange = "823",
        .social_name = "东湖社区红格子志愿服务队",
        .cobuild = dm_cobuild,
    };

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
        rc = community(&c, &changsha, &cs);
    if (!rc)
        rc = community(&c, &donghu, &dh);
    if (!rc)
        rc = grid_staff(&c, &cs, "cs", hash);
    if (!rc)
        rc = grid_staff(&c, &dh, "dh", hash);
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
        ids[i] = id;
    }
    /* Everything above draws from the seed as it always did; what follows
     * comes after it (see the top of this file). */
    if (!rc)
        rc = boundaries(&c, &cs);
    if (!rc)
        rc = boundaries(&c, &dh);
    if (!rc)
        rc = party_tree(&c, &cs);
    if (!rc)
        rc = party_tree(&c, &dh);
    if (!rc)
        rc = roster(&c, &cs);
    if (!rc)
        rc = roster(&c, &dh);
    if (!rc)
        rc = orgs(&c, &cs);
    if (!rc)
        rc = orgs(&c, &dh);
    if (!rc)
        rc = cases_part(&c, &cs, &dh, ids, hash, cfg);
    if (!rc)
        rc = store_commit(s, err);
    if (rc && store_rollback(s, NULL))
        gg_log(GG_LOG_ERROR, "demo", "op=rollback failed=1");
out:
    gg_arena_free(c.a);
    return rc;
}
