/* test_workcal.c - the working-hours calendar (core/gg_workcal): parsing,
 * deadlines across nights, lunch, weekends, holidays and make-up days, and
 * a property check against between() and a minute-by-minute reference.
 * The 2026 holidays below are test data, not the official calendar. */
#include "unit.h"

#include "core/gg_time.h"
#include "core/gg_workcal.h"

#define H 3600
#define M 60

/* Office hours in China with the given exceptions. */
static struct gg_workcal
cal_new(const struct gg_workcal_day *days, size_t n)
{
    struct gg_workcal c = {.tz_min = 480, .days = days, .n_days = n};
    struct gg_err err;

    assert_int_equal(gg_workcal_hours(&c, "08:30-12:00,14:00-17:30", &err), 0);
    return c;
}

static int32_t
day(const char *ymd)
{
    int32_t d = 0;
    struct gg_err err;

    assert_int_equal(gg_workcal_day_parse(ymd, "day", &d, &err), 0);
    return d;
}

/* The unix time of local hh:mm on ymd. */
static int64_t
at(const struct gg_workcal *c, const char *ymd, int hh, int mm)
{
    return gg_workcal_day_start(c, day(ymd)) + hh * H + mm * M;
}

static void
hours_good(void **state)
{
    struct gg_workcal c = {.tz_min = 480};
    struct gg_err err;

    (void)state;
    assert_int_equal(gg_workcal_hours(&c, "08:30-12:00,14:00-17:30", &err), 0);
    assert_int_equal(c.n_spans, 2);
    assert_int_equal(c.spans[0].from, 510);
    assert_int_equal(c.spans[0].to, 720);
    assert_int_equal(c.spans[1].from, 840);
    assert_int_equal(c.spans[1].to, 1050);
    assert_int_equal(c.tz_min, 480);

    assert_int_equal(gg_workcal_hours(&c, "00:00-24:00", &err), 0);
    assert_int_equal(c.n_spans, 1);
    assert_int_equal(c.spans[0].from, 0);
    assert_int_equal(c.spans[0].to, 1440);

    assert_int_equal(
        gg_workcal_hours(&c, " 08:00 - 12:00 , 13:00-17:00 ", &err), 0);
    assert_int_equal(c.n_spans, 2);
    assert_int_equal(c.spans[1].to, 1020);

    assert_int_equal(gg_workcal_hours(&c,
                                      "06:00-07:00,08:00-12:00,12:00-13:00,"
                                      "23:59-24:00",
                                      &err),
                     0);
    assert_int_equal(c.n_spans, 4);
    assert_int_equal(c.spans[2].from, 720); /* touching is fine */
    assert_int_equal(c.spans[3].from, 1439);
}

static void
hours_bad(void **state)
{
    static const char *const bad[] = {
        "",
        "   ",
        "8:30-12:00",
        "08:30-12:00,",
        ",08:30-12:00",
        "08:30-12:00;14:00-17:30",
        "08:30-12:00,,14:00-17:30",
        "12:00-08:30",
        "08:30-08:30",
        "08:30-12:00,11:00-17:30",
        "14:00-17:30,08:30-12:00",
        "24:30-25:00",
        "23:00-24:01",
        "08:60-09:00",
        "-1:00-02:00",
        "08:30",
        "08:30-",
        "08:30~12:00",
        "08:30-12:00x",
        "08:30-12:00 14:00-17:30",
        "08：30-12：00",
        "01:00-02:00,03:00-04:00,05:00-06:00,07:00-08:00,09:00-10:00",
        "abc",
    };
    struct gg_workcal c = cal_new(NULL, 0);
    struct gg_err err;

    (void)state;
    for (size_t i = 0; i < GG_ARRAY_LEN(bad); i++) {
        gg_err_clear(&err);
        assert_int_equal(gg_workcal_hours(&c, bad[i], &err), GG_EINVAL);
        assert_string_equal(err.field, "work_hours");
        assert_int_equal(err.msg, MSG_WORK_HOURS);
        assert_string_equal(err.arg, bad[i]);
        /* left as it was */
        assert_int_equal(c.n_spans, 2);
        assert_int_equal(c.spans[0].from, 510);
        assert_int_equal(c.spans[1].to, 1050);
    }
    assert_int_equal(gg_workcal_hours(&c, NULL, &err), GG_EINVAL);
    assert_int_equal(gg_workcal_hours(&c, "", NULL), GG_EINVAL);
}

