/*
 * case.h - the case engine (事件 · 矛盾纠纷 · 安全隐患 · 服务订单): one
 * engine, each family a table of (state, action, next state, who may,
 * fields required) in case_flow.def.
 *
 * The loop: report (the point's grid found by the caller; a suggested
 * duplicate when an open case of the same category lies within 50 m and
 * 24 h) -> accept or reject (立案) -> dispatch to a person, a duty post, a
 * department or a provider -> handle and report back -> verify (pass or
 * rework) -> close -> the reporter rates. Also reassign, withdraw, merge,
 * reopen within case_reopen_days, escalate a level up (小事不出网格，大事
 * 上报街道) and summon departments, who each check in and report their
 * part before the case may close (街道吹哨、部门报到).
 *
 * Every action writes the case (version checked), one case_log row, the
 * notifications it causes and the points it gives, together: in its own
 * transaction, or inside the caller's when ctx->in_tx (group commit).
 * Deadlines come from case_rules and the working calendar; the sweep marks
 * cases yellow at 75 % and red when past due and notifies the assignee and
 * the grid chief.
 */
#ifndef DOMAIN_CASE_H
#define DOMAIN_CASE_H

#include <jansson.h>

#include "core/gg_workcal.h"
#include "domain/account.h"

enum case_family {
#define CASE_FAMILY(id, name, zh) CF_##id,
#include "domain/case_names.def"
#undef CASE_FAMILY
    CF__COUNT
};
enum case_state {
#define CASE_STATE(id, name, zh) CS_##id,
#include "domain/case_names.def"
#undef CASE_STATE
    CS__COUNT
};
enum case_action {
#define CASE_ACTION(id, name, zh) CA_##id,
#include "domain/case_names.def"
#undef CASE_ACTION
    CA__COUNT
};

/* Who may take an action. */
enum {
    W_REPORTER = 1 << 0,  /* the account that reported it */
    W_HOLDER = 1 << 1,    /* staff at the case's level or above, over it */
    W_ASSIGNEE = 1 << 2,  /* the person, post or department dispatched */
    W_SUMMONED = 1 << 3,  /* a summoned department that has not reported */
    W_SUMMONER = 1 << 4,  /* the street (or above) over it: case.summon */
    W_STAFF = 1 << 5,     /* any staff who can see it: case.handle */
};

/* What an action needs in its body. */
enum {
    N_NOTE = 1 << 0,
    N_ASSIGNEE = 1 << 1,
    N_RATING = 1 << 2,
    N_OUTCOME = 1 << 3,
    N_DEADLINE = 1 << 4,
    N_DEPARTMENTS = 1 << 5,
    N_DUPLICATE = 1 << 6,
    N_PHOTOS = 1 << 7,
};

struct case_flow {
    enum case_family family;
    enum case_state from;
    enum case_action action;
    enum case_state to; /* CS__COUNT: the same */
    unsigned who, need;
};

/* The whole table, in the order of case_flow.def. */
const struct case_flow *case_flows(size_t *n);
const struct case_flow *case_flow_find(enum case_family f,
                                       enum case_state from,
                                       enum case_action a);

const char *case_family_name(enum case_family f);
const char *case_state_name(enum case_state s);
const char *case_action_name(enum case_action a);
const char *case_family_zh(enum case_family f);
const char *case_state_zh(enum case_state s);
const char *case_action_zh(enum case_action a);
int case_family_parse(const char *s, enum case_family *out);
int case_state_parse(const char *s, enum case_state *out);
int case_action_parse(const char *s, enum case_action *out);

/* Choice lists ("code:中文,...") of categories per family, sources,
 * outcomes; registry_choice_code() reads them. */
#define CASE_ISSUE_CATEGORIES                                                 \
    "public_facility:公用设施,road_traffic:道路交通,"                          \
    "environment_facility:市容环境设施,greening:园林绿化,"                     \
    "housing_land:房屋土地,other_facility:其他设施,sanitation:市容环境,"       \
    "advertising:宣传广告,construction:施工管理,emergency:突发事件,"           \
    "street_order:街面秩序,other_event:其他事件,public_security:社会治安,"     \
    "fire_safety:消防安全,food_safety:食品安全,eco_environment:生态环境,"      \
    "livelihood:民生服务,special_groups:特殊人群,property_management:物业管理"
#define CASE_DISPUTE_CATEGORIES                                               \
    "marriage_family:婚姻家庭,neighbourhood:邻里纠纷,property:物业纠纷,"       \
    "labour:劳动争议,contract:合同债务,land:土地山林,demolition:征地拆迁,"     \
    "consumer:消费纠纷,traffic:交通事故,medical:医疗纠纷,other:其他纠纷"
#define CASE_HAZARD_CATEGORIES                                                \
    "fire:消防安全,gas:燃气安全,electrical:用电安全,building:房屋建筑,"        \
    "production:安全生产,food:食品安全,traffic:交通安全,geological:地质灾害,"  \
    "special_equipment:特种设备,other:其他隐患"
