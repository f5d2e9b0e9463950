/* test_geo.c - grid polygons: parsing, GeoJSON out, the registry checks
 * and the point -> grid index against a brute-force scan. */
#include "unit.h"

#include <math.h>
#include <pthread.h>

#include "core/gg_buf.h"
#include "core/gg_mem.h"
#include "domain/geo.h"

/* ------------------------------------------------------------ helpers */

static uint64_t
rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double
rng_unit(uint64_t *s) /* [0, 1) */
{
    return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

static int
parse(const char *text, struct geo_shape **s, struct gg_err *err)
{
    return geo_polygon_parse_text(text, strlen(text), "boundary", s, err);
}

static struct geo_shape *
must_parse(const char *text)
{
    struct geo_shape *s = NULL;
    struct gg_err err;
    int rc = parse(text, &s, &err);
    if (rc)
        fail_msg("parse failed: msg %d arg %s for %.200s", (int)err.msg,
                 err.arg, text);
    return s;
}

/* An axis-aligned rectangle as a Polygon. */
static struct geo_shape *
rect(double x0, double y0, double x1, double y1)
{
    char text[512];
    snprintf(text, sizeof(text),
             "{\"type\":\"Polygon\",\"coordinates\":[[[%.9f,%.9f],[%.9f,%.9f],"
             "[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f]]]}",
             x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);
    return must_parse(text);
}

/* A ring around (cx, cy) with n vertices, as "[[x,y],...]" into b. */
static void
add_circle(struct gg_buf *b, double cx, double cy, double r, int n)
{
    assert_int_equal(gg_buf_adds(b, "["), 0);
    for (int i = 0; i <= n; i++) {
        double a = 2 * M_PI * (i % n) / n;
        assert_int_equal(gg_buf_addf(b, "%s[%.9f,%.9f]", i ? "," : "",
                                     cx + r * cos(a), cy + r * sin(a)),
                         0);
    }
    assert_int_equal(gg_buf_adds(b, "]"), 0);
}

static void
expect_invalid(const char *text, enum gg_msg_id msg, const char *arg)
{
    struct geo_shape *s = (struct geo_shape *)1;
    struct gg_err err;
    int rc = parse(text, &s, &err);
    if (rc != GG_EINVAL || err.msg != msg)
        fail_msg("expected msg %d, got rc %d msg %d arg '%s' for %.200s",
                 (int)msg, rc, (int)err.msg, err.arg, text);
    assert_null(s);
    assert_string_equal(err.field, "boundary");
    if (arg)
        assert_string_equal(err.arg, arg);
}

/* ------------------------------------------------------------- parsing */

static const char square[] =
    "{\"type\":\"Polygon\",\"coordinates\":[[[117.1,36.2],[117.11,36.2],"
    "[117.11,36.21],[117.1,36.21],[117.1,36.2]]]}";

static void
parse_valid(void **state)
{
    struct geo_shape *s;
    struct gg_err err;
    double bbox[4];
    json_t *j;
    (void)state;

    s = must_parse(square);
    assert_int_equal(geo_shape_vertices(s), 4);
    geo_shape_bbox(s, bbox);
    assert_true(bbox[0] == 117.1 && bbox[1] == 36.2 && bbox[2] == 117.11 &&
                bbox[3] == 36.21);
    geo_shape_free(s);

    /* A hole, integer and 3D positions, a Feature wrapper. */
    s = must_parse("{\"type\":\"Feature\",\"properties\":{\"name\":\"x\"},"
                   "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":["
                   "[[117,36,10],[118,36,10],[118,37,10],[117,37,10],"
                   "[117,36,10]],"
                   "[[117.2,36.2],[117.2,36.4],[117.4,36.4],[117.4,36.2],"
                   "[117.2,36.2]]]}}");
    assert_int_equal(geo_shape_vertices(s), 8);
    j = geo_shape_to_json(s);
    assert_string_equal(json_string_value(json_object_get(j, "type")),
                        "Polygon");
    json_decref(j);
    geo_shape_free(s);

    s = must_parse("{\"type\":\"MultiPolygon\",\"coordinates\":["
                   "[[[0,0],[1,0],[1,1],[0,1],[0,0]]],"
                   "[[[2,0],[3,0],[3,1],[2,1],[2,0]]]]}");
    assert_int_equal(geo_shape_vertices(s), 8);
    j = geo_shape_to_json(s);
    assert_string_equal(json_string_value(json_object_get(j, "type")),
                        "MultiPolygon");
    assert_int_equal(json_array_size(json_object_get(j, "coordinates")), 2);
    json_decref(j);
    geo_shape_free(s);

    /* Edges of the coordinate range are in range. */
    s = must_parse("{\"type\":\"Polygon\",\"coordinates\":[[[-180,-90],"
                   "[180,-90],[180,90],[-180,90],[-180,-90]]]}");
    geo_shape_free(s);
    assert_int_equal(geo_point_check(180, -90, "p", &err), 0);
    assert_int_equal(geo_point_check(180.000001, 0, "p", &err), GG_EINVAL);
    assert_int_equal(err.msg, MSG_GEO_COORD_RANGE);
    assert_int_equal(geo_point_check(NAN, 0, "p", &err), GG_EINVAL);
}

static void
parse_invalid(void **state)
{
    struct gg_buf b = GG_BUF_INIT(1u << 24);
    struct geo_shape *s;
    struct gg_err err;
    char *big;
    (void)state;

    /* The bow-tie crosses itself at its centre. */
    expect_invalid("{\"type\":\"Polygon\",\"coordinates\":[[[117,36],"
                   "[117.01,36.01],[117.01,36],[117,36.01],[117,36]]]}",
                   MSG_GEO_SELF_INTERSECTION, "117.005 36.005");
    expect_invalid("{\"type\":\"Polygon\",\"coordinates\":[[[117,36],"
                   "[117.01,36],[117.01,36.01],[117,36.01],[117,36.001]]]}",
                   MSG_GEO_RING_OPEN, "coordinates[0]");
    expect_invalid("{\"type\":\"Polygon\",\"coordinates\":[[[117,36],"
                   "[181,36],[117.01,36.01],[117,36]]]}",
                   MSG_GEO_COORD_RANGE, "coordinates[0][1]");
    expect_invalid("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],"
                   "[1,0],[1,1],[0,0]]],[[[2,0],[3,0],[3,-90.5],[2,0]]]]}",
                   MSG_GEO_COORD_RANGE, "coordinates[1][0][2]");
    expect_invalid("{\"type\":\"Polygon\",\"coordinates\":[[[117,36],"
                   "[117.01,36],[117,36]]]}",
                   MSG_GEO_TOO_FEW_POINTS, "coordinates[0]");
    /* Four positions, but only two distinct: GEOS's verdict. */
    expect_invalid("{\"type\":\"Polygon\",\"coordinates\":[[[117,36],"
                   "[117.01,36],[117.01,36],[117,36]]]}",
                   MSG_GEO_TOO_FEW_POINTS, NULL);
    /* Holes: outside the shell; shells: one inside another. */
    expect_invalid("{\"type\":\"Polygon\",\"coordinates\":["
                   "[[0,0],[1,0],[1,1],[0,1],[0,0]],"
                   "[[2,2],[3,2],[3,3],[2,3],[2,2]]]}",
                   MSG_GEO_HOLE_OUTSIDE, NULL);
    expect_invalid("{\"type\":\"MultiPolygon\",\"coordinates\":["
                   "[[[0,0],[3,0],[3,3],[0,3],[0,0]]],"
                   "[[[1,1],[2,1],[2,2],[1,2],[1,1]]]]}",
                   MSG_GEO_NESTED, NULL);
    /* Wrong types and shapes of JSON. */
    expect_invalid("{\"type\":\"Point\",\"coordinates\":[117,36]}",
                   MSG_GEO_NOT_POLYGON, "type");
    expect_invalid("{\"type\":\"LineString\",\"coordinates\":[[117,36],"
                   "[118,37]]}",
                   MSG_GEO_NOT_POLYGON, "type");
    expect_invalid("{\"type\":\"GeometryCollection\",\"geometries\":[]}",
                   MSG_GEO_NOT_POLYGON, "type");
    expect_invalid("{\"type\":\"FeatureCollection\",\"features\":[]}",
                   MSG_GEO_NOT_POLYGON, "type");
    expect_invalid("{\"coordinates\":[]}", MSG_GEO_NOT_POLYGON, "type");
    expect_invalid("[1,2]", MSG_GEO_NOT_POLYGON, "type");
    expect_invalid("{\"type\":\"Feature\",\"geometry\":null}",
                   MSG_GEO_NOT_POLYGON, "geometry");
    expect_invalid("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Feature\","
                   "\"geometry\":{}}}",
                   MSG_GEO_NOT_POLYGON, "geometry.type");
    expect_invalid("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\","
                   "\"coordinates\":[[[0,0],[1,0],[1,1],[0,\"1\"],[0,0]]]}}",
                   MSG_GEO_NOT_POLYGON, "geometry.coordinates[0][3]");
    expect_invalid("{\"type\":\"Polygon\"}", MSG_GEO_NOT_POLYGON,
                   "coordinates");
    expect_invalid("{\"type\":\"Polygon\",\"coordinates\":[]}",
                   MSG_GEO_NOT_POLYGON, "coordinates");
    expect_invalid("{\"type\":\"MultiPolygon\",\"coordinates\":[[]]}",
                   MSG_GEO_NOT_POLYGON, "coordinates[0]");
    expect_invalid("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1],"
                   "[1,1],[0,0]]]}",
                   MSG_GEO_NOT_POLYGON, "coordinates[0][1]");
    expect_invalid("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0,0,0],"
                   "[1,1],[0,0]]]}",
                   MSG_GEO_NOT_POLYGON, "coordinates[0][1]");
    expect_invalid("{\"type\":\"Polygon\",\"coordinates\":\"x\"}",
                   MSG_GEO_NOT_POLYGON, "coordinates");

    /* 10,000 vertices pass, 10,001 do not. */
    assert_int_equal(gg_buf_adds(&b, "{\"type\":\"Polygon\",\"coordinates\":["),
                     0);
    add_circle(&b, 117.1, 36.2, 0.05, GEO_MAX_VERTICES);
    assert_int_equal(gg_buf_adds(&b, "]}"), 0);
    s = must_parse(b.data);
    assert_int_equal(geo_shape_vertices(s), GEO_MAX_VERTICES);
    geo_shape_free(s);
    gg_buf_reset(&b);
    assert_int_equal(gg_buf_adds(&b, "{\"type\":\"Polygon\",\"coordinates\":["),
                     0);
    add_circle(&b, 117.1, 36.2, 0.05, GEO_MAX_VERTICES + 1);
    assert_int_equal(gg_buf_adds(&b, "]}"), 0);
    expect_invalid(b.data, MSG_GEO_TOO_MANY_VERTICES, "10000");

    /* A shell and 99 holes pass; one more hole does not. */
    for (int holes = GEO_MAX_RINGS - 1; holes <= GEO_MAX_RINGS; holes++) {
        gg_buf_reset(&b);
        assert_int_equal(gg_buf_adds(&b,
                                     "{\"type\":\"Polygon\",\"coordinates\":["
                                     "[[0,0],[20,0],[20,20],[0,20],[0,0]]"),
                         0);
        for (int i = 0; i < holes; i++) {
            double x = 1 + 1.5 * (i % 10), y = 1 + 1.5 * (i / 10);
            assert_int_equal(gg_buf_addf(&b,
                                         ",[[%g,%g],[%g,%g],[%g,%g],[%g,%g],"
                                         "[%g,%g]]",
                                         x, y, x, y + 1, x + 1, y + 1, x + 1, y,
                                         x, y),
                             0);
        }
        assert_int_equal(gg_buf_adds(&b, "]}"), 0);
        if (holes < GEO_MAX_RINGS) {
            s = must_parse(b.data);
            geo_shape_free(s);
        } else {
            expect_invalid(b.data, MSG_GEO_TOO_MANY_RINGS, "100");
        }
    }
    gg_buf_release(&b);

    /* Text: bad JSON names the field; too long is too big. */
    assert_int_equal(parse("{\"type\":", &s, &err), GG_EINVAL);
    assert_int_equal(err.msg, MSG_JSON_INVALID);
    assert_string_equal(err.field, "boundary");
    big = gg_xmalloc(GEO_TEXT_MAX + 1);
    memset(big, ' ', GEO_TEXT_MAX + 1);
    assert_int_equal(
        geo_polygon_parse_text(big, GEO_TEXT_MAX + 1, "b", &s, &err),
        GG_ETOOBIG);
    assert_int_equal(err.msg, MSG_GEO_TEXT_TOO_BIG);
    free(big);
}

/* --------------------------------------------------------- round trips */

static void
round_trip(void **state)
{
    static const char feature[] =
        "{\"type\":\"Feature\",\"properties\":null,\"geometry\":"
        "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[117.123456789,"
        "36.2],[117.2,36.2],[117.2,36.3],[117.123456789,36.2]],"
        "[[117.15,36.21],[117.19,36.22],[117.18,36.21],[117.15,36.21]]],"
        "[[[-0.5,-1e-09],[0.5,-1e-09],[0.5,0.25],[-0.5,-1e-09]]]]}}";
    struct geo_shape *s, *t;
    json_t *in, *out;
    char *text, *text2;
    size_t len;
    (void)state;

    /* Out comes the geometry that went in, bit for bit. */
    s = must_parse(feature);
    in = json_loads(feature, 0, NULL);
    assert_non_null(in);
    out = geo_shape_to_json(s);
    assert_true(json_equal(out, json_object_get(in, "geometry")));
    json_decref(out);
    json_decref(in);

    /* Storage text parses back to the same shape and the same text. */
    text = geo_shape_to_text(s, &len);
    assert_int_equal(strlen(text), len);
    t = must_parse(text);
    text2 = geo_shape_to_text(t, NULL);
    assert_string_equal(text, text2);
    assert_non_null(strstr(text, "117.123456789,"));
    free(text);
    free(text2);
    geo_shape_free(t);
    geo_shape_free(s);

    s = must_parse(square);
    text = geo_shape_to_text(s, NULL);
    assert_string_equal(text, square);
    free(text);
    geo_shape_free(s);

    /* Finer than 1e-9 degree is rounded, once. */
    s = must_parse("{\"type\":\"Polygon\",\"coordinates\":[[[117.12345678949,"
                   "36.2],[117.2,36.2],[117.2,36.3],[117.12345678949,36.2]]]}");
    text = geo_shape_to_text(s, NULL);
    assert_non_null(strstr(text, "[117.123456789,36.2]"));
    t = must_parse(text);
    text2 = geo_shape_to_text(t, NULL);
    assert_string_equal(text, text2);
    free(text);
    free(text2);
    geo_shape_free(t);
    geo_shape_free(s);
}

/* ------------------------------------------------------ registry checks */

static void
within(void **state)
{
    struct geo_shape *community = rect(117.10, 36.20, 117.12, 36.22);
    struct geo_shape *in = rect(117.10, 36.20, 117.11, 36.21);
    /* 0.00005 degree of longitude is about 4.5 m at 36.2N. */
    struct geo_shape *out5 = rect(117.11, 36.21, 117.12005, 36.22);
    struct geo_shape *far = rect(117.2, 36.2, 117.21, 36.21);
    struct gg_err err;
    double outside;
    bool ok;
    (void)state;

    assert_int_equal(geo_within(in, community, 0, &ok, &outside, &err), 0);
    assert_true(ok);
    assert_true(outside == 0);
    assert_int_equal(geo_within(community, community, 0, &ok, NULL, &err), 0);
    assert_true(ok);
    assert_int_equal(geo_within(out5, community, 10, &ok, &outside, &err), 0);
    assert_true(ok);
    /* The strip outside: 4.5 m by 0.01 degree of latitude (1,110 m). */
    assert_true(outside > 4500 && outside < 5500);
    assert_int_equal(geo_within(out5, community, 3, &ok, NULL, &err), 0);
    assert_false(ok);
    assert_int_equal(geo_within(out5, community, 0, &ok, NULL, &err), 0);
    assert_false(ok);
    assert_int_equal(geo_within(far, community, 100, &ok, NULL, &err), 0);
    assert_false(ok);
    geo_shape_free(community);
    geo_shape_free(in);
    geo_shape_free(out5);
    geo_shape_free(far);
}

static void
overlap(void **state)
{
    struct geo_shape *a = rect(117.10, 36.20, 117.11, 36.21);
    struct geo_shape *b = rect(117.109, 36.20, 117.12, 36.21);
    struct geo_shape *strip = rect(117.109, 36.20, 117.11, 36.21);
    struct geo_shape *touch = rect(117.11, 36.20, 117.12, 36.21);
    struct geo_shape *far = rect(118, 37, 118.01, 37.01);
    struct gg_err err;
    double area, expect;
    (void)state;

    assert_int_equal(geo_shape_area_m2(strip, &expect, &err), 0);
    /* 0.001 degree of longitude (~90 m) by 0.01 of latitude (~1,110 m). */
    assert_true(expect > 95000 && expect < 105000);
    assert_int_equal(geo_overlap_area_m2(a, b, &area, &err), 0);
    assert_true(fabs(area - expect) < expect * 1e-3);
    assert_int_equal(geo_overlap_area_m2(a, touch, &area, &err), 0);
    assert_true(area == 0);
    assert_int_equal(geo_overlap_area_m2(a, far, &area, &err), 0);
    assert_true(area == 0);
    geo_shape_free(a);
    geo_shape_free(b);
    geo_shape_free(strip);
    geo_shape_free(touch);
    geo_shape_free(far);
}

static void
gaps(void **state)
{
    struct geo_shape *community = rect(117.10, 36.20, 117.12, 36.22);
    struct geo_shape *q[4] = {
        rect(117.10, 36.20, 117.11, 36.21),
        rect(117.11, 36.20, 117.12, 36.21),
        rect(117.10, 36.21, 117.11, 36.22),
        rect(117.11, 36.21, 117.12, 36.22),
    };
    /* Like q[3] but 0.5 m short of the community's northern edge. */
    struct geo_shape *short3 = rect(117.11, 36.21, 117.12, 36.2199955);
    const struct geo_shape *kids[4];
    struct geo_shape *g;
    struct gg_err err;
    double area, quarter, whole;
    json_t *out;
    char *text;
    (void)state;

    assert_int_equal(geo_shape_area_m2(q[3], &quarter, &err), 0);
    assert_int_equal(geo_shape_area_m2(community, &whole, &err), 0);
    assert_true(fabs(quarter * 4 - whole) < whole * 1e-3);

    /* Three grids of four: the gap is the missing quarter. */
    for (int i = 0; i < 3; i++)
        kids[i] = q[i];
    assert_int_equal(
        geo_coverage_gaps(community, kids, 3, 1, &area, &out, &err), 0);
    assert_true(fabs(area - quarter) < quarter * 1e-3);
    assert_string_equal(json_string_value(json_object_get(out, "type")),
                        "MultiPolygon");
    assert_int_equal(json_array_size(json_object_get(out, "coordinates")), 1);
    /* The report is GeoJSON we accept ourselves, and it is that quarter. */
    text = json_dumps(out, JSON_COMPACT);
    g = must_parse(text);
    assert_int_equal(geo_within(g, q[3], 0, &(bool){0}, NULL, &err), 0);
    assert_int_equal(geo_overlap_area_m2(g, q[3], &area, &err), 0);
    assert_true(fabs(area - quarter) < quarter * 1e-3);
    free(text);
    geo_shape_free(g);
    json_decref(out);

    /* All four: no gap. */
    kids[3] = q[3];
    assert_int_equal(
        geo_coverage_gaps(community, kids, 4, 0, &area, &out, &err), 0);
    assert_true(area == 0);
    assert_int_equal(json_array_size(json_object_get(out, "coordinates")), 0);
    json_decref(out);

    /* A 0.5 m sliver: reported without tolerance, dropped with 2 m. */
    kids[3] = short3;
    assert_int_equal(
        geo_coverage_gaps(community, kids, 4, 0, &area, NULL, &err), 0);
    assert_true(area > 300 && area < 700); /* ~900 m by 0.5 m */
    assert_int_equal(
        geo_coverage_gaps(community, kids, 4, 2, &area, &out, &err), 0);
    assert_true(area == 0);
    assert_int_equal(json_array_size(json_object_get(out, "coordinates")), 0);
    json_decref(out);

    /* Only a grid in the middle: the gap is a frame, a polygon with a
     * hole, and the report keeps the hole. */
    g = rect(117.105, 36.205, 117.115, 36.215);
    kids[0] = g;
    assert_int_equal(
        geo_coverage_gaps(community, kids, 1, 0, &area, &out, &err), 0);
    assert_true(fabs(area - 3 * quarter) < quarter * 1e-3);
    assert_int_equal(
        json_array_size(json_array_get(json_object_get(out, "coordinates"), 0)),
        2);
    json_decref(out);
    geo_shape_free(g);

    /* No grids at all: the whole community. */
    assert_int_equal(
        geo_coverage_gaps(community, NULL, 0, 0, &area, NULL, &err), 0);
    assert_true(fabs(area - whole) < whole * 1e-9);

    geo_shape_free(community);
    for (int i = 0; i < 4; i++)
        geo_shape_free(q[i]);
    geo_shape_free(short3);
}

/* ---------------------------------------------------------- the index */

#define GX 30
#define GY 24

struct grid {
    size_t n;
    struct geo_shape **shapes;
    int64_t *ids;
    double *px, *py; /* vertices of the generating lattice */
    size_t npts;
};

/* The (canonical) point of lattice vertex (i, j), jittered. */
static void
lattice(const struct grid *g, int i, int j, double *x, double *y)
{
    *x = g->px[j * (GX + 1) + i];
    *y = g->py[j * (GX + 1) + i];
}

/* Appends the edge from lattice vertex a to b, subdivided into sub parts
 * with a wiggle that is the same seen from either side (without the end
 * vertex). */
static void
add_edge(struct gg_buf *b, const struct grid *g, int ai, int aj, int bi, int bj,
         int sub, bool *first)
{
    double ax, ay, bx, by;
    bool flip = aj * (GX + 1) + ai > bj * (GX + 1) + bi;
    uint64_t seed =
        (uint64_t)(flip ? bj * (GX + 1) + bi : aj * (GX + 1) + ai) * 1000003u +
        (uint64_t)(flip ? aj * (GX + 1) + ai : bj * (GX + 1) + bi);

    lattice(g, ai, aj, &ax, &ay);
    lattice(g, bi, bj, &bx, &by);
    for (int s = 0; s < sub; s++) {
        /* Along the canonical direction, t and the offset. */
        int cs = flip ? sub - s : s;
        double t = (double)cs / sub, off = 0, x, y;
        uint64_t r = seed + (uint64_t)cs * 7919u;
        if (cs > 0)
            off = (rng_unit(&r) - 0.5) * 0.15;
        if (flip) {
            x = bx + (ax - bx) * t - (ay - by) * off;
            y = by + (ay - by) * t + (ax - bx) * off;
        } else {
            x = ax + (bx - ax) * t - (by - ay) * off;
            y = ay + (by - ay) * t + (bx - ax) * off;
        }
        assert_int_equal(
            gg_buf_addf(b, "%s[%.9f,%.9f]", *first ? "" : ",", x, y), 0);
        *first = false;
    }
}

/*
 * GX x GY irregular quadrilaterals tiling a patch near 117.1E 36.2N (edges
 * split into `sub` wiggly parts), ids a shuffled sequence, plus a donut and
 * the island in its hole to the east.
 */
static void
grid_make(struct grid *g, int sub, uint64_t seed)
{
    const double x0 = 117.05, y0 = 36.15, dx = 0.004, dy = 0.003;
    struct gg_buf b = GG_BUF_INIT(1u << 20);
    size_t n = 0;

    g->n = GX * GY + 2;
    g->shapes = gg_xcalloc(g->n, sizeof(*g->shapes));
    g->ids = gg_xcalloc(g->n, sizeof(*g->ids));
    g->npts = (GX + 1) * (GY + 1);
    g->px = gg_xcalloc(g->npts, sizeof(double));
    g->py = gg_xcalloc(g->npts, sizeof(double));
    for (int j = 0; j <= GY; j++) {
        for (int i = 0; i <= GX; i++) {
            double jx = 0, jy = 0;
            if (i > 0 && i < GX)
                jx = (rng_unit(&seed) - 0.5) * dx * 0.4;
            if (j > 0 && j < GY)
                jy = (rng_unit(&seed) - 0.5) * dy * 0.4;
            /* Every third lattice row stays straight: shared horizontal
             * edges, the border cases of the crossing count. */
            if (j % 3 == 0)
                jy = 0;
            g->px[j * (GX + 1) + i] = round((x0 + i * dx + jx) * 1e9) / 1e9;
            g->py[j * (GX + 1) + i] = round((y0 + j * dy + jy) * 1e9) / 1e9;
        }
    }
    for (int j = 0; j < GY; j++) {
        for (int i = 0; i < GX; i++) {
            bool first = true;
            double sx, sy;
            gg_buf_reset(&b);
            assert_int_equal(gg_buf_adds(&b, "{\"type\":\"Polygon\","
                                             "\"coordinates\":[["),
                             0);
            add_edge(&b, g, i, j, i + 1, j, sub, &first);
            add_edge(&b, g, i + 1, j, i + 1, j + 1, sub, &first);
            add_edge(&b, g, i + 1, j + 1, i, j + 1, sub, &first);
            add_edge(&b, g, i, j + 1, i, j, sub, &first);
            lattice(g, i, j, &sx, &sy);
            assert_int_equal(gg_buf_addf(&b, ",[%.9f,%.9f]]]}", sx, sy), 0);
            g->shapes[n++] = must_parse(b.data);
        }
    }
    /* A donut and its island, east of the grid. */
    gg_buf_reset(&b);
    assert_int_equal(gg_buf_adds(&b, "{\"type\":\"Polygon\","
                                     "\"coordinates\":["),
                     0);
    add_circle(&b, 117.2, 36.2, 0.02, 40);
    assert_int_equal(gg_buf_adds(&b, ","), 0);
    add_circle(&b, 117.2, 36.2, 0.01, 40);
    assert_int_equal(gg_buf_adds(&b, "]}"), 0);
    g->shapes[n++] = must_parse(b.data);
    gg_buf_reset(&b);
    assert_int_equal(gg_buf_adds(&b, "{\"type\":\"MultiPolygon\","
                                     "\"coordinates\":[["),
                     0);
    add_circle(&b, 117.2, 36.2, 0.01, 40);
    assert_int_equal(gg_buf_adds(&b, "]]}"), 0);
    g->shapes[n++] = must_parse(b.data);
    assert_int_equal(n, g->n);

    /* Ids: 1000 + 7k in a shuffled order, so id order is not input order. */
    for (size_t k = 0; k < n; k++)
        g->ids[k] = 1000 + 7 * (int64_t)k;
    for (size_t k = n - 1; k > 0; k--) {
        size_t r = rng_next(&seed) % (k + 1);
        int64_t t = g->ids[k];
        g->ids[k] = g->ids[r];
        g->ids[r] = t;
    }
    gg_buf_release(&b);
}

static void
grid_free(struct grid *g)
{
    for (size_t k = 0; k < g->n; k++)
        geo_shape_free(g->shapes[k]);
    free(g->shapes);
    free(g->ids);
    free(g->px);
    free(g->py);
}

/* The lowest id whose shape covers the point, by GEOS, shape by shape. */
static int
brute(const struct grid *g, double x, double y, int64_t *id)
{
    struct gg_err err;
    int found = 0;

    for (size_t k = 0; k < g->n; k++) {
        double bb[4];
        bool covers;
        geo_shape_bbox(g->shapes[k], bb);
        if (x < bb[0] || x > bb[2] || y < bb[1] || y > bb[3])
            continue;
        assert_int_equal(geo_shape_covers(g->shapes[k], x, y, &covers, &err),
                         0);
        if (covers && (!found || g->ids[k] < *id)) {
            *id = g->ids[k];
            found = 1;
        }
    }
    return found ? 0 : GG_ENOTFOUND;
}

static void
check_point(const struct grid *g, struct geo_index *const *idx, double x,
            double y, int *hits)
{
    int64_t want = -1, got;
    int rc = brute(g, x, y, &want);

    for (int kind = 0; kind < GEO_INDEX__COUNT; kind++) {
        int rc2 = geo_index_lookup(idx[kind], x, y, &got, NULL);
        if (rc2 != rc || (!rc && got != want))
            fail_msg("kind %d at %.12f %.12f: rc %d id %" PRId64
                     ", brute force rc %d id %" PRId64,
                     kind, x, y, rc2, got, rc, want);
    }
    *hits += !rc;
}

static void
lookup_matches_brute_force(int sub, uint64_t seed)
{
    struct geo_index *idx[GEO_INDEX__COUNT];
    struct gg_err err;
    struct grid g;
    int hits = 0, points = 0;
    double bb[4] = {117.05, 36.15, 117.05 + GX * 0.004, 36.15 + GY * 0.003};

    grid_make(&g, sub, seed);
    for (int kind = 0; kind < GEO_INDEX__COUNT; kind++)
        assert_int_equal(
            geo_index_build((const struct geo_shape *const *)g.shapes, g.ids,
                            g.n, (enum geo_index_kind)kind, &idx[kind], &err),
            0);
    assert_int_equal(geo_index_size(idx[0]), g.n);

    /* Random points over the grid, the donut and some margin. */
    for (int i = 0; i < 4000; i++, points++)
        check_point(&g, idx, 117.04 + rng_unit(&seed) * 0.2,
                    36.14 + rng_unit(&seed) * 0.09, &hits);
    /* Every lattice vertex (shared by up to four grids) and points on the
     * shared edges: the lowest id must win, the same every time. */
    for (size_t v = 0; v < g.npts; v++, points++)
        check_point(&g, idx, g.px[v], g.py[v], &hits);
    for (int j = 0; j <= GY; j += 3) {
        for (int i = 0; i < GX; i++, points++) {
            double ax, ay, bx, by;
            lattice(&g, i, j, &ax, &ay);
            lattice(&g, i + 1, j, &bx, &by);
            check_point(&g, idx, (ax + bx) / 2, ay, &hits);
        }
    }
    /* Points of every shape's outline, and of the donut's hole. */
    for (size_t k = 0; k < g.n; k += 7) {
        json_t *j = geo_shape_to_json(g.shapes[k]);
        json_t *rings = json_object_get(j, "coordinates"), *ring, *pos;
        size_t r, p;
        if (!strcmp(json_string_value(json_object_get(j, "type")),
                    "MultiPolygon"))
            rings = json_array_get(rings, 0);
        json_array_foreach(rings, r, ring)
        {
            json_array_foreach(ring, p, pos)
            {
                check_point(&g, idx, json_real_value(json_array_get(pos, 0)),
                            json_real_value(json_array_get(pos, 1)), &hits);
                points++;
            }
        }
        json_decref(j);
    }
    check_point(&g, idx, 117.2, 36.2, &hits);         /* the island */
    check_point(&g, idx, 117.2, 36.2 + 0.015, &hits); /* the donut */
    /* Most points hit a grid; a few miss: both sides were checked. */
    assert_true(hits > points / 2 && hits < points);

    /* Far away, out of range, not a number: not found. */
    for (int kind = 0; kind < GEO_INDEX__COUNT; kind++) {
        int64_t id;
        assert_int_equal(geo_index_lookup(idx[kind], 0, 0, &id, &err),
                         GG_ENOTFOUND);
        assert_int_equal(geo_index_lookup(idx[kind], 117.1, 91, &id, NULL),
                         GG_ENOTFOUND);
        assert_int_equal(geo_index_lookup(idx[kind], NAN, 36.2, &id, NULL),
                         GG_ENOTFOUND);
        assert_int_equal(
            geo_index_lookup(idx[kind], 117.1, INFINITY, &id, NULL),
            GG_ENOTFOUND);
    }
    (void)bb;
    for (int kind = 0; kind < GEO_INDEX__COUNT; kind++)
        geo_index_free(idx[kind]);
    grid_free(&g);
}

static void
lookup_quads(void **state)
{
    (void)state;
    lookup_matches_brute_force(1, 42);
}

static void
lookup_wiggly(void **state)
{
    (void)state;
    /* 24 segments a grid: the per-shape bands are used. */
    lookup_matches_brute_force(6, 7);
}

static void
shared_borders(void **state)
{
    /* A square cut along its diagonal into two triangles; coordinates are
     * binary fractions, so the midpoint lies exactly on the diagonal and
     * only exact arithmetic (GEOS's fallback) can tell. Then four squares
     * meeting at one vertex. */
    const double e = 0.0078125; /* 2^-7 */
    char text[512];
    struct geo_shape *s[6];
    const int64_t ids[6] = {50, 40, 30, 20, 31, 21};
    struct geo_index *idx[GEO_INDEX__COUNT];
    struct gg_err err;
    int64_t id;

    (void)state;
    snprintf(text, sizeof(text),
             "{\"type\":\"Polygon\",\"coordinates\":[[[117,36],[%.9f,36],"
             "[%.9f,%.9f],[117,36]]]}",
             117 + e, 117 + e, 36 + e);
    s[0] = must_parse(text); /* lower right, id 50 */
    snprintf(text, sizeof(text),
             "{\"type\":\"Polygon\",\"coordinates\":[[[117,36],[%.9f,%.9f],"
             "[117,%.9f],[117,36]]]}",
             117 + e, 36 + e, 36 + e);
    s[1] = must_parse(text);               /* upper left, id 40 */
    s[2] = rect(117.1, 36.1, 117.2, 36.2); /* ids 30, 20, 31, 21 */
    s[3] = rect(117.2, 36.1, 117.3, 36.2);
    s[4] = rect(117.1, 36.2, 117.2, 36.3);
    s[5] = rect(117.2, 36.2, 117.3, 36.3);
    for (int kind = 0; kind < GEO_INDEX__COUNT; kind++) {
        assert_int_equal(geo_index_build((const struct geo_shape *const *)s,
                                         ids, 6, (enum geo_index_kind)kind,
                                         &idx[kind], &err),
                         0);
    }
    for (int kind = 0; kind < GEO_INDEX__COUNT; kind++) {
        struct geo_index *x = idx[kind];
        assert_int_equal(
            geo_index_lookup(x, 117 + e / 2, 36 + e / 2, &id, &err), 0);
        assert_int_equal(id, 40);
        assert_int_equal(
            geo_index_lookup(x, 117 + e / 2, 36 + e / 4, &id, &err), 0);
        assert_int_equal(id, 50);
        assert_int_equal(geo_index_lookup(x, 117 + e, 36 + e, &id, &err), 0);
        assert_int_equal(id, 40);
        /* The common vertex of four squares; an edge of two. */
        assert_int_equal(geo_index_lookup(x, 117.2, 36.2, &id, &err), 0);
        assert_int_equal(id, 20);
        assert_int_equal(geo_index_lookup(x, 117.15, 36.2, &id, &err), 0);
        assert_int_equal(id, 30);
        assert_int_equal(geo_index_lookup(x, 117.25, 36.2, &id, &err), 0);
        assert_int_equal(id, 20);
        assert_int_equal(geo_index_lookup(x, 117.2, 36.25, &id, &err), 0);
        assert_int_equal(id, 21);
        assert_int_equal(geo_index_lookup(x, 117.3, 36.3, &id, &err), 0);
        assert_int_equal(id, 21);
        assert_int_equal(geo_index_lookup(x, 117.3000001, 36.3, &id, &err),
                         GG_ENOTFOUND);
        assert_int_equal(err.code, GG_ENOTFOUND);
        geo_index_free(x);
    }
    for (int i = 0; i < 6; i++)
        geo_shape_free(s[i]);
}

static void
index_edges(void **state)
{
    struct geo_shape *s[2] = {rect(117.1, 36.1, 117.2, 36.2),
                              rect(117.2, 36.1, 117.3, 36.2)};
    const int64_t dup[2] = {5, 5};
    struct geo_index *idx = (struct geo_index *)1;
    struct gg_err err;
    int64_t id = 9;
    (void)state;

    assert_int_equal(geo_index_build((const struct geo_shape *const *)s, dup, 2,
                                     GEO_INDEX_CELLS, &idx, &err),
                     GG_EINVAL);
    assert_null(idx);
    assert_int_equal(err.msg, MSG_DUPLICATE);
    for (int kind = 0; kind < GEO_INDEX__COUNT; kind++) {
        assert_int_equal(geo_index_build(NULL, NULL, 0,
                                         (enum geo_index_kind)kind, &idx, &err),
                         0);
        assert_int_equal(geo_index_lookup(idx, 117.15, 36.15, &id, &err),
                         GG_ENOTFOUND);
        assert_int_equal(id, 0);
        geo_index_free(idx);
    }
    geo_index_free(NULL);
    geo_shape_free(NULL);
    geo_shape_free(s[0]);
    geo_shape_free(s[1]);
}

/* Compares both index kinds with the brute force on random points over
 * the shapes' extent. */
static void
odd_index(struct geo_shape **shapes, size_t n, uint64_t seed)
{
    struct geo_index *idx[GEO_INDEX__COUNT];
    struct grid g = {.n = n, .shapes = shapes};
    struct gg_err err;
    double bb[4] = {180, 90, -180, -90};
    int hits = 0;

    g.ids = gg_xcalloc(n, sizeof(*g.ids));
    for (size_t k = 0; k < n; k++) {
        double b[4];
        g.ids[k] = (int64_t)((k * 37) % n); /* distinct, shuffled */
        geo_shape_bbox(shapes[k], b);
        bb[0] = fmin(bb[0], b[0]);
        bb[1] = fmin(bb[1], b[1]);
        bb[2] = fmax(bb[2], b[2]);
        bb[3] = fmax(bb[3], b[3]);
    }
    for (int kind = 0; kind < GEO_INDEX__COUNT; kind++)
        assert_int_equal(
            geo_index_build((const struct geo_shape *const *)shapes, g.ids, n,
                            (enum geo_index_kind)kind, &idx[kind], &err),
            0);
    for (int i = 0; i < 1500; i++)
        check_point(&g, idx, bb[0] + rng_unit(&seed) * (bb[2] - bb[0]),
                    bb[1] + rng_unit(&seed) * (bb[3] - bb[1]), &hits);
    assert_true(hits > 0);
    for (int kind = 0; kind < GEO_INDEX__COUNT; kind++)
        geo_index_free(idx[kind]);
    free(g.ids);
}

static void
index_odd_shapes(void **state)
{
    struct gg_buf b = GG_BUF_INIT(1u << 20);
    struct geo_shape *s[300];
    (void)state;

    /* A comb: every tooth spans the whole height, so a ray crosses all of
     * them and latitude bands cannot narrow the search (fewer are made). */
    assert_int_equal(gg_buf_adds(&b, "{\"type\":\"Polygon\","
                                     "\"coordinates\":[[[117,36]"),
                     0);
    for (int t = 0; t < 60; t++)
        assert_int_equal(gg_buf_addf(&b,
                                     ",[%.9f,36.1],[%.9f,36.1],[%.9f,36.01]"
                                     ",[%.9f,36.01]",
                                     117 + t * 0.002, 117.001 + t * 0.002,
                                     117.001 + t * 0.002, 117.002 + t * 0.002),
                         0);
    assert_int_equal(gg_buf_adds(&b, ",[117.12,36],[117,36]]]}"), 0);
    s[0] = must_parse(b.data);
    s[1] = rect(117.001, 36.05, 117.119, 36.2); /* overlapping the teeth */
    odd_index(s, 2, 3);
    geo_shape_free(s[0]);
    geo_shape_free(s[1]);

    /* 300 nested squares, each overlapping all others: cells are made
     * coarser until the lists fit. */
    for (int i = 0; i < 300; i++)
        s[i] = rect(117 + i * 1e-4, 36 + i * 1e-4, 117.1 - i * 1e-4,
                    36.1 - i * 1e-4);
    odd_index(s, 300, 4);
    for (int i = 0; i < 300; i++)
        geo_shape_free(s[i]);
    gg_buf_release(&b);
}

/* ------------------------------------------------------------- threads */

#define T_POINTS 20000
#define T_THREADS 4

struct t_job {
    const struct geo_index *idx;
    const double *x, *y;
    const int64_t *want;
    int bad;
};

static void *
t_run(void *arg)
{
    struct t_job *job = arg;

    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < T_POINTS; i++) {
            int64_t id = -1;
            int rc =
                geo_index_lookup(job->idx, job->x[i], job->y[i], &id, NULL);
            if ((rc ? -1 : id) != job->want[i])
                job->bad++;
        }
    }
    return NULL;
}