static void
days_and_weekdays(void **state)
{
    static const struct gg_workcal_day days[] = {
        {20518, 0}, /* 2026-03-06, a Friday: holiday */
        {20519, 1}, /* 2026-03-07, a Saturday: make-up day */
        {20521, 1}, /* 2026-03-09, a Monday listed as working: no change */
    };
    struct gg_workcal c = cal_new(days, GG_ARRAY_LEN(days));
    struct gg_err err;
    int32_t d;

    (void)state;
    assert_int_equal(gg_ymd_days(19700101), 0);
    assert_int_equal(gg_ymd_days(19691231), -1);
    assert_int_equal(gg_ymd_days(20000301), 11017);
    assert_int_equal(gg_ymd_days(20260306), 20518);
    assert_int_equal(gg_ymd_days(18000101), -62091);
    assert_int_equal(day("2026-10-01"), 20727);
    assert_int_equal(gg_workcal_day_parse("2026-02-29", "holiday", &d, &err),
                     GG_EINVAL);
    assert_string_equal(err.field, "holiday");
    assert_int_equal(err.msg, MSG_DATE_PLAIN);
    assert_int_equal(gg_workcal_day_parse("2026-3-6", "day", &d, &err),
                     GG_EINVAL);

    assert_int_equal(gg_workcal_is_workday(&c, day("2026-03-05")), 1); /* Thu */
    assert_int_equal(gg_workcal_is_workday(&c, day("2026-03-06")), 0);
    assert_int_equal(gg_workcal_is_workday(&c, day("2026-03-07")), 1);
    assert_int_equal(gg_workcal_is_workday(&c, day("2026-03-08")), 0); /* Sun */
    assert_int_equal(gg_workcal_is_workday(&c, day("2026-03-09")), 1);
    assert_int_equal(gg_workcal_is_workday(&c, day("1969-12-27")), 0); /* Sat */
    assert_int_equal(gg_workcal_is_workday(&c, day("1969-12-29")), 1); /* Mon */

    /* local days: 2026-03-08 16:00 UTC is already the 9th in China */
    assert_int_equal(gg_workcal_day_of(&c, at(&c, "2026-03-09", 0, 0)),
                     day("2026-03-09"));
    assert_int_equal(gg_workcal_day_of(&c, at(&c, "2026-03-09", 0, 0) - 1),
                     day("2026-03-08"));
    assert_int_equal(at(&c, "2026-03-09", 0, 0), 1773014400 - 8 * H);
    assert_int_equal(gg_workcal_day_of(&c, -1), 0); /* 07:59 local */
    c.tz_min = 0;
    assert_int_equal(gg_workcal_day_of(&c, -1), -1);
    assert_int_equal(gg_workcal_day_of(&c, -86400), -1);
    assert_int_equal(gg_workcal_day_of(&c, -86401), -2);
}

static void
friday_to_monday(void **state)
{
    struct gg_workcal c = cal_new(NULL, 0);
    int64_t fri = at(&c, "2026-03-06", 16, 0);

    (void)state;
    /* 1.5 h on Friday, 2.5 h on Monday morning */
    assert_int_equal(gg_workcal_add(&c, fri, 4 * H),
                     at(&c, "2026-03-09", 11, 0));
    assert_int_equal(gg_workcal_add(&c, at(&c, "2026-03-06", 15, 30), 4 * H),
                     at(&c, "2026-03-09", 10, 30));
    /* across Monday's lunch: 1.5 + 3.5 + 1 */
    assert_int_equal(gg_workcal_add(&c, fri, 6 * H),
                     at(&c, "2026-03-09", 15, 0));
    assert_int_equal(gg_workcal_between(&c, fri, at(&c, "2026-03-09", 15, 0)),
                     6 * H);
    assert_int_equal(gg_workcal_between(&c, fri, at(&c, "2026-03-09", 13, 0)),
                     5 * H);
}

static void
holiday_skipped(void **state)
{
    static const struct gg_workcal_day days[] = {{20521, 0}}; /* Mon 9th */
    struct gg_workcal c = cal_new(days, GG_ARRAY_LEN(days));
    int64_t fri = at(&c, "2026-03-06", 16, 0);

    (void)state;
    assert_int_equal(gg_workcal_add(&c, fri, 4 * H),
                     at(&c, "2026-03-10", 11, 0));
    assert_int_equal(gg_workcal_between(&c, fri, at(&c, "2026-03-10", 11, 0)),
                     4 * H);
    /* starting on the holiday waits for Tuesday */
    assert_int_equal(gg_workcal_add(&c, at(&c, "2026-03-09", 9, 0), H),
                     at(&c, "2026-03-10", 9, 30));
    assert_int_equal(gg_workcal_between(&c, at(&c, "2026-03-09", 0, 0),
                                        at(&c, "2026-03-10", 0, 0)),
                     0);
}

