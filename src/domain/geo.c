/*
 * geo.c - grid geometry over GEOS; see geo.h for the contracts.
 *
 * Shapes are kept as our own arrays, not as GEOS objects: GEOS geometries
 * are built per call inside a per-call GEOS context, so nothing GEOS owns
 * is ever shared between threads (except inside a GEO_INDEX_STRTREE index,
 * behind its mutex).
 */
#define GEOS_USE_ONLY_R_API
#include "core/gg.h"

#include <geos_c.h>
#include <math.h>
#include <pthread.h>

#include "core/gg_json.h"
#include "core/gg_log.h"
#include "core/gg_mem.h"
#include "domain/geo.h"

struct geo_shape {
    bool multi; /* read as a MultiPolygon */
    uint32_t n_polys;
    uint32_t n_rings;
    uint32_t n_points;    /* closing positions included */
    uint32_t *poly_ring;  /* n_polys + 1: polygon p owns rings [p], [p + 1] */
    uint32_t *ring_point; /* n_rings + 1: ring r owns points [r], [r + 1] */
    double *xy;           /* n_points (lon, lat) pairs */
    double bbox[4];
};

/* ------------------------------------------------------------ GEOS glue */

struct geo_ctx {
    GEOSContextHandle_t h;
    char msg[200];
};

static void
geo_ctx_on_message(const char *message, void *userdata)
{
    struct geo_ctx *c = userdata;
    size_t i;

    /* Keep the log line parseable: no quotes, no control characters. */
    snprintf(c->msg, sizeof(c->msg), "%s", message ? message : "");
    for (i = 0; c->msg[i]; i++) {
        if (c->msg[i] == '"' || (unsigned char)c->msg[i] < 0x20)
            c->msg[i] = '\'';
    }
}

static int
geo_ctx_open(struct geo_ctx *c, struct gg_err *err)
{
    c->msg[0] = '\0';
    c->h = GEOS_init_r();
    if (!c->h) {
        gg_log(GG_LOG_ERROR, "geo.geos", "op=init");
        return gg_fail(err, GG_EINTERNAL, "", MSG_GEO_FAILED);
    }
    GEOSContext_setErrorMessageHandler_r(c->h, geo_ctx_on_message, c);
    return 0;
}

static void
geo_ctx_close(struct geo_ctx *c)
{
    if (c->h)
        GEOS_finish_r(c->h);
    c->h = NULL;
}

/* A GEOS call failed (GEOS threw): log its message, report GG_EINTERNAL. */
static int
geo_ctx_fail(struct geo_ctx *c, const char *op, struct gg_err *err)
{
    gg_log(GG_LOG_ERROR, "geo.geos", "op=%s msg=\"%s\"", op, c->msg);
    return gg_fail(err, GG_EINTERNAL, "", MSG_GEO_FAILED);
}

/* ------------------------------------------------------- the projection */

/* Local equirectangular projection to metres around (lon0, lat0). */
struct geo_proj {
    double lon0, lat0;
    double mx, my; /* metres per degree of longitude / latitude at lat0 */
};

static void
geo_proj_init(struct geo_proj *pj, const double bbox[4])
{
    double phi;

    pj->lon0 = (bbox[0] + bbox[2]) / 2;
    pj->lat0 = (bbox[1] + bbox[3]) / 2;
    phi = pj->lat0 * M_PI / 180;
    /* WGS84 lengths of a degree (the series used in surveying tables). */
    pj->my = 111132.92 - 559.82 * cos(2 * phi) + 1.175 * cos(4 * phi) -
             0.0023 * cos(6 * phi);
    pj->mx = 111412.84 * cos(phi) - 93.5 * cos(3 * phi) + 0.118 * cos(5 * phi);
    if (pj->mx < 1)
        pj->mx = 1; /* at the poles; no grid is drawn there */
}

static void
geo_bbox_union(const double a[4], const double b[4], double out[4])
{
    out[0] = fmin(a[0], b[0]);
    out[1] = fmin(a[1], b[1]);
    out[2] = fmax(a[2], b[2]);
    out[3] = fmax(a[3], b[3]);
}

static bool
geo_bbox_meet(const double a[4], const double b[4])
{
    return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/* Coordinates live on the 1e-9 degree grid (see geo.h). Exact for
 * |v| <= 180: v * 1e9 < 2^53, and the division rounds correctly to the
 * double a parser gives for the decimal k * 1e-9. */
static double
geo_round(double v)
{
    return round(v * GEO_COORD_SCALE) / GEO_COORD_SCALE;
}

/*
 * Builds the GEOS geometry of a shape, projected to metres when pj is
 * given. NULL when GEOS fails (the caller reports it).
 */
static GEOSGeometry *
geo_shape_geos(GEOSContextHandle_t h, const struct geo_shape *s,
               const struct geo_proj *pj)
{
    GEOSGeometry **polys = gg_xcalloc(s->n_polys, sizeof(*polys));
    GEOSGeometry **rings = gg_xcalloc(s->n_rings, sizeof(*rings));
    double *buf = NULL;
    GEOSGeometry *out = NULL;
    uint32_t p, r, nr = 0, np = 0;

    if (pj)
        buf = gg_xmalloc(sizeof(double) * 2 * s->n_points);
    for (p = 0; p < s->n_polys; p++) {
        nr = 0;
        for (r = s->poly_ring[p]; r < s->poly_ring[p + 1]; r++) {
            uint32_t a = s->ring_point[r], n = s->ring_point[r + 1] - a;
            const double *src = s->xy + 2 * (size_t)a;
            GEOSCoordSequence *seq;

            if (pj) {
                for (uint32_t i = 0; i < n; i++) {
                    buf[2 * i] = (src[2 * i] - pj->lon0) * pj->mx;
                    buf[2 * i + 1] = (src[2 * i + 1] - pj->lat0) * pj->my;
                }
                src = buf;
            }
            seq = GEOSCoordSeq_copyFromBuffer_r(h, src, n, 0, 0);
            if (!seq)
                goto out;
            /* Takes the sequence, also when it fails. */
            rings[nr] = GEOSGeom_createLinearRing_r(h, seq);
            if (!rings[nr])
                goto out;
            nr++;
        }
        /* Takes the rings, also when it fails. */
        polys[np] = GEOSGeom_createPolygon_r(h, rings[0], rings + 1, nr - 1);
        nr = 0;
        if (!polys[np])
            goto out;
        np++;
    }
    if (!s->multi) {
        out = polys[0];
        np = 0;
    } else {
        /* Takes the polygons, also when it fails. */
        out = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, np);
        np = 0;
    }
out:
    for (r = 0; r < nr; r++)
        GEOSGeom_destroy_r(h, rings[r]);
    for (p = 0; p < np; p++)
        GEOSGeom_destroy_r(h, polys[p]);
    free(buf);
    free(rings);
    free(polys);
    return out;
}

/* ------------------------------------------------------------- parsing */

struct geo_reader {
    const char *field;
    struct gg_err *err;
    const char *prefix; /* "" or "geometry." for a Feature */
    bool multi;
    struct geo_shape *s; /* NULL while counting, filled on the 2nd pass */
    uint32_t polys, rings, points, vertices;
};

/* Names a place in the input: coordinates[p][r][i] (p only for a
 * MultiPolygon; -1 leaves a level out). */
