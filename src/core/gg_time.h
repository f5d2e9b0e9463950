/* gg_time.h - clocks and ISO-8601 formatting. Thread-safe. */
#ifndef GG_TIME_H
#define GG_TIME_H

#include <stdint.h>
#include <stddef.h>

#define GG_ISO_LEN 32

int64_t gg_now_ms(void);      /* wall clock, milliseconds since the epoch */
int64_t gg_now_s(void);       /* wall clock, seconds since the epoch */
uint64_t gg_mono_ns(void);    /* monotonic, for durations */
/* "2026-11-23T16:46:11.123Z" (UTC) into out[GG_ISO_LEN]. */
void gg_time_iso(int64_t ms, char out[GG_ISO_LEN]);
/* A calendar date "YYYY-MM-DD" (exactly) as the number YYYYMMDD, or -1
 * when it is not one (wrong form, 2026-02-30, years before 1800). */
int gg_date_ymd(const char *v);
/* The day number (days since 1970-01-01, proleptic Gregorian) of a date
 * YYYYMMDD as gg_date_ymd returns it; negative before 1970. */
int32_t gg_ymd_days(int ymd);
/* Today (UTC) at unix time now, as YYYYMMDD. */
int gg_today_ymd(int64_t now_s);

#endif