static void
makeup_saturday_counted(void **state)
{
    static const struct gg_workcal_day days[] = {{20519, 1}}; /* Sat 7th */
    struct gg_workcal c = cal_new(days, GG_ARRAY_LEN(days));
    int64_t fri = at(&c, "2026-03-06", 16, 0);

    (void)state;
    assert_int_equal(gg_workcal_add(&c, fri, 4 * H),
                     at(&c, "2026-03-07", 11, 0));
    assert_int_equal(gg_workcal_add(&c, fri, 9 * H),
                     at(&c, "2026-03-09", 9, 0));
    assert_int_equal(gg_workcal_between(&c, at(&c, "2026-03-07", 0, 0),
                                        at(&c, "2026-03-09", 0, 0)),
                     7 * H);
}

static void
start_outside_hours(void **state)
{
    static const struct gg_workcal_day days[] = {{20518, 0}}; /* Fri 6th */
    struct gg_workcal c = cal_new(days, GG_ARRAY_LEN(days));

    (void)state;
    /* at night */
    assert_int_equal(gg_workcal_add(&c, at(&c, "2026-03-03", 22, 0), H),
                     at(&c, "2026-03-04", 9, 30));
    /* early in the morning */
    assert_int_equal(gg_workcal_add(&c, at(&c, "2026-03-04", 6, 0), H),
                     at(&c, "2026-03-04", 9, 30));
    /* at lunch */
    assert_int_equal(gg_workcal_add(&c, at(&c, "2026-03-04", 12, 30), H),
                     at(&c, "2026-03-04", 15, 0));
    /* on a holiday before a weekend */
    assert_int_equal(gg_workcal_add(&c, at(&c, "2026-03-06", 10, 0), H),
                     at(&c, "2026-03-09", 9, 30));
    /* Thursday evening over the holiday and the weekend */
    assert_int_equal(gg_workcal_add(&c, at(&c, "2026-03-05", 17, 0), H),
                     at(&c, "2026-03-09", 9, 0));
    /* no working time at all: the clock does not move for 0 */
    assert_int_equal(gg_workcal_add(&c, at(&c, "2026-03-04", 22, 0), 0),
                     at(&c, "2026-03-04", 22, 0));
    assert_int_equal(gg_workcal_add(&c, at(&c, "2026-03-04", 22, 0), -5),
                     at(&c, "2026-03-04", 22, 0));
}

static void
span_boundaries(void **state)
{
    struct gg_workcal c = cal_new(NULL, 0);
    int64_t mon = at(&c, "2026-03-09", 0, 0);

    (void)state;
    /* using up the morning ends at 12:00, not at 14:00 */
    assert_int_equal(gg_workcal_add(&c, mon + 8 * H + 30 * M, 3 * H + 30 * M),
                     mon + 12 * H);
    assert_int_equal(gg_workcal_add(&c, mon + 12 * H, 1), mon + 14 * H + 1);
    assert_int_equal(gg_workcal_add(&c, mon + 12 * H - 1, 1), mon + 12 * H);
    assert_int_equal(gg_workcal_add(&c, mon + 12 * H - 1, 2), mon + 14 * H + 1);
    assert_int_equal(gg_workcal_add(&c, mon + 8 * H + 30 * M, 7 * H),
                     mon + 17 * H + 30 * M);
    assert_int_equal(gg_workcal_add(&c, mon, 7 * H), mon + 17 * H + 30 * M);
    assert_int_equal(gg_workcal_add(&c, mon, 7 * H + 1),
                     mon + 86400 + 8 * H + 30 * M + 1);
    assert_int_equal(gg_workcal_add(&c, mon + 17 * H + 30 * M, 1),
                     mon + 86400 + 8 * H + 30 * M + 1);
    assert_int_equal(gg_workcal_add(&c, mon + 17 * H + 30 * M, 0),
                     mon + 17 * H + 30 * M);
    /* whole working days are taken in one step: Monday 00:00 + 5 days is
     * Friday 17:30; Friday 17:30 + 1 s is Monday */
    assert_int_equal(gg_workcal_add(&c, mon, 35 * H),
                     mon + 4 * 86400 + 17 * H + 30 * M);
    assert_int_equal(gg_workcal_add(&c, mon, 35 * H + 1),
                     mon + 7 * 86400 + 8 * H + 30 * M + 1);

    assert_int_equal(gg_workcal_between(&c, mon + 8 * H + 30 * M, mon + 12 * H),
                     3 * H + 30 * M);
    assert_int_equal(gg_workcal_between(&c, mon + 12 * H, mon + 14 * H), 0);
    assert_int_equal(gg_workcal_between(&c, mon, mon + 86400), 7 * H);
    assert_int_equal(gg_workcal_between(&c, mon, mon + 7 * 86400), 35 * H);
    assert_int_equal(gg_workcal_between(&c, mon + 11 * H, mon + 15 * H), 2 * H);
    assert_int_equal(gg_workcal_between(&c, mon + 15 * H, mon + 11 * H), 0);
    assert_int_equal(gg_workcal_between(&c, mon + 9 * H, mon + 9 * H), 0);
}