static int
geo_where(struct geo_reader *rd, int code, enum gg_msg_id msg, long p, long r,
          long i)
{
    char where[64];
    int len;

    len = snprintf(where, sizeof(where), "%scoordinates", rd->prefix);
    if (rd->multi && p >= 0 && len > 0 && (size_t)len < sizeof(where))
        len += snprintf(where + len, sizeof(where) - (size_t)len, "[%ld]", p);
    if (r >= 0 && len > 0 && (size_t)len < sizeof(where))
        len += snprintf(where + len, sizeof(where) - (size_t)len, "[%ld]", r);
    if (i >= 0 && len > 0 && (size_t)len < sizeof(where))
        snprintf(where + len, sizeof(where) - (size_t)len, "[%ld]", i);
    return gg_failf(rd->err, code, rd->field, msg, "%s", where);
}

static int
geo_read_position(struct geo_reader *rd, const json_t *pos, long p, long r,
                  long i, double *x, double *y)
{
    size_t n;

    if (!json_is_array(pos))
        return geo_where(rd, GG_EINVAL, MSG_GEO_NOT_POLYGON, p, r, i);
    n = json_array_size(pos);
    if (n < 2 || n > 3)
        return geo_where(rd, GG_EINVAL, MSG_GEO_NOT_POLYGON, p, r, i);
    for (size_t k = 0; k < n; k++) {
        if (!json_is_number(json_array_get(pos, k)))
            return geo_where(rd, GG_EINVAL, MSG_GEO_NOT_POLYGON, p, r, i);
    }
    *x = json_number_value(json_array_get(pos, 0));
    *y = json_number_value(json_array_get(pos, 1));
    if (!isfinite(*x) || !isfinite(*y) || *x < -180 || *x > 180 || *y < -90 ||
        *y > 90)
        return geo_where(rd, GG_EINVAL, MSG_GEO_COORD_RANGE, p, r, i);
    *x = geo_round(*x);
    *y = geo_round(*y);
    return 0;
}

static int
geo_read_ring(struct geo_reader *rd, const json_t *ring, long p, long r)
{
    double x0 = 0, y0 = 0, x = 0, y = 0;
    size_t n, i;
    int rc;

    if (!json_is_array(ring))
        return geo_where(rd, GG_EINVAL, MSG_GEO_NOT_POLYGON, p, r, -1);
    n = json_array_size(ring);
    if (n < 4)
        return geo_where(rd, GG_EINVAL, MSG_GEO_TOO_FEW_POINTS, p, r, -1);
    /* Checked before reading the positions: the work stays bounded. */
    if (n - 1 > GEO_MAX_VERTICES - rd->vertices)
        return gg_failf(rd->err, GG_EINVAL, rd->field,
                        MSG_GEO_TOO_MANY_VERTICES, "%d", GEO_MAX_VERTICES);
    for (i = 0; i < n; i++) {
        rc = geo_read_position(rd, json_array_get(ring, i), p, r, (long)i, &x,
                               &y);
        if (rc)
            return rc;
        if (i == 0) {
            x0 = x;
            y0 = y;
        }
        if (rd->s) {
            rd->s->xy[2 * (size_t)rd->points] = x;
            rd->s->xy[2 * (size_t)rd->points + 1] = y;
        }
        rd->points++;
    }
    if (x != x0 || y != y0)
        return geo_where(rd, GG_EINVAL, MSG_GEO_RING_OPEN, p, r, -1);
    rd->vertices += (uint32_t)(n - 1);
    if (rd->s)
        rd->s->ring_point[rd->rings + 1] = rd->points;
    rd->rings++;
    return 0;
}

static int
geo_read_polygon(struct geo_reader *rd, const json_t *rings, long p)
{
    size_t n;
    int rc;

    if (!json_is_array(rings) || !json_array_size(rings))
        return geo_where(rd, GG_EINVAL, MSG_GEO_NOT_POLYGON, p, -1, -1);
    n = json_array_size(rings);
    if (n > GEO_MAX_RINGS - rd->rings)
        return gg_failf(rd->err, GG_EINVAL, rd->field, MSG_GEO_TOO_MANY_RINGS,
                        "%d", GEO_MAX_RINGS);
    for (size_t r = 0; r < n; r++) {
        rc = geo_read_ring(rd, json_array_get(rings, r), p, (long)r);
        if (rc)
            return rc;
    }
    if (rd->s)
        rd->s->poly_ring[rd->polys + 1] = rd->rings;
    rd->polys++;
    return 0;
}

static int
geo_read_coordinates(struct geo_reader *rd, const json_t *coords)
{
    size_t n;
    int rc;

    rd->polys = rd->rings = rd->points = rd->vertices = 0;
    if (!rd->multi)
        return geo_read_polygon(rd, coords, -1);
    if (!json_is_array(coords) || !json_array_size(coords))
        return geo_where(rd, GG_EINVAL, MSG_GEO_NOT_POLYGON, -1, -1, -1);
    n = json_array_size(coords);
    for (size_t p = 0; p < n; p++) {
        /* Bounded like the rings: each polygon has a ring at least. */
        if (rd->rings >= GEO_MAX_RINGS)
            return gg_failf(rd->err, GG_EINVAL, rd->field,
                            MSG_GEO_TOO_MANY_RINGS, "%d", GEO_MAX_RINGS);
        rc = geo_read_polygon(rd, json_array_get(coords, p), (long)p);
        if (rc)
            return rc;
    }
    return 0;
}

/* Turns GEOS's validity verdict into our message. */
static int
geo_invalid(const char *field, const char *reason, double x, double y,
            bool located, struct gg_err *err)
{
    static const struct {
        const char *prefix;
        enum gg_msg_id msg;
    } reasons[] = {
        {"Self-intersection", MSG_GEO_SELF_INTERSECTION},
        {"Ring Self-intersection", MSG_GEO_SELF_INTERSECTION},
        {"Hole lies outside shell", MSG_GEO_HOLE_OUTSIDE},
        {"Holes are nested", MSG_GEO_NESTED},
        {"Nested shells", MSG_GEO_NESTED},
        {"Duplicate Rings", MSG_GEO_NESTED},
        {"Interior is disconnected", MSG_GEO_DISCONNECTED},
        {"Too few points", MSG_GEO_TOO_FEW_POINTS},
    };
    char at[64] = "";

    if (located)
        snprintf(at, sizeof(at), "%.10g %.10g", x, y);
    for (size_t i = 0; i < GG_ARRAY_LEN(reasons); i++) {
        if (!strncmp(reason, reasons[i].prefix, strlen(reasons[i].prefix)))
            return gg_failf(err, GG_EINVAL, field, reasons[i].msg, "%s", at);
    }
    return gg_failf(err, GG_EINVAL, field, MSG_GEO_INVALID, "%.80s %s", reason,
                    at);
}

static int
geo_validate(const struct geo_shape *s, const char *field, struct gg_err *err)
{
    struct geo_ctx c;
    GEOSGeometry *g = NULL, *where = NULL;
    char *reason = NULL;
    double x = 0, y = 0;
    bool located = false;
    char valid;
    int rc;

    rc = geo_ctx_open(&c, err);
    if (rc)
        return rc;
    g = geo_shape_geos(c.h, s, NULL);
    if (!g) {
        rc = geo_ctx_fail(&c, "build", err);
        goto out;
    }
    valid = GEOSisValidDetail_r(c.h, g, 0, &reason, &where);
    if (valid == 1) {
        rc = 0;
    } else if (valid == 0) {
        if (where && GEOSGeomGetX_r(c.h, where, &x) == 1 &&
            GEOSGeomGetY_r(c.h, where, &y) == 1)
            located = true;
        rc = geo_invalid(field, reason ? reason : "", x, y, located, err);
    } else {
        rc = geo_ctx_fail(&c, "is_valid", err);
    }
out:
    if (reason)
        GEOSFree_r(c.h, reason);
    if (where)
        GEOSGeom_destroy_r(c.h, where);
    if (g)
        GEOSGeom_destroy_r(c.h, g);
    geo_ctx_close(&c);
    return rc;
}