#define CASE_SERVICE_CATEGORIES                                               \
    "meals:助餐送餐,rehab:康复保健,training:技艺培训,legal:法律咨询,"          \
    "counselling:心理辅导,medical:医疗服务,housekeeping:家政服务,"             \
    "errands:代购代办,nursing:上门护理,other:其他服务"
#define CASE_SOURCES                                                          \
    "resident:居民反映,patrol:网格员发现,hotline:热线,department:部门,"        \
    "alarm:告警"
#define CASE_OUTCOMES                                                         \
    "success:调解成功,partial:部分成功,failed:调解失败,litigation:转诉讼/仲裁"
#define CASE_URGENCIES "1:一般,2:紧急,3:特急"

const char *case_categories(enum case_family f);

/* What a report or an action carries (the API reads it from a JSON body,
 * checking types and limits); strings live in the caller's arena. */
struct case_input {
    /* report */
    enum case_family family;
    const char *category, *source, *title, *description, *address;
    const char *node_code; /* where, when no point (or a micro-grid) */
    int urgency;
    int has_point;
    double lon, lat;
    const char *contact_name, *contact_phone;
    int64_t building_id, org_id, service_id;
    const char *parties;   /* disputes: JSON array of names */
    /* action */
    enum case_action action;
    int64_t version;
    const char *note;
    const char *assignee_kind; /* account post department org */
    int64_t assignee_id;
    const char *assignee_post;
    int rating;
    const char *outcome, *agreement;
    const char *deadline;  /* hazards: rectify by YYYY-MM-DD */
    int64_t departments[16];
    size_t n_departments;
    int64_t duplicate_of;
    const char *photos[9]; /* hashes of uploaded photos */
    size_t n_photos;
};

/* What the engine needs beyond the account context. */
struct case_env {
    const struct account_ctx *ctx;
    struct gg_workcal cal;  /* spans and tz; days are loaded per use */
    int reopen_days;
};

/* An event for live pages, after the transaction committed. */
struct case_event {
    int64_t account_id;     /* a notification for this account; 0: none */
    int64_t notification_id;
    const char *kind;       /* case.dispatched case.alert.red ... */
    int64_t case_id;
};

#define CASE_EVENTS_MAX 128

/* The result of a report, an action or a sweep. */
struct case_result {
    struct store_case *c;
    int64_t duplicates[8];  /* suggested, on a report */
    size_t n_duplicates;
    struct case_event events[CASE_EVENTS_MAX];
    size_t n_events;
};

/* Reports a case. The point's grid (when in->has_point) is in grid (NULL:
 * the point lies in no grid): the case goes there. */
int case_report(const struct case_env *env, const struct account_who *who,
                const struct case_input *in, const char *grid,
                struct case_result *res, struct gg_err *err)
    __attribute__((warn_unused_result));

/* Takes an action on case id. GG_ECONFLICT (409) when the action is not
 * allowed in the case's state (err->arg lists those that are) or the
 * version is stale; GG_EFORBIDDEN when who may not take it; GG_ENOTFOUND
 * when who may not see the case. */
int case_act(const struct case_env *env, const struct account_who *who,
             int64_t id, const struct case_input *in, struct case_result *res,
             struct gg_err *err) __attribute__((warn_unused_result));

/* Whether who may see case c; *who_bits gets who's relations to it. */
int case_visible(const struct case_env *env, const struct account_who *who,
                 const struct store_case *c, unsigned *who_bits,
                 struct gg_err *err) __attribute__((warn_unused_result));

/* The actions who may take on c now (into out, at most CA__COUNT). */
size_t case_actions_for(const struct store_case *c, unsigned who_bits,
                        enum case_action *out);

/* The case as the API shows it: fields, names, clocks, the 闭环预警
 * timeline and the actions allowed for who_bits. */
json_t *case_json(const struct store_case *c, unsigned who_bits, int64_t now);

/* Marks cases whose clock crossed 75 % or its due time (at most limit per
 * call) and notifies; *marked counts them. */
int case_sweep(const struct case_env *env, int limit, size_t *marked,
               struct case_result *res, struct gg_err *err)
    __attribute__((warn_unused_result));

/* The working calendar between two unix times, loaded into env->cal from
 * calendar_days (days in ctx->a). */
int case_calendar_load(struct case_env *env, int64_t from, int64_t to,
                       struct gg_err *err) __attribute__((warn_unused_result));

/* The deadlines of a case reported at c->reported_at (rule, calendar). */
int case_deadlines(const struct case_env *env, struct store_case *c,
                   struct gg_err *err) __attribute__((warn_unused_result));

/* The point rules of the ledger (积分规则). */
struct case_point_rule {
    const char *reason;
    int points;
    const char *zh;
};
const struct case_point_rule *case_point_rules(size_t *n);

#endif
