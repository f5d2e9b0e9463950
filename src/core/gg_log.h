/*
 * gg_log.h - structured log lines (logfmt) on one file descriptor.
 *
 *   ts=2026-11-23T16:46:11.123Z level=info event=http.request route=... ...
 *
 * Each line is written with one write(2), so lines from different threads
 * never interleave. Callers must never pass personal data (names, ID numbers,
 * phone numbers), passwords or tokens: log ids, routes and counts instead.
 */
#ifndef GG_LOG_H
#define GG_LOG_H

enum gg_log_level {
    GG_LOG_ERROR = 0,
    GG_LOG_WARN,
    GG_LOG_INFO,
    GG_LOG_DEBUG,
};

/* Not thread-safe: call before starting threads. fd defaults to 2. */
void gg_log_setup(int fd, enum gg_log_level level);
int gg_log_parse_level(const char *name, enum gg_log_level *out);
int gg_log_enabled(enum gg_log_level level);
/* fmt produces the "key=value ..." part after the event name. */
void gg_log(enum gg_log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
