#include "core/gg.h"
#include "core/gg_log.h"
#include "core/gg_time.h"

#include <unistd.h>

static int log_fd = 2;
static enum gg_log_level log_level = GG_LOG_INFO;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

void
gg_log_setup(int fd, enum gg_log_level level)
{
    log_fd = fd;
    log_level = level;
}

int
gg_log_parse_level(const char *name, enum gg_log_level *out)
{
    for (size_t i = 0; i < GG_ARRAY_LEN(level_names); i++) {
        if (!strcmp(name, level_names[i])) {
            *out = (enum gg_log_level)i;
            return 0;
        }
    }
    return -1;
}

int
gg_log_enabled(enum gg_log_level level)
{
    return level <= log_level;
}

void
gg_log(enum gg_log_level level, const char *event, const char *fmt, ...)
{
    char line[2048], ts[GG_ISO_LEN];
    va_list ap;
    int n, m;

    if (level > log_level)
        return;
    gg_time_iso(gg_now_ms(), ts);
    n = snprintf(line, sizeof(line), "ts=%s level=%s event=%s ", ts,
                 level_names[level], event);
    if (n < 0 || (size_t)n >= sizeof(line))
        return;
    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    n += m;
    if ((size_t)n > sizeof(line) - 2)
        n = sizeof(line) - 2; /* truncated: still one line */
    line[n++] = '\n';
    if (write(log_fd, line, (size_t)n) < 0) {
        /* nowhere left to report it */
    }
}