static void
timezone_offset(void **state)
{
    struct gg_workcal cn = cal_new(NULL, 0), utc = cal_new(NULL, 0);
    /* Monday 2026-03-09 01:00 UTC is 09:00 in China */
    int64_t t = 1773014400 + H;

    (void)state;
    utc.tz_min = 0;
    assert_int_equal(gg_workcal_add(&cn, t, H), t + H);
    assert_int_equal(gg_workcal_add(&utc, t, H), 1773014400 + 9 * H + 30 * M);
    assert_int_equal(gg_workcal_day_of(&cn, t - 2 * H), day("2026-03-09"));
    assert_int_equal(gg_workcal_day_of(&utc, t - 2 * H), day("2026-03-08"));
    /* Sunday 20:00 UTC is Monday 04:00 in China: 08:30-10:00 works */
    assert_int_equal(gg_workcal_between(&cn, t - 5 * H, t + H), H + 30 * M);
    assert_int_equal(gg_workcal_between(&utc, t - 5 * H, t + H), 0);
    assert_int_equal(gg_workcal_day_start(&cn, day("2026-03-09")),
                     1773014400 - 8 * H);
    /* a western offset */
    utc.tz_min = -300;
    assert_int_equal(gg_workcal_add(&utc, 1773014400, H),
                     1773014400 + 5 * H + 9 * H + 30 * M);
}

/* National Day 2026 as test data: 1-7 October off, make-up working days on
 * Sunday 20 September and Saturday 10 October. */
static const struct gg_workcal_day national_day[] = {
    {20716, 1}, /* 09-20 Sun */
    {20727, 0}, {20728, 0}, {20729, 0}, {20730, 0},
    {20731, 0}, {20732, 0}, {20733, 0}, /* 10-01 .. 10-07 */
    {20736, 1},                         /* 10-10 Sat */
};

static void
long_deadline(void **state)
{
    struct gg_workcal c = cal_new(national_day, GG_ARRAY_LEN(national_day));
    int64_t start = at(&c, "2026-09-18", 16, 0), end;

    (void)state;
    assert_int_equal(day("2026-09-20"), national_day[0].day);
    assert_int_equal(day("2026-10-10"), national_day[8].day);
    /* 1.5 h on Fri 18th, 19 whole days (20/9, 21-25/9, 28-30/9, 8-10/10,
     * 12-16/10, 19-20/10), then 5.5 h on Wed 21st */
    end = gg_workcal_add(&c, start, 20 * 7 * H);
    assert_int_equal(end, at(&c, "2026-10-21", 16, 0));
    assert_int_equal(gg_workcal_between(&c, start, end), 20 * 7 * H);
    /* the holiday week holds no working time, the make-up days do */
    assert_int_equal(gg_workcal_between(&c, at(&c, "2026-10-01", 0, 0),
                                        at(&c, "2026-10-08", 0, 0)),
                     0);
    assert_int_equal(gg_workcal_between(&c, at(&c, "2026-09-01", 0, 0),
                                        at(&c, "2026-11-01", 0, 0)),
                     (22 + 22 - 5 + 2) * 7 * H);
    /* sixty working days from Monday 08:30 end on the 60th working day */
    end = gg_workcal_add(&c, at(&c, "2026-09-14", 8, 30), 60 * 7 * H);
    assert_int_equal(end, at(&c, "2026-12-09", 17, 30));
    /* ten years of working time is too far */
    assert_int_equal(gg_workcal_add(&c, start, (int64_t)3000 * 7 * H), 0);
    assert_int_equal(gg_workcal_add(&c, start, INT64_MAX), 0);
    assert_int_equal(gg_workcal_between(&c, INT64_MIN, INT64_MAX) > 0, 1);
    /* out of range: no overflow, no answer */
    assert_int_equal(gg_workcal_add(&c, INT64_MAX, 1), 0);
    assert_int_equal(gg_workcal_add(&c, INT64_MIN, H), 0);
    assert_int_equal(gg_workcal_add(&c, INT64_MAX, 0), INT64_MAX);
    assert_true(gg_workcal_day_of(&c, INT64_MAX) > 0);
    assert_true(gg_workcal_day_of(&c, INT64_MIN) < 0);
}

