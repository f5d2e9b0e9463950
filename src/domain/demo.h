/*
 * demo.h - the deterministic demo data set, modelled on DOMAIN.md:
 * 延平区四鹤街道长沙社区 (38 buildings, 582 households, 970 residents, most
 * over 70; 30 enterprises) and 泰山区岱庙街道东湖社区 (6 grids with 24 grid
 * workers), under their real county codes, with demo accounts.
 *
 * Everything the registry shows has something in the demo: drawn
 * boundaries for both communities and their grids (grids tile their
 * community along shared borders; 长沙社区's last grid is left undrawn so
 * the coverage report has a gap to show), every building inside its own
 * grid, a party tree per community (社区党委 → 网格党支部 → 党小组, with
 * the grid's residents tagged 党员 as members and some 党员中心户), a full
 * roster per grid (一网多员: household-link, building and unit chiefs, the
 * four duty posts, police, law enforcement, sanitation and urban
 * management) with published service numbers for the care card, and
 * merchants, property companies, social organisations and co-building
 * units (共建单位) with their locations.
 *
 * For the case engine: the six district departments of 泰山区 (城管, 公安,
 * 消防, 民政, 住建, 市场监管) with an account each (ts_department is 城管's),
 * two residents' accounts per grid, a service catalogue per community with
 * its providers (a health station, a canteen for the elderly, a legal
 * service office besides the social organisation, property company,
 * co-building units and merchants), the working calendar of 2026, and a
 * year of cases ending at `now`, run through the engine by the demo's
 * accounts (demo_cases.h).
 *
 * Names, ID numbers (valid GB 11643 check digits) and phones come from a
 * fixed-seed generator: every run writes the same people, and the same
 * year of cases relative to `now`. All of it is written in one
 * transaction into an empty database; the cases' photos go to the photo
 * directory.
 */
#ifndef DOMAIN_DEMO_H
#define DOMAIN_DEMO_H

#include "core/gg_config.h"
#include "core/gg_crypto.h"
#include "store/store.h"

#define DEMO_PASSWORD "Gridgov@Demo2026"

struct demo_stats {
    int64_t nodes, buildings, households, persons, orgs, accounts,
        grid_members; /* roster posts of grid chiefs and grid workers */
    int64_t geometries;    /* node boundaries */
    int64_t party_orgs;    /* 党委, 党支部 and 党小组 */
    int64_t party_members; /* persons in the party tree (each once) */
    int64_t roster;        /* every roster post, grid_members included */
    int64_t departments;   /* 区级部门 */
    int64_t services;      /* the service catalogues' entries */
    int64_t calendar_days; /* the working calendar's exceptions */
    int64_t cases;         /* the year of cases ... */
    int64_t cases_open;    /* ... still open at `now` */
    int64_t case_actions;  /* reports and actions (case_log rows) */
    int64_t photos;
    int64_t case_alerts;   /* yellow or red marks by the sweep */
};

typedef void (*demo_progress_fn)(void *ctx, const char *stage, int64_t done,
                                 int64_t total);

/* Loads the demo at `now` in one transaction. cfg gives the working
 * hours and the reopening days the year of cases runs on, and the photo
 * directory its photos are stored in (photo_dir()). */
int demo_load(struct store *s, const struct gg_keys *keys,
              const struct gg_config *cfg, int64_t now,
              demo_progress_fn progress, void *progress_ctx,
              struct demo_stats *stats, struct gg_err *err)
    __attribute__((warn_unused_result));

#endif