int
geo_polygon_parse(const json_t *geojson, const char *field,
                  struct geo_shape **out, struct gg_err *err)
{
    struct geo_reader rd = {.field = field, .err = err, .prefix = ""};
    const json_t *geom = geojson, *coords;
    const char *type;
    struct geo_shape *s = NULL;
    int rc;

    *out = NULL;
    if (!json_is_object(geom))
        return gg_failf(err, GG_EINVAL, field, MSG_GEO_NOT_POLYGON, "type");
    type = json_string_value(json_object_get(geom, "type"));
    if (type && !strcmp(type, "Feature")) {
        geom = json_object_get(geom, "geometry");
        rd.prefix = "geometry.";
        if (!json_is_object(geom))
            return gg_failf(err, GG_EINVAL, field, MSG_GEO_NOT_POLYGON,
                            "geometry");
        type = json_string_value(json_object_get(geom, "type"));
    }
    if (!type || (strcmp(type, "Polygon") && strcmp(type, "MultiPolygon")))
        return gg_failf(err, GG_EINVAL, field, MSG_GEO_NOT_POLYGON, "%stype",
                        rd.prefix);
    rd.multi = !strcmp(type, "MultiPolygon");
    coords = json_object_get(geom, "coordinates");

    /* Count and check everything first, then fill exact-sized arrays. */
    rc = geo_read_coordinates(&rd, coords);
    if (rc)
        return rc;
    s = gg_xcalloc(1, sizeof(*s));
    s->multi = rd.multi;
    s->n_polys = rd.polys;
    s->n_rings = rd.rings;
    s->n_points = rd.points;
    s->poly_ring = gg_xcalloc(rd.polys + 1, sizeof(uint32_t));
    s->ring_point = gg_xcalloc(rd.rings + 1, sizeof(uint32_t));
    s->xy = gg_xmalloc(sizeof(double) * 2 * rd.points);
    rd.s = s;
    rc = geo_read_coordinates(&rd, coords);
    if (rc) /* cannot happen: the first pass saw the same input */
        goto fail;
    s->bbox[0] = s->bbox[2] = s->xy[0];
    s->bbox[1] = s->bbox[3] = s->xy[1];
    for (uint32_t i = 1; i < s->n_points; i++) {
        s->bbox[0] = fmin(s->bbox[0], s->xy[2 * i]);
        s->bbox[2] = fmax(s->bbox[2], s->xy[2 * i]);
        s->bbox[1] = fmin(s->bbox[1], s->xy[2 * i + 1]);
        s->bbox[3] = fmax(s->bbox[3], s->xy[2 * i + 1]);
    }
    rc = geo_validate(s, field, err);
    if (rc)
        goto fail;
    *out = s;
    return 0;
fail:
    geo_shape_free(s);
    return rc;
}

int
geo_polygon_parse_text(const char *text, size_t len, const char *field,
                       struct geo_shape **out, struct gg_err *err)
{
    json_t *root = NULL;
    int rc;

    *out = NULL;
    if (len > GEO_TEXT_MAX)
        return gg_failf(err, GG_ETOOBIG, field, MSG_GEO_TEXT_TOO_BIG, "%u",
                        GEO_TEXT_MAX);
    rc = gg_json_parse(text, len, GEO_JSON_MAX_DEPTH, &root, err);
    if (rc) {
        if (err)
            snprintf(err->field, sizeof(err->field), "%s",
                     field ? field : "");
        return rc;
    }
    rc = geo_polygon_parse(root, field, out, err);
    json_decref(root);
    return rc;
}

void
geo_shape_free(struct geo_shape *s)
{
    if (!s)
        return;
    free(s->poly_ring);
    free(s->ring_point);
    free(s->xy);
    free(s);
}

/* ------------------------------------------------------------- output */

/* jansson reports out-of-memory as NULL; out-of-memory aborts here. */
static json_t *
geo_json_must(json_t *v)
{
    if (!v)
        abort();
    return v;
}

static void
geo_json_push(json_t *array, json_t *v)
{
    if (json_array_append_new(array, geo_json_must(v)))
        abort();
}

static json_t *
geo_json_position(double x, double y)
{
    json_t *pos = geo_json_must(json_array());

    geo_json_push(pos, json_real(x));
    geo_json_push(pos, json_real(y));
    return pos;
}

json_t *
geo_shape_to_json(const struct geo_shape *s)
{
    json_t *geom = geo_json_must(json_object());
    json_t *coords = s->multi ? geo_json_must(json_array()) : NULL;

    for (uint32_t p = 0; p < s->n_polys; p++) {
        json_t *poly = geo_json_must(json_array());
        for (uint32_t r = s->poly_ring[p]; r < s->poly_ring[p + 1]; r++) {
            json_t *ring = geo_json_must(json_array());
            for (uint32_t i = s->ring_point[r]; i < s->ring_point[r + 1]; i++)
                geo_json_push(ring,
                              geo_json_position(s->xy[2 * (size_t)i],
                                                s->xy[2 * (size_t)i + 1]));
            geo_json_push(poly, ring);
        }
        if (s->multi)
            geo_json_push(coords, poly);
        else
            coords = poly; /* a Polygon has exactly one */
    }
    if (json_object_set_new(geom, "type",
                            geo_json_must(json_string(s->multi ? "MultiPolygon"
                                                               : "Polygon"))) ||
        json_object_set_new(geom, "coordinates", coords))
        abort();
    return geom;
}

char *
geo_shape_to_text(const struct geo_shape *s, size_t *len)
{
    json_t *geom = geo_shape_to_json(s);
    char *text;

    /* 15 significant digits print a coordinate of the 1e-9 grid exactly. */
    text = json_dumps(geom, JSON_COMPACT | JSON_PRESERVE_ORDER |
                                JSON_REAL_PRECISION(15));
    json_decref(geom);
    if (!text)
        abort();
    if (len)
        *len = strlen(text);
    return text;
}

void
geo_shape_bbox(const struct geo_shape *s, double out[4])
{
    memcpy(out, s->bbox, sizeof(s->bbox));
}

size_t
geo_shape_vertices(const struct geo_shape *s)
{
    return (size_t)s->n_points - s->n_rings;
}

int
geo_point_check(double lon, double lat, const char *field, struct gg_err *err)
{
    if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 ||
        lat < -90 || lat > 90)
        return gg_failf(err, GG_EINVAL, field, MSG_GEO_COORD_RANGE,
                        "%.10g %.10g", lon, lat);
    return 0;
}

/* --------------------------------------------------- metric operations */

int
geo_shape_area_m2(const struct geo_shape *s, double *area_m2,
                  struct gg_err *err)
{
    struct geo_proj pj;
    struct geo_ctx c;
    GEOSGeometry *g;
    int rc;

    *area_m2 = 0;
    rc = geo_ctx_open(&c, err);
    if (rc)
        return rc;
    geo_proj_init(&pj, s->bbox);
    g = geo_shape_geos(c.h, s, &pj);
    if (!g || GEOSArea_r(c.h, g, area_m2) != 1)
        rc = geo_ctx_fail(&c, "area", err);
    if (g)
        GEOSGeom_destroy_r(c.h, g);
    geo_ctx_close(&c);
    return rc;
}

