/*
 * boundary.h - the drawn boundaries of communities and grids (网格边界) and
 * the checks the map makes on them (domain/geo.h does the geometry).
 *
 * A grid's boundary must be a valid polygon, lie inside its community's
 * boundary (when the community has one) up to within_m metres, and overlap
 * no sibling grid by more than overlap_m2 square metres. Every change bumps
 * the node's version (so two people drawing at once get a conflict) and is
 * written to the node's history with the areas before and after.
 */
#ifndef DOMAIN_BOUNDARY_H
#define DOMAIN_BOUNDARY_H

#include <jansson.h>

#include "domain/account.h"

struct boundary_tolerance {
    double overlap_m2; /* siblings may overlap this much */
    double within_m;   /* a grid may reach this far outside its community */
};

/* Sets the boundary of a community or grid from a GeoJSON geometry; who
 * holds registry.write. GG_EINVAL field "geometry" names why it was
 * refused; GG_ECONFLICT for a stale version; GG_ENOTFOUND outside scope.
 * *area_m2 gets the new area. */
int boundary_set(const struct account_ctx *ctx, const struct account_who *who,
                 const char *code, int64_t version, const json_t *geometry,
                 const struct boundary_tolerance *tol, double *area_m2,
                 struct gg_err *err) __attribute__((warn_unused_result));
int boundary_clear(const struct account_ctx *ctx,
                   const struct account_who *who, const char *code,
                   int64_t version, struct gg_err *err)
    __attribute__((warn_unused_result));

/* The coverage of a community by its grids: *out = {area_m2, covered_m2,
 * gaps: FeatureCollection, overlaps: [{a, b, area_m2}], missing: [code]}
 * (grids without a boundary are listed in missing). The node must be in
 * scope and have a boundary (GG_EINVAL field "code" otherwise). */
int boundary_coverage(const struct account_ctx *ctx,
                      const struct account_who *who, const char *code,
                      const struct boundary_tolerance *tol, json_t **out,
                      struct gg_err *err) __attribute__((warn_unused_result));

#endif
