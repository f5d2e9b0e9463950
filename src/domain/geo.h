/*
 * geo.h - grid geometry (网格边界): polygons from GeoJSON, the checks the
 * registry makes on them, and the point -> grid lookup that routes a
 * reported location to its grid.
 *
 * Pure domain logic over GEOS (libgeos_c, the re-entrant _r API only): no
 * SQL, no HTTP. Coordinates are WGS84 [lon, lat] in degrees, as in GeoJSON
 * (RFC 7946). Shapes crossing the antimeridian are not supported.
 *
 * Shapes. A struct geo_shape is a validated Polygon or MultiPolygon held as
 * plain arrays of coordinates (no GEOS object lives in it), owned by the
 * caller and freed with geo_shape_free(). Once built it is never written
 * again, so any number of threads may read one shape at the same time.
 * Every coordinate is rounded to GEO_COORD_SCALE (1e-9 degree, about
 * 0.1 mm) when parsed, and the shape is validated after rounding: what is
 * stored is exactly what was checked, and the GeoJSON written back parses
 * to the identical shape (see geo_shape_to_text()).
 *
 * Storage format: GeoJSON text (geo_shape_to_text()), not WKB. The same
 * text is what the API accepts and the map endpoint serves, it reads in
 * the sqlite3 shell and in exports, it needs nothing from the database
 * (no PostGIS, no SpatiaLite) so SQLite and PostgreSQL store it alike, and
 * with coordinates on the 1e-9 grid it round-trips exactly. WKB would be
 * smaller and faster to decode, but shapes are decoded once when the lookup
 * index is (re)built, which takes milliseconds for a city.
 *
 * Metric results (metres, square metres) use a local equirectangular
 * projection centred on the shapes involved: x = (lon - lon0) * mx,
 * y = (lat - lat0) * my, with mx, my the lengths of one degree of longitude
 * and latitude at lat0 on the WGS84 ellipsoid (the usual cosine series).
 * Over a community or a street (a few km) the scale error is below 0.1%;
 * over a whole city (tens of km north-south) a few tenths of a percent.
 * Good for checking tolerances and reporting gaps, not for surveying.
 *
 * GEOS and threads. Every function that calls GEOS opens its own GEOS
 * context (GEOS_init_r) for the duration of the call and shares no GEOS
 * object with any other call, so all of them may run in many threads at
 * once. GEOS failures (exceptions inside GEOS) become GG_EINTERNAL with
 * MSG_GEO_FAILED; GEOS's own message goes to the log. Nothing here aborts
 * on bad input.
 *
 * Errors: GG_EINVAL (with the caller's field name) for bad input,
 * GG_ETOOBIG for text over GEO_TEXT_MAX, GG_ENOTFOUND from lookups,
 * GG_EINTERNAL when GEOS fails.
 */
#ifndef DOMAIN_GEO_H
#define DOMAIN_GEO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/gg_err.h"

/* Limits for one shape (a Polygon or a whole MultiPolygon). Vertices do not
 * count the closing position of each ring. */
#define GEO_MAX_VERTICES 10000
#define GEO_MAX_RINGS 100
/* Longest GeoJSON text geo_polygon_parse_text() accepts, and its nesting. */
#define GEO_TEXT_MAX (4u << 20)
#define GEO_JSON_MAX_DEPTH 16
/* Coordinates are rounded to multiples of 1 / GEO_COORD_SCALE degree. */
#define GEO_COORD_SCALE 1e9

struct geo_shape;