int
geo_shape_covers(const struct geo_shape *s, double lon, double lat,
                 bool *covers, struct gg_err *err)
{
    struct geo_ctx c;
    GEOSGeometry *g = NULL, *pt = NULL;
    char r;
    int rc;

    *covers = false;
    rc = geo_point_check(lon, lat, "", err);
    if (rc)
        return rc;
    rc = geo_ctx_open(&c, err);
    if (rc)
        return rc;
    g = geo_shape_geos(c.h, s, NULL);
    pt = g ? GEOSGeom_createPointFromXY_r(c.h, lon, lat) : NULL;
    r = pt ? GEOSCovers_r(c.h, g, pt) : 2;
    if (r == 2)
        rc = geo_ctx_fail(&c, "covers", err);
    else
        *covers = r == 1;
    if (pt)
        GEOSGeom_destroy_r(c.h, pt);
    if (g)
        GEOSGeom_destroy_r(c.h, g);
    geo_ctx_close(&c);
    return rc;
}

int
geo_within(const struct geo_shape *inner, const struct geo_shape *outer,
           double tolerance_m, bool *within, double *outside_m2,
           struct gg_err *err)
{
    struct geo_proj pj;
    struct geo_ctx c;
    GEOSGeometry *gi = NULL, *go = NULL, *grown = NULL, *diff = NULL;
    double bbox[4];
    char r;
    int rc;

    *within = false;
    if (outside_m2)
        *outside_m2 = 0;
    if (!(tolerance_m > 0))
        tolerance_m = 0; /* negative or NaN: no tolerance */
    rc = geo_ctx_open(&c, err);
    if (rc)
        return rc;
    geo_bbox_union(inner->bbox, outer->bbox, bbox);
    geo_proj_init(&pj, bbox);
    gi = geo_shape_geos(c.h, inner, &pj);
    go = geo_shape_geos(c.h, outer, &pj);
    if (!gi || !go) {
        rc = geo_ctx_fail(&c, "build", err);
        goto out;
    }
    if (tolerance_m > 0) {
        /* 8 segments a quarter circle: the grown outline stays within
         * 2% of the tolerance from the true one. */
        grown = GEOSBuffer_r(c.h, go, tolerance_m, 8);
        if (!grown) {
            rc = geo_ctx_fail(&c, "buffer", err);
            goto out;
        }
    }
    r = GEOSCovers_r(c.h, grown ? grown : go, gi);
    if (r == 2) {
        rc = geo_ctx_fail(&c, "covers", err);
        goto out;
    }
    *within = r == 1;
    if (outside_m2) {
        diff = GEOSDifference_r(c.h, gi, go);
        if (!diff || GEOSArea_r(c.h, diff, outside_m2) != 1) {
            *outside_m2 = 0;
            rc = geo_ctx_fail(&c, "difference", err);
        }
    }
out:
    if (diff)
        GEOSGeom_destroy_r(c.h, diff);
    if (grown)
        GEOSGeom_destroy_r(c.h, grown);
    if (go)
        GEOSGeom_destroy_r(c.h, go);
    if (gi)
        GEOSGeom_destroy_r(c.h, gi);
    geo_ctx_close(&c);
    return rc;
}

int
geo_overlap_area_m2(const struct geo_shape *a, const struct geo_shape *b,
                    double *area_m2, struct gg_err *err)
{
    struct geo_proj pj;
    struct geo_ctx c;
    GEOSGeometry *ga = NULL, *gb = NULL, *both = NULL;
    double bbox[4];
    int rc;

    *area_m2 = 0;
    if (!geo_bbox_meet(a->bbox, b->bbox))
        return 0;
    rc = geo_ctx_open(&c, err);
    if (rc)
        return rc;
    geo_bbox_union(a->bbox, b->bbox, bbox);
    geo_proj_init(&pj, bbox);
    ga = geo_shape_geos(c.h, a, &pj);
    gb = geo_shape_geos(c.h, b, &pj);
    both = ga && gb ? GEOSIntersection_r(c.h, ga, gb) : NULL;
    if (!both || GEOSArea_r(c.h, both, area_m2) != 1) {
        *area_m2 = 0;
        rc = geo_ctx_fail(&c, "intersection", err);
    }
    if (both)
        GEOSGeom_destroy_r(c.h, both);
    if (gb)
        GEOSGeom_destroy_r(c.h, gb);
    if (ga)
        GEOSGeom_destroy_r(c.h, ga);
    geo_ctx_close(&c);
    return rc;
}

/* A ring of a projected GEOS geometry as GeoJSON positions in degrees.
 * NULL when GEOS fails. */
static json_t *
geo_ring_json(GEOSContextHandle_t h, const GEOSGeometry *ring,
              const struct geo_proj *pj)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    double *buf;
    json_t *out;

    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n))
        return NULL;
    buf = gg_xmalloc(sizeof(double) * 2 * (n ? n : 1));
    if (!GEOSCoordSeq_copyToBuffer_r(h, seq, buf, 0, 0)) {
        free(buf);
        return NULL;
    }
    out = geo_json_must(json_array());
    for (unsigned int i = 0; i < n; i++)
        geo_json_push(out, geo_json_position(
                               geo_round(buf[2 * i] / pj->mx + pj->lon0),
                               geo_round(buf[2 * i + 1] / pj->my + pj->lat0)));
    free(buf);
    return out;
}

