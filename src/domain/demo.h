/*
 * demo.h - the deterministic demo data set, modelled on DOMAIN.md:
 * 延平区四鹤街道长沙社区 (38 buildings, 582 households, 970 residents, most
 * over 70; 30 enterprises) and 泰山区岱庙街道东湖社区 (6 grids with 24 grid
 * workers), under their real county codes, with demo accounts.
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
        grid_members;
};

typedef void (*demo_progress_fn)(void *ctx, const char *stage, int64_t done,
                                 int64_t total);

int demo_load(struct store *s, const struct gg_keys *keys, int64_t now,
              demo_progress_fn progress, void *progress_ctx,
              struct demo_stats *stats, struct gg_err *err)
    __attribute__((warn_unused_result));

#endif