static void
lookup_threads(void **state)
{
    static double x[T_POINTS], y[T_POINTS];
    static int64_t want[T_POINTS];
    struct geo_index *idx[GEO_INDEX__COUNT];
    struct gg_err err;
    uint64_t seed = 99;
    struct grid g;
    (void)state;

    grid_make(&g, 2, 5);
    for (int kind = 0; kind < GEO_INDEX__COUNT; kind++)
        assert_int_equal(
            geo_index_build((const struct geo_shape *const *)g.shapes, g.ids,
                            g.n, (enum geo_index_kind)kind, &idx[kind], &err),
            0);
    for (int i = 0; i < T_POINTS; i++) {
        int64_t id;
        x[i] = 117.04 + rng_unit(&seed) * 0.2;
        y[i] = 36.14 + rng_unit(&seed) * 0.09;
        if (i % 10 == 0) { /* lattice vertices: the border cases */
            size_t v = rng_next(&seed) % g.npts;
            x[i] = g.px[v];
            y[i] = g.py[v];
        }
        want[i] = geo_index_lookup(idx[GEO_INDEX_CELLS], x[i], y[i], &id, NULL)
                      ? -1
                      : id;
    }
    for (int kind = 0; kind < GEO_INDEX__COUNT; kind++) {
        pthread_t t[T_THREADS];
        struct t_job jobs[T_THREADS];
        for (int i = 0; i < T_THREADS; i++) {
            jobs[i] = (struct t_job){idx[kind], x, y, want, 0};
            assert_int_equal(pthread_create(&t[i], NULL, t_run, &jobs[i]), 0);
        }
        for (int i = 0; i < T_THREADS; i++) {
            assert_int_equal(pthread_join(t[i], NULL), 0);
            assert_int_equal(jobs[i].bad, 0);
        }
        geo_index_free(idx[kind]);
    }
    grid_free(&g);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_valid),      cmocka_unit_test(parse_invalid),
        cmocka_unit_test(round_trip),       cmocka_unit_test(within),
        cmocka_unit_test(overlap),          cmocka_unit_test(gaps),
        cmocka_unit_test(lookup_quads),     cmocka_unit_test(lookup_wiggly),
        cmocka_unit_test(shared_borders),   cmocka_unit_test(index_edges),
        cmocka_unit_test(index_odd_shapes), cmocka_unit_test(lookup_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