static json_t *
geo_polygon_json(GEOSContextHandle_t h, const GEOSGeometry *poly,
                 const struct geo_proj *pj)
{
    json_t *out = geo_json_must(json_array()), *ring;
    int holes = GEOSGetNumInteriorRings_r(h, poly);
    const GEOSGeometry *shell = GEOSGetExteriorRing_r(h, poly);

    ring = shell && holes >= 0 ? geo_ring_json(h, shell, pj) : NULL;
    if (!ring)
        goto fail;
    geo_json_push(out, ring);
    for (int i = 0; i < holes; i++) {
        const GEOSGeometry *hole = GEOSGetInteriorRingN_r(h, poly, i);
        ring = hole ? geo_ring_json(h, hole, pj) : NULL;
        if (!ring)
            goto fail;
        geo_json_push(out, ring);
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

/* Whether a gap polygon is more than a sliver: something is left after
 * shrinking it by tolerance_m / 2. 1 yes, 0 no, -1 GEOS failed. */
static int
geo_gap_counts(GEOSContextHandle_t h, const GEOSGeometry *gap,
               double tolerance_m)
{
    GEOSGeometry *core;
    char empty;

    if (tolerance_m <= 0)
        return 1;
    core = GEOSBuffer_r(h, gap, -tolerance_m / 2, 8);
    if (!core)
        return -1;
    empty = GEOSisEmpty_r(h, core);
    GEOSGeom_destroy_r(h, core);
    return empty == 2 ? -1 : !empty;
}

int
geo_coverage_gaps(const struct geo_shape *parent,
                  const struct geo_shape *const *children, size_t n,
                  double tolerance_m, double *area_m2, json_t **gaps,
                  struct gg_err *err)
{
    struct geo_proj pj;
    struct geo_ctx c;
    GEOSGeometry *gp = NULL, *all = NULL, *cover = NULL, *rest = NULL;
    GEOSGeometry **kids = NULL;
    json_t *polys = NULL;
    unsigned int nk = 0;
    int parts, rc;

    *area_m2 = 0;
    if (gaps)
        *gaps = NULL;
    if (!(tolerance_m > 0))
        tolerance_m = 0;
    rc = geo_ctx_open(&c, err);
    if (rc)
        return rc;
    geo_proj_init(&pj, parent->bbox);
    gp = geo_shape_geos(c.h, parent, &pj);
    if (!gp)
        goto fail;
    kids = gg_xcalloc(n ? n : 1, sizeof(*kids));
    for (size_t i = 0; i < n; i++) {
        if (!geo_bbox_meet(children[i]->bbox, parent->bbox))
            continue; /* covers nothing of the parent */
        kids[nk] = geo_shape_geos(c.h, children[i], &pj);
        if (!kids[nk])
            goto fail;
        nk++;
    }
    /* Children may overlap: a collection, dissolved by the union. The
     * collection takes the children, also when it fails. */
    all = GEOSGeom_createCollection_r(c.h, GEOS_GEOMETRYCOLLECTION, kids, nk);
    nk = 0;
    cover = all ? GEOSUnaryUnion_r(c.h, all) : NULL;
    rest = cover ? GEOSDifference_r(c.h, gp, cover) : NULL;
    parts = rest ? GEOSGetNumGeometries_r(c.h, rest) : -1;
    if (parts < 0)
        goto fail;
    polys = geo_json_must(json_array());
    for (int i = 0; i < parts; i++) {
        const GEOSGeometry *part = GEOSGetGeometryN_r(c.h, rest, i);
        double area = 0;
        json_t *poly;
        int keep;

        if (!part)
            goto fail;
        if (GEOSGeomTypeId_r(c.h, part) != GEOS_POLYGON ||
            GEOSisEmpty_r(c.h, part) != 0)
            continue;
        keep = geo_gap_counts(c.h, part, tolerance_m);
        if (keep < 0 || GEOSArea_r(c.h, part, &area) != 1)
            goto fail;
        if (!keep || !(area > 0))
            continue;
        if (gaps) {
            poly = geo_polygon_json(c.h, part, &pj);
            if (!poly)
                goto fail;
            geo_json_push(polys, poly);
        }
        *area_m2 += area;
    }
    if (gaps) {
        *gaps = geo_json_must(json_object());
        if (json_object_set_new(*gaps, "type",
                                geo_json_must(json_string("MultiPolygon"))) ||
            json_object_set_new(*gaps, "coordinates", polys))
            abort();
        polys = NULL;
    }
    goto out;
fail:
    *area_m2 = 0;
    rc = geo_ctx_fail(&c, "coverage_gaps", err);
out:
    json_decref(polys);
    for (unsigned int i = 0; i < nk; i++)
        GEOSGeom_destroy_r(c.h, kids[i]);
    free(kids);
    if (rest)
        GEOSGeom_destroy_r(c.h, rest);
    if (cover)
        GEOSGeom_destroy_r(c.h, cover);
    if (all)
        GEOSGeom_destroy_r(c.h, all);
    if (gp)
        GEOSGeom_destroy_r(c.h, gp);
    geo_ctx_close(&c);
    return rc;
}

/* ------------------------------------------------------ the point index */

/* A cell's list entry: the shape's position in id order, with this bit set
 * when the cell lies wholly inside the shape. */
#define GEO_ITEM_INSIDE 0x80000000u
#define GEO_ITEM_SHAPE 0x7fffffffu
/* Cells per shape aimed at; a shape with fewer segments than
 * GEO_BAND_MIN_SEGS is scanned whole instead of by bands. */
#define GEO_CELLS_PER_SHAPE 16
#define GEO_CELLS_MAX (1u << 22)
#define GEO_BAND_MIN_SEGS 16

enum geo_loc {
    GEO_LOC_EXTERIOR = 0,
    GEO_LOC_BOUNDARY,
    GEO_LOC_INTERIOR,
    GEO_LOC_FAILED
};

struct geo_seg {
    double x1, y1, x2, y2;
};

struct geo_ishape {
    double minx, miny, maxx, maxy;
    double band_inv; /* bands per degree of latitude */
    uint32_t seg0, nseg;
    uint32_t band0, nband; /* nband 0: no bands, scan every segment */
};

/* GEO_INDEX_STRTREE's GEOS side: used only with the lock held. */
struct geo_strtree {
    pthread_mutex_t lock;
    struct geo_ctx ctx;
    GEOSSTRtree *tree;
    GEOSGeometry **geoms;
    const GEOSPreparedGeometry **prep;
    size_t n;
};

struct geo_index {
    enum geo_index_kind kind;
    size_t n;
    int64_t *ids; /* ascending; shapes are numbered in this order */
    /* GEO_INDEX_CELLS */
    struct geo_ishape *sh;
    struct geo_seg *segs;
    uint32_t *band_off;    /* per shape nband + 1 offsets into band_seg */
    uint32_t *band_seg;    /* indexes into segs */
    double x0, y0, x1, y1; /* the extent */
    double sx, sy;         /* cells per degree */
    uint32_t nx, ny;
    uint32_t *cell_off; /* nx * ny + 1 offsets into cell_item */
    uint32_t *cell_item;
    /* GEO_INDEX_STRTREE */
    struct geo_strtree *st;
};

struct geo_u32v {
    uint32_t *v;
    size_t len, alloc;
};

static void
geo_u32v_grow(struct geo_u32v *a, size_t len)
{
    if (len <= a->alloc)
        return;
    while (a->alloc < len)
        a->alloc = a->alloc ? 2 * a->alloc : 1024;
    a->v = gg_xrealloc(a->v, a->alloc * sizeof(uint32_t));
}

static void
geo_u32v_push(struct geo_u32v *a, uint32_t x)
{
    geo_u32v_grow(a, a->len + 1);
    a->v[a->len++] = x;
}

static int
geo_sign(double v)
{
    return (v > 0) - (v < 0);
}

/*
 * GEOS's orientation filter (CGAlgorithmsDD::orientationIndexFilter): the
 * orientation of c relative to a->b (1 left, -1 right, 0 collinear) when
 * double arithmetic certifies it, 2 when it cannot.
 */
static int
geo_orient_filter(double ax, double ay, double bx, double by, double cx,
                  double cy)
{
    double detleft = (ax - cx) * (by - cy);
    double detright = (ay - cy) * (bx - cx);
    double det = detleft - detright;
    double detsum, errbound;

    if (detleft > 0) {
        if (detright <= 0)
            return geo_sign(det);
        detsum = detleft + detright;
    } else if (detleft < 0) {
        if (detright >= 0)
            return geo_sign(det);
        detsum = -detleft - detright;
    } else {
        return geo_sign(det);
    }
    errbound = 1e-15 * detsum; /* GEOS's DP_SAFE_EPSILON */
    if (det >= errbound || -det >= errbound)
        return geo_sign(det);
    return 2;
}

/* The exact orientation. The filter decides all but points within about
 * 1e-15 of the line; those go to GEOS's double-double arithmetic through a
 * context of their own (rare, so its cost does not matter). */
static int
geo_orient(double ax, double ay, double bx, double by, double cx, double cy,
           bool *failed)
{
    GEOSContextHandle_t h;
    int o = geo_orient_filter(ax, ay, bx, by, cx, cy);

    if (o != 2)
        return o;
    h = GEOS_init_r();
    if (!h) {
        *failed = true;
        return 0;
    }
    o = GEOSOrientationIndex_r(h, ax, ay, bx, by, cx, cy);
    GEOS_finish_r(h);
    if (o < -1 || o > 1) {
        *failed = true;
        return 0;
    }
    return o;
}

/* GEOS's RayCrossingCounter: a ray from the point towards +x. */
struct geo_rcc {
    double px, py;
    uint32_t crossings;
    bool on; /* the point is on a segment */
    bool failed;
};

static void
geo_rcc_segment(struct geo_rcc *c, const struct geo_seg *s)
{
    int o;

    if (s->x1 < c->px && s->x2 < c->px)
        return;
    if (c->px == s->x2 && c->py == s->y2) {
        c->on = true;
        return;
    }
    if (s->y1 == c->py && s->y2 == c->py) {
        if (c->px >= fmin(s->x1, s->x2) && c->px <= fmax(s->x1, s->x2))
            c->on = true;
        return;
    }
    /* An upward edge includes its start and excludes its end, a downward
     * edge the other way round, so a shared vertex counts once. */
    if ((s->y1 > c->py && s->y2 <= c->py) ||
        (s->y2 > c->py && s->y1 <= c->py)) {
        o = geo_orient(s->x1, s->y1, s->x2, s->y2, c->px, c->py, &c->failed);
        if (!o) {
            c->on = true;
            return;
        }
        if (s->y2 < s->y1)
            o = -o;
        if (o > 0)
            c->crossings++;
    }
}

static uint32_t
geo_band(const struct geo_ishape *sh, double y)
{
    double t = (y - sh->miny) * sh->band_inv;

    /* Monotone in y: a segment listed in the bands of its two ends is in
     * the band of every latitude between them. */
    if (!(t > 0))
        return 0;
    if (t >= sh->nband)
        return sh->nband - 1;
    return (uint32_t)t;
}

static enum geo_loc
geo_ishape_locate(const struct geo_index *idx, const struct geo_ishape *sh,
                  double px, double py)
{
    struct geo_rcc c = {.px = px, .py = py};

    if (px < sh->minx || px > sh->maxx || py < sh->miny || py > sh->maxy)
        return GEO_LOC_EXTERIOR;
    if (!sh->nband) {
        const struct geo_seg *s = idx->segs + sh->seg0, *end = s + sh->nseg;
        for (; s < end && !c.on; s++)
            geo_rcc_segment(&c, s);
    } else {
        const uint32_t *off = idx->band_off + sh->band0 + geo_band(sh, py);
        const uint32_t *it = idx->band_seg + off[0];
        const uint32_t *end = idx->band_seg + off[1];
        for (; it < end && !c.on; it++)
            geo_rcc_segment(&c, idx->segs + *it);
    }
    if (c.failed)
        return GEO_LOC_FAILED;
    if (c.on)
        return GEO_LOC_BOUNDARY;
    return (c.crossings & 1) ? GEO_LOC_INTERIOR : GEO_LOC_EXTERIOR;
}

static uint32_t
geo_cell_x(const struct geo_index *idx, double x)
{
    double t = (x - idx->x0) * idx->sx;

    /* Monotone in x, the property the build relies on (see there). */
    if (!(t > 0))
        return 0;
    if (t >= idx->nx)
        return idx->nx - 1;
    return (uint32_t)t;
}

static uint32_t
geo_cell_y(const struct geo_index *idx, double y)
{
    double t = (y - idx->y0) * idx->sy;

    if (!(t > 0))
        return 0;
    if (t >= idx->ny)
        return idx->ny - 1;
    return (uint32_t)t;
}

/* Copies shape s's segments (as shape k) and builds its bands. */
static void
geo_index_add_segments(struct geo_index *idx, uint32_t k,
                       const struct geo_shape *s, uint32_t *nsegs,
                       struct geo_u32v *band_off, struct geo_u32v *band_seg)
{
    struct geo_ishape *sh = idx->sh + k;
    uint32_t *count, base;
    size_t total;

    sh->minx = s->bbox[0];
    sh->miny = s->bbox[1];
    sh->maxx = s->bbox[2];
    sh->maxy = s->bbox[3];
    sh->seg0 = *nsegs;
    for (uint32_t r = 0; r < s->n_rings; r++) {
        for (uint32_t i = s->ring_point[r]; i + 1 < s->ring_point[r + 1]; i++) {
            const double *p = s->xy + 2 * (size_t)i;
            idx->segs[*nsegs] = (struct geo_seg){p[0], p[1], p[2], p[3]};
            (*nsegs)++;
        }
    }
    sh->nseg = *nsegs - sh->seg0;
    if (sh->nseg < GEO_BAND_MIN_SEGS)
        return;

    /* About 4 segments a band; fewer bands when tall segments would be
     * listed in too many of them (a comb: a ray crosses every tooth). */
    sh->nband = sh->nseg / 4;
    for (;;) {
        sh->band_inv = sh->nband / (sh->maxy - sh->miny);
        total = 0;
        for (uint32_t j = 0; j < sh->nseg; j++) {
            const struct geo_seg *g = idx->segs + sh->seg0 + j;
            total += geo_band(sh, fmax(g->y1, g->y2)) -
                     geo_band(sh, fmin(g->y1, g->y2)) + 1;
        }
        if (total <= 8 * (size_t)sh->nseg || sh->nband == 1)
            break;
        sh->nband /= 2;
    }
    sh->band0 = (uint32_t)band_off->len;
    count = gg_xcalloc(sh->nband + 1, sizeof(*count));
    for (uint32_t j = 0; j < sh->nseg; j++) {
        const struct geo_seg *g = idx->segs + sh->seg0 + j;
        uint32_t b1 = geo_band(sh, fmax(g->y1, g->y2));
        for (uint32_t b = geo_band(sh, fmin(g->y1, g->y2)); b <= b1; b++)
            count[b]++;
    }
    base = (uint32_t)band_seg->len;
    for (uint32_t b = 0; b <= sh->nband; b++) {
        uint32_t c = count[b];
        geo_u32v_push(band_off, base);
        count[b] = base; /* now the fill cursor */
        base += c;
    }
    geo_u32v_grow(band_seg, base);
    band_seg->len = base;
    for (uint32_t j = 0; j < sh->nseg; j++) {
        const struct geo_seg *g = idx->segs + sh->seg0 + j;
        uint32_t b1 = geo_band(sh, fmax(g->y1, g->y2));
        for (uint32_t b = geo_band(sh, fmin(g->y1, g->y2)); b <= b1; b++)
            band_seg->v[count[b]++] = sh->seg0 + j;
    }
    free(count);
}

/*
 * Lists shape k in the cells its bounding box meets: plainly where its
 * border may pass, flagged where the cell is wholly inside, not at all
 * where the cell is wholly outside. False when more than cap entries.
 *
 * Exactness: geo_cell_x/y are monotone, so every point of a segment's
 * bounding box falls in a cell between those of the box's corners, and
 * those cells are marked. A query point falling in an unmarked cell lies in
 * a box (the cell's preimage) that no border point falls in, so it has the
 * location of the cell's centre.
 */
static bool
geo_index_add_cells(const struct geo_index *idx, uint32_t k, size_t cap,
                    struct geo_u32v *cells, struct geo_u32v *items,
                    unsigned char **mark, size_t *mark_cap)
{
    const struct geo_ishape *sh = idx->sh + k;
    uint32_t ix0 = geo_cell_x(idx, sh->minx), ix1 = geo_cell_x(idx, sh->maxx);
    uint32_t iy0 = geo_cell_y(idx, sh->miny), iy1 = geo_cell_y(idx, sh->maxy);
    size_t bw = ix1 - ix0 + 1, bh = iy1 - iy0 + 1, work = 0;
    bool all = false;

    if (cells->len + bw * bh > cap)
        return false;
    if (bw * bh > *mark_cap) {
        *mark_cap = bw * bh;
        *mark = gg_xrealloc(*mark, *mark_cap);
    }
    /* Marking a long diagonal segment's box costs its area in cells; past
     * a budget, treat every cell as crossed (no flags, still correct). */
    for (uint32_t j = 0; j < sh->nseg && !all; j++) {
        const struct geo_seg *g = idx->segs + sh->seg0 + j;
        work += (size_t)(geo_cell_x(idx, fmax(g->x1, g->x2)) -
                         geo_cell_x(idx, fmin(g->x1, g->x2)) + 1) *
                (geo_cell_y(idx, fmax(g->y1, g->y2)) -
                 geo_cell_y(idx, fmin(g->y1, g->y2)) + 1);
        all = work > 64 * bw * bh + (1u << 20);
    }
    memset(*mark, all, bw * bh);
    for (uint32_t j = 0; j < sh->nseg && !all; j++) {
        const struct geo_seg *g = idx->segs + sh->seg0 + j;
        uint32_t x0 = geo_cell_x(idx, fmin(g->x1, g->x2)) - ix0;
        uint32_t x1 = geo_cell_x(idx, fmax(g->x1, g->x2)) - ix0;
        uint32_t y0 = geo_cell_y(idx, fmin(g->y1, g->y2)) - iy0;
        uint32_t y1 = geo_cell_y(idx, fmax(g->y1, g->y2)) - iy0;
        for (uint32_t y = y0; y <= y1; y++)
            memset(*mark + y * bw + x0, 1, x1 - x0 + 1);
    }
    for (uint32_t y = 0; y < bh; y++) {
        for (uint32_t x = 0; x < bw; x++) {
            uint32_t cx = ix0 + x, cy = iy0 + y, item = k;
            if (!(*mark)[y * bw + x]) {
                double px = idx->x0 + (cx + 0.5) / idx->sx;
                double py = idx->y0 + (cy + 0.5) / idx->sy;
                enum geo_loc loc = GEO_LOC_BOUNDARY; /* i.e. unsure */
                if (geo_cell_x(idx, px) == cx && geo_cell_y(idx, py) == cy)
                    loc = geo_ishape_locate(idx, sh, px, py);
                if (loc == GEO_LOC_EXTERIOR)
                    continue;
                if (loc == GEO_LOC_INTERIOR)
                    item |= GEO_ITEM_INSIDE;
            }
            geo_u32v_push(cells, cy * idx->nx + cx);
            geo_u32v_push(items, item);
        }
    }
    return true;
}

static void
geo_index_grid(struct geo_index *idx, size_t cells)
{
    double w = fmax(idx->x1 - idx->x0, 1e-9), h = fmax(idx->y1 - idx->y0, 1e-9);
    double nx = round(sqrt((double)cells * w / h));

    nx = fmin(fmax(nx, 1), (double)cells);
    idx->nx = (uint32_t)nx;
    idx->ny = (uint32_t)fmin(fmax(ceil((double)cells / nx), 1), (double)cells);
    idx->sx = idx->nx / w;
    idx->sy = idx->ny / h;
}

static void
geo_index_build_cells(struct geo_index *idx,
                      const struct geo_shape *const *shapes,
                      const uint32_t *order)
{
    struct geo_u32v band_off = {0}, band_seg = {0}, cells = {0}, items = {0};
    unsigned char *mark = NULL;
    size_t mark_cap = 0, ncells, total = 0;
    uint32_t nsegs = 0;

    for (size_t k = 0; k < idx->n; k++)
        total += shapes[order[k]]->n_points - shapes[order[k]]->n_rings;
    idx->sh = gg_xcalloc(idx->n, sizeof(*idx->sh));
    idx->segs = gg_xmalloc(sizeof(*idx->segs) * (total ? total : 1));
    for (size_t k = 0; k < idx->n; k++) {
        const struct geo_shape *s = shapes[order[k]];
        geo_index_add_segments(idx, (uint32_t)k, s, &nsegs, &band_off,
                               &band_seg);
    }
    idx->band_off = band_off.v;
    idx->band_seg = band_seg.v;

    /* Fewer, larger cells when overlapping shapes would list themselves in
     * too many: at one cell there are at most n entries. */
    ncells = idx->n * GEO_CELLS_PER_SHAPE;
    ncells = ncells < GEO_CELLS_MAX ? ncells : GEO_CELLS_MAX;
    for (;;) {
        size_t cap = 32 * (ncells + idx->n);
        bool fits = true;
        geo_index_grid(idx, ncells);
        cells.len = items.len = 0;
        for (size_t k = 0; k < idx->n && fits; k++)
            fits = geo_index_add_cells(idx, (uint32_t)k, cap, &cells, &items,
                                       &mark, &mark_cap);
        if (fits || ncells == 1)
            break;
        ncells = ncells / 4 ? ncells / 4 : 1;
    }
    free(mark);

    /* Counting sort by cell; stable, so each list keeps id order. */
    ncells = (size_t)idx->nx * idx->ny;
    idx->cell_off = gg_xcalloc(ncells + 1, sizeof(uint32_t));
    idx->cell_item = gg_xmalloc(sizeof(uint32_t) * (items.len ? items.len : 1));
    for (size_t i = 0; i < cells.len; i++)
        idx->cell_off[cells.v[i] + 1]++;
    for (size_t c = 0; c < ncells; c++)
        idx->cell_off[c + 1] += idx->cell_off[c];
    {
        uint32_t *cursor = gg_xmalloc(sizeof(uint32_t) * (ncells ? ncells : 1));
        memcpy(cursor, idx->cell_off, sizeof(uint32_t) * ncells);
        for (size_t i = 0; i < cells.len; i++)
            idx->cell_item[cursor[cells.v[i]]++] = items.v[i];
        free(cursor);
    }
    free(cells.v);
    free(items.v);
}

static void
geo_strtree_ignore(void *item, void *userdata)
{
    (void)item;
    (void)userdata;
}

static int
geo_index_build_strtree(struct geo_index *idx,
                        const struct geo_shape *const *shapes,
                        const uint32_t *order, struct gg_err *err)
{
    struct geo_strtree *st = gg_xcalloc(1, sizeof(*st));
    GEOSGeometry *probe;
    int rc;

    idx->st = st;
    pthread_mutex_init(&st->lock, NULL);
    rc = geo_ctx_open(&st->ctx, err);
    if (rc)
        return rc;
    st->geoms = gg_xcalloc(idx->n ? idx->n : 1, sizeof(*st->geoms));
    st->prep = gg_xcalloc(idx->n ? idx->n : 1, sizeof(*st->prep));
    st->tree = GEOSSTRtree_create_r(st->ctx.h, 10);
    if (!st->tree)
        return geo_ctx_fail(&st->ctx, "strtree", err);
    for (size_t k = 0; k < idx->n; k++) {
        st->geoms[k] = geo_shape_geos(st->ctx.h, shapes[order[k]], NULL);
        if (!st->geoms[k])
            return geo_ctx_fail(&st->ctx, "build", err);
        st->n = k + 1;
        st->prep[k] = GEOSPrepare_r(st->ctx.h, st->geoms[k]);
        if (!st->prep[k])
            return geo_ctx_fail(&st->ctx, "prepare", err);
        GEOSSTRtree_insert_r(st->ctx.h, st->tree, st->geoms[k],
                             (void *)(uintptr_t)k);
    }
    /* GEOS 3.11 has no GEOSSTRtree_build_r: the first query builds the
     * tree, so make one here and keep it out of the lookups. */
    probe = GEOSGeom_createPointFromXY_r(st->ctx.h, 0, 0);
    if (!probe)
        return geo_ctx_fail(&st->ctx, "point", err);
    GEOSSTRtree_query_r(st->ctx.h, st->tree, probe, geo_strtree_ignore, NULL);
    GEOSGeom_destroy_r(st->ctx.h, probe);
    return 0;
}

struct geo_id_order {
    int64_t id;
    uint32_t k;
};

static int
geo_id_order_cmp(const void *a, const void *b)
{
    const struct geo_id_order *x = a, *y = b;

    return (x->id > y->id) - (x->id < y->id);
}

int
geo_index_build(const struct geo_shape *const *shapes, const int64_t *ids,
                size_t n, enum geo_index_kind kind, struct geo_index **out,
                struct gg_err *err)
{
    struct geo_id_order *byid = NULL;
    struct geo_index *idx;
    uint32_t *order = NULL;
    size_t segs = 0;
    int rc = 0;

    *out = NULL;
    if ((unsigned)kind >= GEO_INDEX__COUNT || (n && (!shapes || !ids)) ||
        n > GEO_ITEM_SHAPE)
        return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
    for (size_t k = 0; k < n; k++) {
        if (!shapes[k])
            return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
        segs += shapes[k]->n_points - shapes[k]->n_rings;
    }
    if (segs > UINT32_MAX / 16)
        return gg_failf(err, GG_EINVAL, "", MSG_GEO_TOO_MANY_VERTICES, "%lu",
                        (unsigned long)(UINT32_MAX / 16));
    byid = gg_xmalloc(sizeof(*byid) * (n ? n : 1));
    for (size_t k = 0; k < n; k++)
        byid[k] = (struct geo_id_order){ids[k], (uint32_t)k};
    qsort(byid, n, sizeof(*byid), geo_id_order_cmp);
    for (size_t k = 1; k < n; k++) {
        if (byid[k].id == byid[k - 1].id) {
            rc = gg_failf(err, GG_EINVAL, "id", MSG_DUPLICATE, "%" PRId64,
                          byid[k].id);
            free(byid);
            return rc;
        }
    }
    idx = gg_xcalloc(1, sizeof(*idx));
    idx->kind = kind;
    idx->n = n;
    idx->ids = gg_xmalloc(sizeof(int64_t) * (n ? n : 1));
    order = gg_xmalloc(sizeof(uint32_t) * (n ? n : 1));
    for (size_t k = 0; k < n; k++) {
        idx->ids[k] = byid[k].id;
        order[k] = byid[k].k;
    }
    free(byid);
    for (size_t k = 0; k < n; k++) {
        const double *b = shapes[k]->bbox;
        idx->x0 = k ? fmin(idx->x0, b[0]) : b[0];
        idx->y0 = k ? fmin(idx->y0, b[1]) : b[1];
        idx->x1 = k ? fmax(idx->x1, b[2]) : b[2];
        idx->y1 = k ? fmax(idx->y1, b[3]) : b[3];
    }
    if (kind == GEO_INDEX_CELLS)
        geo_index_build_cells(idx, shapes, order);
    else
        rc = geo_index_build_strtree(idx, shapes, order, err);
    free(order);
    if (rc) {
        geo_index_free(idx);
        return rc;
    }
    *out = idx;
    return 0;
}

struct geo_strtree_query {
    struct geo_strtree *st;
    const GEOSGeometry *pt;
    size_t best; /* idx->n: none yet */
    bool failed;
};

static void
geo_strtree_visit(void *item, void *userdata)
{
    struct geo_strtree_query *q = userdata;
    size_t k = (size_t)(uintptr_t)item;
    char r;

    /* Candidates come in tree order; keep the lowest id that covers. */
    if (k >= q->best || q->failed)
        return;
    r = GEOSPreparedCovers_r(q->st->ctx.h, q->st->prep[k], q->pt);
    if (r == 2)
        q->failed = true;
    else if (r == 1)
        q->best = k;
}

static int
geo_index_lookup_strtree(const struct geo_index *idx, double lon, double lat,
                         size_t *found, struct gg_err *err)
{
    struct geo_strtree *st = idx->st;
    struct geo_strtree_query q = {.st = st, .best = idx->n};
    GEOSGeometry *pt;
    int rc = 0;

    pthread_mutex_lock(&st->lock);
    pt = GEOSGeom_createPointFromXY_r(st->ctx.h, lon, lat);
    if (!pt) {
        rc = geo_ctx_fail(&st->ctx, "point", err);
        goto out;
    }
    q.pt = pt;
    GEOSSTRtree_query_r(st->ctx.h, st->tree, pt, geo_strtree_visit, &q);
    GEOSGeom_destroy_r(st->ctx.h, pt);
    if (q.failed)
        rc = geo_ctx_fail(&st->ctx, "prepared_covers", err);
    *found = q.best;
out:
    pthread_mutex_unlock(&st->lock);
    return rc;
}

int
geo_index_lookup(const struct geo_index *idx, double lon, double lat,
                 int64_t *id, struct gg_err *err)
{
    const uint32_t *it, *end;
    size_t found = idx->n;
    uint32_t cell;
    int rc;

    *id = 0;
    if (!idx->n ||
        !(lon >= idx->x0 && lon <= idx->x1 && lat >= idx->y0 && lat <= idx->y1))
        return gg_fail(err, GG_ENOTFOUND, "", MSG_NOT_FOUND);
    if (idx->kind == GEO_INDEX_STRTREE) {
        rc = geo_index_lookup_strtree(idx, lon, lat, &found, err);
        if (rc)
            return rc;
    } else {
        cell = geo_cell_y(idx, lat) * idx->nx + geo_cell_x(idx, lon);
        it = idx->cell_item + idx->cell_off[cell];
        end = idx->cell_item + idx->cell_off[cell + 1];
        /* The list is in id order: the first shape covering the point is
         * the one with the lowest id. */
        for (; it < end; it++) {
            uint32_t k = *it & GEO_ITEM_SHAPE;
            enum geo_loc loc;
            if (*it & GEO_ITEM_INSIDE) {
                found = k;
                break;
            }
            loc = geo_ishape_locate(idx, idx->sh + k, lon, lat);
            if (loc == GEO_LOC_FAILED) {
                gg_log(GG_LOG_ERROR, "geo.geos", "op=orientation");
                return gg_fail(err, GG_EINTERNAL, "", MSG_GEO_FAILED);
            }
            if (loc != GEO_LOC_EXTERIOR) {
                found = k;
                break;
            }
        }
    }
    if (found >= idx->n)
        return gg_fail(err, GG_ENOTFOUND, "", MSG_NOT_FOUND);
    *id = idx->ids[found];
    return 0;
}

size_t
geo_index_size(const struct geo_index *idx)
{
    return idx->n;
}

void
geo_index_free(struct geo_index *idx)
{
    struct geo_strtree *st;

    if (!idx)
        return;
    st = idx->st;
    if (st) {
        if (st->ctx.h) {
            if (st->tree)
                GEOSSTRtree_destroy_r(st->ctx.h, st->tree);
            for (size_t k = 0; k < st->n; k++) {
                if (st->prep[k])
                    GEOSPreparedGeom_destroy_r(st->ctx.h, st->prep[k]);
                GEOSGeom_destroy_r(st->ctx.h, st->geoms[k]);
            }
        }
        geo_ctx_close(&st->ctx);
        pthread_mutex_destroy(&st->lock);
        free(st->geoms);
        free(st->prep);
        free(st);
    }
    free(idx->ids);
    free(idx->sh);
    free(idx->segs);
    free(idx->band_off);
    free(idx->band_seg);
    free(idx->cell_off);
    free(idx->cell_item);
    free(idx);
}
