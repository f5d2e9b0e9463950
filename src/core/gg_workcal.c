#include "core/gg.h"
#include "core/gg_time.h"
#include "core/gg_workcal.h"

#define DAY_S 86400

static int64_t
clamp_t(int64_t t)
{
    if (t > GG_WORKCAL_T_MAX)
        return GG_WORKCAL_T_MAX;
    if (t < -GG_WORKCAL_T_MAX)
        return -GG_WORKCAL_T_MAX;
    return t;
}

/* Splits unix time t into its local day and the seconds into that day.
 * The division floors: days before 1970 are negative. */
static void
local_split(const struct gg_workcal *c, int64_t t, int64_t *day, int64_t *sec)
{
    int64_t local = clamp_t(t) + (int64_t)c->tz_min * 60;
    int64_t d = local / DAY_S;

    if (local % DAY_S < 0)
        d--;
    *day = d;
    *sec = local - d * DAY_S;
}

/* 0 Monday .. 6 Sunday; day 0 (1970-01-01) was a Thursday. */
static int
weekday(int64_t day)
{
    int64_t r = (day + 3) % 7;
    return (int)(r < 0 ? r + 7 : r);
}

/* The index of the first exception on or after day. */
static size_t
exc_lower(const struct gg_workcal *c, int64_t day)
{
    size_t lo = 0, hi = c->n_days;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->days[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Whether day works, for days visited in increasing order: *i walks the
 * exceptions along with them instead of searching for each day. */
static int
workday_walk(const struct gg_workcal *c, int64_t day, size_t *i)
{
    while (*i < c->n_days && c->days[*i].day < day)
        (*i)++;
    if (*i < c->n_days && c->days[*i].day == day)
        return c->days[*i].work != 0;
    return weekday(day) < 5;
}

/* Working seconds of one working day within its seconds [a, b). */
static int64_t
spans_within(const struct gg_workcal *c, int64_t a, int64_t b)
{
    int64_t sum = 0;

    for (int k = 0; k < c->n_spans; k++) {
        int64_t from = (int64_t)c->spans[k].from * 60;
        int64_t to = (int64_t)c->spans[k].to * 60;
        if (from < a)
            from = a;
        if (to > b)
            to = b;
        if (to > from)
            sum += to - from;
    }
    return sum;
}

/* Working days in [a, b), a <= b: five in every week, the weekdays of the
 * remainder, then the exceptions that change the rule. */
static int64_t
workdays_within(const struct gg_workcal *c, int64_t a, int64_t b)
{
    int64_t n = b - a, count = n / 7 * 5;
    int wd = weekday(a);

    for (int64_t r = 0; r < n % 7; r++)
        count += (wd + r) % 7 < 5;
    for (size_t i = exc_lower(c, a); i < c->n_days && c->days[i].day < b; i++) {
        int weekend = weekday(c->days[i].day) >= 5;
        if (c->days[i].work && weekend)
            count++;
        else if (!c->days[i].work && !weekend)
            count--;
    }
    return count;
}

/* Reads "HH:MM" (00:00 to 24:00) as minutes. */
static const char *
parse_hhmm(const char *p, int *min)
{
    int h, m;

    for (int i = 0; i < 5; i++)
        if (i == 2 ? p[i] != ':' : (p[i] < '0' || p[i] > '9'))
            return NULL;
    h = (p[0] - '0') * 10 + (p[1] - '0');
    m = (p[3] - '0') * 10 + (p[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m))
        return NULL;
    *min = h * 60 + m;
    return p + 5;
}

static const char *
skip_spaces(const char *p)
{
    while (*p == ' ')
        p++;
    return p;
}

int
gg_workcal_hours(struct gg_workcal *c, const char *spec, struct gg_err *err)
{
    struct gg_workcal_span spans[GG_WORKCAL_SPANS], s;
    const char *p;
    int n = 0;

    if (!spec)
        goto fail;
    p = skip_spaces(spec);
    for (;;) {
        if (n == GG_WORKCAL_SPANS)
            goto fail;
        p = parse_hhmm(p, &s.from);
        if (!p)
            goto fail;
        p = skip_spaces(p);
        if (*p != '-')
            goto fail;
        p = parse_hhmm(skip_spaces(p + 1), &s.to);
        if (!p || s.from >= s.to || (n && spans[n - 1].to > s.from))
            goto fail;
        spans[n++] = s;
        p = skip_spaces(p);
        if (!*p)
            break;
        if (*p != ',')
            goto fail;
        p = skip_spaces(p + 1);
    }
    memcpy(c->spans, spans, sizeof(spans[0]) * (size_t)n);
    c->n_spans = n;
    return 0;
fail:
    return gg_failf(err, GG_EINVAL, "work_hours", MSG_WORK_HOURS, "%.100s",
                    spec ? spec : "");
}

int
gg_workcal_day_parse(const char *ymd, const char *field, int32_t *day,
                     struct gg_err *err)
{
    int v = gg_date_ymd(ymd);

    if (v < 0)
        return gg_fail(err, GG_EINVAL, field, MSG_DATE_PLAIN);
    *day = gg_ymd_days(v);
    return 0;
}

int32_t
gg_workcal_day_of(const struct gg_workcal *c, int64_t unix_s)
{
    int64_t day, sec;

    local_split(c, unix_s, &day, &sec);
    return (int32_t)day;
}

int64_t
gg_workcal_day_start(const struct gg_workcal *c, int32_t day)
{
    return (int64_t)day * DAY_S - (int64_t)c->tz_min * 60;
}

int
gg_workcal_is_workday(const struct gg_workcal *c, int32_t day)
{
    size_t i = exc_lower(c, day);

    return workday_walk(c, day, &i);
}

int64_t
gg_workcal_add(const struct gg_workcal *c, int64_t start, int64_t work_s)
{
    int64_t day, sec, per_day, off = (int64_t)c->tz_min * 60;
    size_t i;

    if (work_s <= 0)
        return start;
    if (start > GG_WORKCAL_T_MAX || start < -GG_WORKCAL_T_MAX)
        return 0;
    per_day = spans_within(c, 0, DAY_S);
    /* Even seven working days a week would not reach it: skip the walk. */
    if (!per_day || work_s / per_day > GG_WORKCAL_HORIZON_DAYS)
        return 0;
    local_split(c, start, &day, &sec);
    i = exc_lower(c, day);
    for (int n = 0; n < GG_WORKCAL_HORIZON_DAYS; n++, day++, sec = 0) {
        if (!workday_walk(c, day, &i))
            continue;
        /* A whole working day ahead: take it in one step. */
        if (sec == 0 && work_s > per_day) {
            work_s -= per_day;
            continue;
        }
        for (int k = 0; k < c->n_spans; k++) {
            int64_t from = (int64_t)c->spans[k].from * 60;
            int64_t to = (int64_t)c->spans[k].to * 60;
            if (sec >= to)
                continue;
            if (from < sec)
                from = sec;
            if (work_s <= to - from)
                return day * DAY_S + from + work_s - off;
            work_s -= to - from;
        }
    }
    return 0;
}

int64_t
gg_workcal_between(const struct gg_workcal *c, int64_t from, int64_t to)
{
    int64_t d0, s0, d1, s1, sum = 0;
    size_t i;

    if (to <= from)
        return 0;
    local_split(c, from, &d0, &s0);
    local_split(c, to, &d1, &s1);
    i = exc_lower(c, d0);
    if (d0 == d1)
        return workday_walk(c, d0, &i) ? spans_within(c, s0, s1) : 0;
    if (workday_walk(c, d0, &i))
        sum += spans_within(c, s0, DAY_S);
    if (d1 > d0 + 1)
        sum += workdays_within(c, d0 + 1, d1) * spans_within(c, 0, DAY_S);
    if (workday_walk(c, d1, &i))
        sum += spans_within(c, 0, s1);
    return sum;
}
