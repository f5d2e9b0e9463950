/*
 * demo_cases.h - the demo's year of cases (used by demo.c only): the
 * working calendar of 2026, and a year of 事件, 矛盾纠纷, 安全隐患 and
 * 服务订单 ending at the demo's `now`, every one of them reported and
 * handled through the case engine (domain/case.h) by the demo's accounts,
 * with the clock moving forward through the year: the rows, the log, the
 * deadlines, the inboxes, the points and the photos are what the engine
 * writes when people use it. The deadline sweep runs as the server's
 * timer would (a minute after a case's next alert), and once more at
 * `now`.
 *
 * demo.c describes what it wrote (grids, accounts, buildings,
 * organisations, departments, the service catalogue) in a struct
 * demo_world; everything is written inside demo.c's transaction, and the
 * choices come from demo.c's generator, so two runs tell the same year.
 */
#ifndef DOMAIN_DEMO_CASES_H
#define DOMAIN_DEMO_CASES_H

#include "core/gg_config.h"
#include "core/gg_crypto.h"
#include "store/store.h"

#define DEMO_GRIDS_MAX 16
#define DEMO_GRID_WORKERS_MAX 8
#define DEMO_GRID_RESIDENTS_MAX 8

/* An account and the one role it acts in. */
struct demo_account_ref {
    int64_t id;
    const char *role, *node;
};

struct demo_world_grid {
    const char *code;
    int drawn;       /* has a boundary: cases there are located by a point */
    double box[4];   /* min lon, lat, max lon, lat: well inside the grid */
    struct demo_account_ref chief;                  /* 网格长 */
    struct demo_account_ref workers[DEMO_GRID_WORKERS_MAX]; /* 网格员 */
    size_t n_workers, n_full; /* the first n_full are full-time (专职) */
    struct demo_account_ref residents[DEMO_GRID_RESIDENTS_MAX];
    size_t n_residents;
    const char **names; /* some residents' names (dispute parties) */
    size_t n_names;
};

struct demo_world_building {
    int64_t id;
    int grid; /* index in the community's grids */
    int units;
    double lon, lat;
    const char *name;
};

struct demo_world_org {
    int64_t id;
    int grid;
    const char *kind, *name;
    double lon, lat;
};

struct demo_world_service {
    int64_t id;
    const char *category, *name;
    int64_t provider; /* organisation; 0: none */
};

struct demo_world_community {
    const char *code, *name, *address_prefix;
    int issues, disputes, hazards, orders; /* cases in the year */
    struct demo_world_grid grids[DEMO_GRIDS_MAX];
    size_t n_grids;
    const struct demo_world_building *buildings;
    size_t n_buildings;
    const struct demo_world_org *orgs;
    size_t n_orgs;
    const struct demo_world_service *services; /* active ones */
    size_t n_services;
    struct demo_account_ref secretary, worker; /* worker.id 0: none */
    struct demo_account_ref volunteer;         /* id 0: none */
    struct demo_account_ref street, district;
    int departments; /* the district's departments serve it (吹哨) */
};

/* The district departments (区级部门), in the order of
 * demo_department_keys. */
enum demo_department {
    DEMO_DEPT_URBAN,    /* 城管 */
    DEMO_DEPT_POLICE,   /* 公安 */
    DEMO_DEPT_FIRE,     /* 消防 */
    DEMO_DEPT_CIVIL,    /* 民政 */
    DEMO_DEPT_HOUSING,  /* 住建 */
    DEMO_DEPT_MARKET,   /* 市场监管 */
    DEMO_DEPT__COUNT
};

struct demo_world {
    struct store *s;
    const struct gg_keys *keys;
    const struct gg_config *cfg; /* work_hours, case_reopen_days, photos */
    int64_t now;
    uint64_t *rng;               /* demo.c's generator state */
    struct demo_world_community communities[2];
    size_t n_communities;
    int64_t departments[DEMO_DEPT__COUNT];
    struct demo_account_ref dept_members[DEMO_DEPT__COUNT];
};

/* What the year wrote. */
struct demo_cases_stats {
    int64_t calendar_days, cases, open, actions, notifications, photos,
        alerts; /* cases the sweeps turned yellow or red */
};

/* Writes the working calendar of 2026 (calendar_days). */
int demo_calendar(struct store *s, int64_t *days, struct gg_err *err)
    __attribute__((warn_unused_result));

/* Reports and handles the year of cases ending at w->now; call it inside
 * the caller's transaction, after demo_calendar. */
int demo_cases(const struct demo_world *w, struct demo_cases_stats *st,
               struct gg_err *err) __attribute__((warn_unused_result));

#endif