/*
 * Reads a GeoJSON geometry object of type "Polygon" or "MultiPolygon", or a
 * "Feature" whose "geometry" is one ("properties" and other members are
 * ignored). Positions are [lon, lat] or [lon, lat, altitude] (altitude
 * dropped). Rings must have at least 4 positions and be closed (first ==
 * last); the shape must be valid in the OGC sense (GEOS isValid: no
 * self-intersection, holes inside their shell, parts not overlapping).
 * Ring orientation is kept as given (RFC 7946 asks writers, not readers,
 * for counter-clockwise shells).
 *
 * On success *out is a new shape (free with geo_shape_free()). On failure
 * *out is NULL and GG_EINVAL comes back with `field` and one of
 * MSG_GEO_NOT_POLYGON, MSG_GEO_COORD_RANGE, MSG_GEO_RING_OPEN,
 * MSG_GEO_TOO_FEW_POINTS, MSG_GEO_TOO_MANY_VERTICES, MSG_GEO_TOO_MANY_RINGS,
 * MSG_GEO_SELF_INTERSECTION, MSG_GEO_HOLE_OUTSIDE, MSG_GEO_NESTED,
 * MSG_GEO_DISCONNECTED, MSG_GEO_INVALID; the argument names the place
 * (e.g. "coordinates[0][5]", or "117.1 36.2" for a validity error).
 * GG_EINTERNAL when GEOS fails. Thread-safe.
 */
int geo_polygon_parse(const json_t *geojson, const char *field,
                      struct geo_shape **out, struct gg_err *err)
    __attribute__((warn_unused_result));
/* The same from text (a request body, a stored value): also GG_ETOOBIG over
 * GEO_TEXT_MAX bytes, and the JSON errors of gg_json_parse(). */
int geo_polygon_parse_text(const char *text, size_t len, const char *field,
                           struct geo_shape **out, struct gg_err *err)
    __attribute__((warn_unused_result));
void geo_shape_free(struct geo_shape *s); /* NULL-safe */

/* The shape as a new GeoJSON geometry object ("Polygon" or "MultiPolygon",
 * the type it was read as; a Feature comes back as its geometry). The
 * caller owns the reference (json_decref()). Never NULL. */
json_t *geo_shape_to_json(const struct geo_shape *s);
/* Compact GeoJSON text for storage, NUL-terminated, in memory the caller
 * free()s; *len (may be NULL) gets its length. Every coordinate is on the
 * 1e-9 grid and printed with 15 significant digits, which reproduces that
 * decimal exactly, so geo_polygon_parse_text() gives back the same shape. */
char *geo_shape_to_text(const struct geo_shape *s, size_t *len);

/* The bounding box in degrees: out = {min_lon, min_lat, max_lon, max_lat}. */
void geo_shape_bbox(const struct geo_shape *s, double out[4]);
/* Vertices, not counting each ring's closing position. */
size_t geo_shape_vertices(const struct geo_shape *s);
/* Area in square metres (local projection, see above). */
int geo_shape_area_m2(const struct geo_shape *s, double *area_m2,
                      struct gg_err *err) __attribute__((warn_unused_result));
/*
 * Whether the shape covers the point (inside or on its boundary), asked of
 * GEOS directly with no index: slow (the GEOS geometry is built per call),
 * the reference that tests and benchmarks check the index against.
 */
int geo_shape_covers(const struct geo_shape *s, double lon, double lat,
                     bool *covers, struct gg_err *err)
    __attribute__((warn_unused_result));

/* Checks a point: finite, lon in [-180, 180], lat in [-90, 90].
 * GG_EINVAL with `field` and MSG_GEO_COORD_RANGE otherwise. */
int geo_point_check(double lon, double lat, const char *field,
                    struct gg_err *err) __attribute__((warn_unused_result));

/*
 * Checks for the registry (all thread-safe, all GG_EINTERNAL on a GEOS
 * failure, all in metres through the local projection).
 *
 * geo_within(): *within = every point of inner lies inside outer or at most
 * tolerance_m metres outside it (inner is covered by outer grown by
 * tolerance_m; 0 means no tolerance). *outside_m2 (may be NULL) gets the
 * area of inner outside outer itself, to show how far off a shape is.
 */
