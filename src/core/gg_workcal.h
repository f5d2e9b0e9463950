/*
 * gg_workcal.h - a working-hours calendar (工作日历): case deadlines are
 * counted in working time, not in wall-clock time.
 *
 * A working day holds up to GG_WORKCAL_SPANS spans of working hours in local
 * time, e.g. 08:30-12:00 and 14:00-17:30. Monday to Friday are working days
 * and Saturday and Sunday are not, except for the calendar's exceptions:
 * public holidays (法定节假日, work = 0) and make-up working days (调休上班,
 * work = 1), listed by day. Local time is UTC plus a fixed offset (China has
 * no daylight saving time).
 *
 * The calendar is a plain value the caller owns; `days` is borrowed and
 * must outlive it. Every function here is pure and thread-safe. They cost
 * O(days crossed) for gg_workcal_add (one step per calendar day, at most
 * GG_WORKCAL_SPANS per working day) and O(log n_days + exceptions crossed)
 * for gg_workcal_between, which counts whole days arithmetically.
 *
 * Times are unix seconds. gg_workcal_add gives 0 for a start beyond
 * +-GG_WORKCAL_T_MAX (about 34,000 years); the other functions clamp times
 * to that range. No input can overflow.
 */
#ifndef GG_WORKCAL_H
#define GG_WORKCAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/gg_err.h"

#define GG_WORKCAL_SPANS 4
/* gg_workcal_add gives up after this many calendar days (ten years). */
#define GG_WORKCAL_HORIZON_DAYS 3660
#define GG_WORKCAL_T_MAX ((int64_t)1 << 40)

/* An exception to the weekly rule on one local day. */
struct gg_workcal_day {
    int32_t day; /* days since 1970-01-01 in local time (gg_workcal_day_of) */
    int work; /* 1: make-up working day (调休上班), 0: holiday (法定节假日) */
};

/* One span of working hours, in minutes after local midnight: [from, to). */
struct gg_workcal_span {
    int from, to;
};

struct gg_workcal {
    int tz_min;  /* local offset east of UTC in minutes (China: 480);
                  * within -840..840 */
    int n_spans; /* 0..GG_WORKCAL_SPANS; 0: no working time at all */
    /* Increasing, non-overlapping, within 0..1440, as gg_workcal_hours
     * makes them. */
    struct gg_workcal_span spans[GG_WORKCAL_SPANS];
    const struct gg_workcal_day *days; /* sorted by day, unique; borrowed */
    size_t n_days;
};

/* Parses working hours such as "08:30-12:00,14:00-17:30" into c->spans and
 * c->n_spans: 1 to GG_WORKCAL_SPANS spans HH:MM-HH:MM separated by commas
 * (spaces around the separators are allowed), each non-empty, increasing
 * and not overlapping the one before (touching is allowed), within
 * 00:00-24:00. Spans do not cross midnight. On error returns GG_EINVAL
 * naming the field "work_hours" (MSG_WORK_HOURS) and leaves c unchanged;
 * tz_min and the exceptions are never touched. */
int gg_workcal_hours(struct gg_workcal *c, const char *spec, struct gg_err *err)
    __attribute__((warn_unused_result));

/* Parses a day "YYYY-MM-DD" (a real date from 1800 on, as gg_date_ymd
 * accepts) into its day number. GG_EINVAL naming `field` (MSG_DATE_PLAIN)
 * otherwise. */
int gg_workcal_day_parse(const char *ymd, const char *field, int32_t *day,
                         struct gg_err *err)
    __attribute__((warn_unused_result));

/* The local day (days since 1970-01-01 in local time) holding unix_s. */
int32_t gg_workcal_day_of(const struct gg_workcal *c, int64_t unix_s);

/* The unix time of the local midnight that begins `day`. */
int64_t gg_workcal_day_start(const struct gg_workcal *c, int32_t day);

/* 1 if `day` is a working day: Monday to Friday unless listed as a holiday,
 * Saturday and Sunday only when listed as a make-up working day. 0 if not.
 * Says nothing about spans: with n_spans 0 a working day has no hours. */
int gg_workcal_is_workday(const struct gg_workcal *c, int32_t day);

/* The earliest moment t >= start at which work_s seconds of working time
 * have passed since start. Outside working hours the clock waits, so a
 * deadline that uses up a morning span ends at that span's end (12:00),
 * not at the start of the next (14:00). work_s <= 0 gives start itself,
 * even outside working hours. Returns 0 when the moment is not reached
 * within GG_WORKCAL_HORIZON_DAYS calendar days of start's day (a calendar
 * without working time, or an absurd duration), or start is out of range. */
int64_t gg_workcal_add(const struct gg_workcal *c, int64_t start,
                       int64_t work_s);

/* Working seconds in [from, to); 0 when to <= from. For t = add(s, d) > 0,
 * between(s, t) == d. */
int64_t gg_workcal_between(const struct gg_workcal *c, int64_t from,
                           int64_t to);

#endif
