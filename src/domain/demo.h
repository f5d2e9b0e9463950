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
 * Names, ID numbers (valid GB 11643 check digits) and phones come from a
 * fixed-seed generator: every run writes the same people. All of it is
 * written in one transaction into an empty database.
 */
#ifndef DOMAIN_DEMO_H
#define DOMAIN_DEMO_H

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
};

typedef void (*demo_progress_fn)(void *ctx, const char *stage, int64_t done,
                                 int64_t total);

int demo_load(struct store *s, const struct gg_keys *keys, int64_t now,
              demo_progress_fn progress, void *progress_ctx,
              struct demo_stats *stats, struct gg_err *err)
    __attribute__((warn_unused_result));

#endif
