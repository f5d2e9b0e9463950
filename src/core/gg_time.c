#include "core/gg.h"
#include "core/gg_time.h"

int64_t
gg_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
gg_now_s(void)
{
    return gg_now_ms() / 1000;
}

uint64_t
gg_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
gg_time_iso(int64_t ms, char out[GG_ISO_LEN])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;

    size_t n;

    gmtime_r(&secs, &tm);
    n = strftime(out, GG_ISO_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, GG_ISO_LEN - n, ".%03dZ", (int)(ms % 1000));
}