static void
no_working_time(void **state)
{
    struct gg_workcal c = {.tz_min = 480};
    int64_t t = 1773014400;

    (void)state;
    assert_int_equal(gg_workcal_add(&c, t, 1), 0);
    assert_int_equal(gg_workcal_add(&c, t, 0), t);
    assert_int_equal(gg_workcal_between(&c, t, t + 30 * 86400), 0);
    assert_int_equal(gg_workcal_is_workday(&c, day("2026-03-09")), 1);
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t
next_rand(void)
{
    /* xorshift64*: fixed seed, same cases on every run */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1du;
}

/* Working minutes in [from, to), both on minute boundaries, one at a
 * time: obviously right, and slow. */
static int64_t
ref_minutes(const struct gg_workcal *c, int64_t from, int64_t to)
{
    int64_t n = 0;

    for (int64_t t = from; t < to; t += M) {
        int64_t local = t + c->tz_min * M;
        int64_t d = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
        int min = (int)((local - d * 86400) / M);
        if (!gg_workcal_is_workday(c, (int32_t)d))
            continue;
        for (int k = 0; k < c->n_spans; k++)
            if (min >= c->spans[k].from && min < c->spans[k].to)
                n++;
    }
    return n;
}

static void
property_add_between(void **state)
{
    struct gg_workcal c = cal_new(national_day, GG_ARRAY_LEN(national_day));
    int64_t base = at(&c, "2026-09-01", 0, 0);

    (void)state;
    for (int i = 0; i < 5000; i++) {
        int64_t start = base + (int64_t)(next_rand() % (70 * 86400));
        int64_t d = (int64_t)(next_rand() % (25 * 7 * H));
        int64_t more = (int64_t)(next_rand() % (3 * 7 * H));
        int64_t t;

        if (i % 10 == 0)
            d %= 3 * H; /* short ones too */
        t = gg_workcal_add(&c, start, d);
        assert_true(t >= start);
        assert_int_equal(gg_workcal_between(&c, start, t), d);
        if (d > 0) /* the earliest such moment */
            assert_int_equal(gg_workcal_between(&c, start, t - 1), d - 1);
        assert_true(gg_workcal_add(&c, start, d + more) >= t);
        assert_true(gg_workcal_add(&c, start, d + 1) > t);
    }
    /* other hours and offsets against the reference, minute-aligned */
    for (int i = 0; i < 300; i++) {
        static const char *const specs[] = {
            "08:30-12:00,14:00-17:30", "00:00-24:00", "09:00-17:00",
            "00:00-01:00,11:59-12:01,23:00-24:00",
            "07:00-08:00,08:00-09:00,13:00-13:01,22:00-24:00"};
        static const int tzs[] = {480, 0, -300, 345, 840, -840};
        struct gg_err err;
        int64_t start, d, t;

        assert_int_equal(
            gg_workcal_hours(&c, specs[i % GG_ARRAY_LEN(specs)], &err), 0);
        c.tz_min = tzs[i % GG_ARRAY_LEN(tzs)];
        start = base + (int64_t)(next_rand() % (60 * 1440)) * M;
        d = (int64_t)(next_rand() % (4 * 420)) * M;
        t = gg_workcal_add(&c, start, d);
        assert_int_equal(ref_minutes(&c, start, t) * M, d);
        assert_int_equal(gg_workcal_between(&c, start, t), d);
        if (d > 0)
            assert_int_equal(ref_minutes(&c, start, t - M) * M, d - M);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hours_good),
        cmocka_unit_test(hours_bad),
        cmocka_unit_test(days_and_weekdays),
        cmocka_unit_test(friday_to_monday),
        cmocka_unit_test(holiday_skipped),
        cmocka_unit_test(makeup_saturday_counted),
        cmocka_unit_test(start_outside_hours),
        cmocka_unit_test(span_boundaries),
        cmocka_unit_test(timezone_offset),
        cmocka_unit_test(long_deadline),
        cmocka_unit_test(no_working_time),
        cmocka_unit_test(property_add_between),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
