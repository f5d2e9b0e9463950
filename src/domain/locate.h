/*
 * locate.h - which grid a point lies in (定位到网格), for every record with
 * a location: buildings, organisations, and later reported cases.
 *
 * A grid_locator keeps a point -> grid index (domain/geo.h, cell index)
 * over the stored boundaries of the live grids, and rebuilds it when the
 * store's geometry sequence says a boundary changed since. One locator
 * belongs to one thread (the server keeps one per worker; the importer its
 * own): it is not locked.
 */
#ifndef DOMAIN_LOCATE_H
#define DOMAIN_LOCATE_H

#include "store/store.h"

struct grid_locator;

struct grid_locator *grid_locator_new(void);
void grid_locator_free(struct grid_locator *l); /* NULL-safe */

/* The grid covering (lon, lat): its code in *code (in a), or NULL when no
 * grid's boundary covers the point. GG_EINVAL (field) for a point out of
 * range; store errors as they come. */
int grid_locate(struct grid_locator *l, struct store *s, double lon,
                double lat, const char *field, struct gg_arena *a,
                const char **code, struct gg_err *err)
    __attribute__((warn_unused_result));

#endif
