/* api_health.c - GET /api/v1/health and GET /metrics. */
#include "core/gg.h"
#include "core/gg_time.h"
#include "api/api.h"
#include "api/api_cases.h"

#include <unistd.h>

/* 200 {"status":"ok","schema_version":N,"uptime_s":N}; 503 when the store
 * does not answer. The store check is at most health_check_ms old. The body is
 * written by hand: this is the hottest, most polled answer there is. */
int
api_health_get(struct http_req *req, struct http_resp *resp,
               struct gg_err *err)
{
    struct api_thread *t = api_thread(req);
    int64_t now = gg_now_ms();

    if (now - t->health_checked_ms >= t->app->cfg->health_check_ms ||
        now < t->health_checked_ms) {
        gg_err_clear(&t->health_err);
        t->health_rc = store_schema_version(t->store, &t->health_version,
                                            &t->health_err);
        t->health_checked_ms = now;
    }
    if (t->health_rc) {
        *err = t->health_err;
        return t->health_rc;
    }
    resp->status = 200;
    resp->content_type = "application/json; charset=utf-8";
    if (gg_buf_addf(&resp->text,
                    "{\"status\":\"ok\",\"schema_version\":%d,"
                    "\"uptime_s\":%" PRId64 "}",
                    t->health_version, now / 1000 - t->app->started_at))
        return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
    return 0;
}

static long
resident_bytes(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return rss * sysconf(_SC_PAGESIZE);
}

/* 200 Prometheus text; 403 from a non-local address unless allowed. */
int
api_metrics_get(struct http_req *req, struct http_resp *resp,
                struct gg_err *err)
{
    const struct api_app *app = api_thread(req)->app;
    uint64_t batches, writes;
    int rc = http_metrics_render(req, &resp->text);

    api_writer_metrics(app->writer, &batches, &writes);
    if (!rc)
        rc = gg_buf_addf(
            &resp->text,
            "# HELP gridgov_case_writes_total Case writes group-committed.\n"
            "# TYPE gridgov_case_writes_total counter\n"
            "gridgov_case_writes_total %" PRIu64 "\n"
            "# HELP gridgov_case_commits_total Commits (fsyncs) of case "
            "writes.\n"
            "# TYPE gridgov_case_commits_total counter\n"
            "gridgov_case_commits_total %" PRIu64 "\n"
            "# HELP gridgov_event_streams Open Server-Sent Events streams.\n"
            "# TYPE gridgov_event_streams gauge\n"
            "gridgov_event_streams %zu\n",
            writes, batches, api_events_count(app->events));
    if (!rc)
        rc = gg_buf_addf(
            &resp->text,
            "# HELP gridgov_store_seconds_total Time spent in the store.\n"
            "# TYPE gridgov_store_seconds_total counter\n"
            "gridgov_store_seconds_total %.6f\n"
            "# HELP gridgov_uptime_seconds Seconds since start.\n"
            "# TYPE gridgov_uptime_seconds gauge\n"
            "gridgov_uptime_seconds %" PRId64 "\n"
            "# HELP process_resident_memory_bytes Resident memory.\n"
            "# TYPE process_resident_memory_bytes gauge\n"
            "process_resident_memory_bytes %ld\n",
            (double)store_time_ns() / 1e9,
            gg_now_s() - api_thread(req)->app->started_at, resident_bytes());
    if (rc)
        return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return 0;
}