int geo_within(const struct geo_shape *inner, const struct geo_shape *outer,
               double tolerance_m, bool *within, double *outside_m2,
               struct gg_err *err) __attribute__((warn_unused_result));
/* The area both shapes cover, in m² (0 for shapes that only touch). Two
 * sibling grids may overlap by a sliver where their borders were drawn
 * separately; the caller compares this with its tolerance. */
int geo_overlap_area_m2(const struct geo_shape *a, const struct geo_shape *b,
                        double *area_m2, struct gg_err *err)
    __attribute__((warn_unused_result));
/*
 * The part of parent that none of children[0..n) covers: "which part of
 * the community belongs to no grid". Gap polygons narrower than
 * tolerance_m everywhere (slivers between borders drawn separately) are
 * dropped: a gap is kept when shrinking it by tolerance_m / 2 leaves
 * something. *area_m2 is the total area of the kept gaps; *gaps (may be
 * NULL) a new GeoJSON MultiPolygon of them (coordinates [] when there is
 * none) that the caller json_decref()s, coordinates on the 1e-9 grid.
 */
int geo_coverage_gaps(const struct geo_shape *parent,
                      const struct geo_shape *const *children, size_t n,
                      double tolerance_m, double *area_m2, json_t **gaps,
                      struct gg_err *err) __attribute__((warn_unused_result));

/*
 * The point -> grid lookup index.
 *
 * GEO_INDEX_CELLS (the one to use): a uniform grid of cells over the
 * shapes' extent, each cell listing the shapes whose bounding box meets it
 * (in ascending id order, flagged when the cell lies wholly inside the
 * shape), and per shape its segments in horizontal bands. A lookup finds
 * the cell, and for each candidate either takes the flag or counts ray
 * crossings over the one band of segments the point's latitude falls in.
 * The crossing test is GEOS's own (RayCrossingCounter, with GEOS's
 * orientation filter; the rare case the filter cannot decide is handed to
 * GEOSOrientationIndex_r), so answers are exactly GEOS's "covers". After
 * the build the index is plain read-only memory: lookups take no lock and
 * may run in any number of threads at once. On one core of the 2-core
 * development machine: ~12 million lookups/s over 10,000 grids against
 * ~1.3 million for the STRtree below (bench/grid_lookup.sh).
 *
 * GEO_INDEX_STRTREE: GEOSSTRtree_create_r over GEOSPrepare_r'd geometries,
 * kept for comparison (the benchmark) and as a cross-check in the tests.
 * GEOS prepared geometries and STRtrees build internal indexes lazily on
 * first use, which makes concurrent queries on shared ones unsafe; so this
 * index owns one GEOS context and its lookups take a mutex: safe from many
 * threads, but one at a time.
 *
 * Either way: shapes are copied (the caller keeps and frees its own), ids
 * must be distinct (GG_EINVAL otherwise), a point is in a grid when the
 * grid covers it (inside or on the border), and on a border shared by
 * several grids (or where siblings overlap) the lowest id wins, so every
 * point has one deterministic answer.
 */
enum geo_index_kind {
    GEO_INDEX_CELLS = 0,
    GEO_INDEX_STRTREE,
    GEO_INDEX__COUNT
};

struct geo_index;

int geo_index_build(const struct geo_shape *const *shapes, const int64_t *ids,
                    size_t n, enum geo_index_kind kind, struct geo_index **out,
                    struct gg_err *err) __attribute__((warn_unused_result));
/* The id of the grid covering (lon, lat): 0, or GG_ENOTFOUND when no grid
 * covers it (also for points outside WGS84's range or not finite);
 * GG_EINTERNAL if GEOS fails. err may be NULL. Thread-safe. */
int geo_index_lookup(const struct geo_index *idx, double lon, double lat,
                     int64_t *id, struct gg_err *err)
    __attribute__((warn_unused_result));
size_t geo_index_size(const struct geo_index *idx);
void geo_index_free(struct geo_index *idx); /* NULL-safe */

#endif
