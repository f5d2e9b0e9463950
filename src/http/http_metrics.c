/*
 * http_metrics.c - request counters and the latency histogram, rendered in
 * the Prometheus text format. Lock-free: relaxed atomic increments.
 */
#include "core/gg.h"
#include "http/http_internal.h"

static const double latency_bounds_s[METRIC_LATENCY_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

static const int status_codes[METRIC_STATUS__COUNT] = {
#define METRIC_STATUS_CODE(code) code,
    METRIC_STATUSES(METRIC_STATUS_CODE)
#undef METRIC_STATUS_CODE
    0};

void
metrics_init(struct metrics *m, size_t n_app_routes, size_t n_shards)
{
    memset(m, 0, sizeof(*m));
    m->n_routes = METRIC_ROUTE__FIXED + n_app_routes;
    m->n_shards = n_shards ? n_shards : 1;
    m->shards = aligned_alloc(64, m->n_shards * sizeof(*m->shards));
    if (!m->shards)
        abort();
    memset(m->shards, 0, m->n_shards * sizeof(*m->shards));
    for (size_t i = 0; i < m->n_shards; i++)
        m->shards[i].requests =
            gg_xcalloc(m->n_routes, sizeof(*m->shards[i].requests));
}

void
metrics_release(struct metrics *m)
{
    for (size_t i = 0; m->shards && i < m->n_shards; i++)
        free((void *)m->shards[i].requests);
    free(m->shards);
    m->shards = NULL;
}

int64_t
metrics_in_flight(const struct metrics *m)
{
    int64_t n = 0;
    for (size_t i = 0; i < m->n_shards; i++)
        n += atomic_load_explicit(&m->shards[i].in_flight,
                                  memory_order_relaxed);
    return n;
}

static int
status_slot(int status)
{
    for (int i = 0; i < METRIC_STATUS_OTHER; i++)
        if (status_codes[i] == status)
            return i;
    return METRIC_STATUS_OTHER;
}

void
metrics_record(const struct metrics *m, struct metrics_shard *sh,
               size_t route_slot, int status, uint64_t latency_ns)
{
    double s = (double)latency_ns / 1e9;
    int b = 0;

    if (route_slot >= m->n_routes)
        route_slot = METRIC_ROUTE_UNMATCHED;
    atomic_fetch_add_explicit(&sh->requests[route_slot][status_slot(status)],
                              1, memory_order_relaxed);
    while (b < METRIC_LATENCY_BUCKETS && s > latency_bounds_s[b])
        b++;
    atomic_fetch_add_explicit(&sh->latency_bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&sh->latency_sum_us, latency_ns / 1000,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&sh->latency_count, 1, memory_order_relaxed);
}

/* Sums the counter at byte offset `off` of every shard. */
static uint64_t
shard_sum(const struct metrics *m, size_t off)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < m->n_shards; i++) {
        const _Atomic uint64_t *c =
            (const void *)((const char *)&m->shards[i] + off);
        sum += atomic_load_explicit(c, memory_order_relaxed);
    }
    return sum;
}

static uint64_t
requests_sum(const struct metrics *m, size_t route, int status)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < m->n_shards; i++)
        sum += atomic_load_explicit(&m->shards[i].requests[route][status],
                                    memory_order_relaxed);
    return sum;
}

#define SHARD_SUM(m, field) shard_sum((m), offsetof(struct metrics_shard, field))

static const char *
slot_route_name(const struct http_server *srv, size_t slot)
{
    if (slot == METRIC_ROUTE_STATIC)
        return "static";
    if (slot == METRIC_ROUTE_UNMATCHED)
        return "unmatched";
    return srv->app->routes[slot - METRIC_ROUTE__FIXED].name;
}

int
http_metrics_render(const struct http_req *req, struct gg_buf *out)
{
    const struct http_server *srv = req->server;
    const struct metrics *m = &srv->metrics;
    uint64_t cumulative = 0;
    int rc = 0;

    rc |= gg_buf_adds(out, "# HELP gridgov_http_requests_total HTTP requests "
                           "by route and status.\n"
                           "# TYPE gridgov_http_requests_total counter\n");
    for (size_t r = 0; r < m->n_routes; r++) {
        for (int s = 0; s < METRIC_STATUS__COUNT; s++) {
            uint64_t v = requests_sum(m, r, s);
            char status[8];
            if (!v)
                continue;
            if (s == METRIC_STATUS_OTHER)
                snprintf(status, sizeof(status), "other");
            else
                snprintf(status, sizeof(status), "%d", status_codes[s]);
            rc |= gg_buf_addf(out,
                              "gridgov_http_requests_total{route=\"%s\","
                              "status=\"%s\"} %" PRIu64 "\n",
                              slot_route_name(srv, r), status, v);
        }
    }
    rc |= gg_buf_adds(out, "# HELP gridgov_http_request_duration_seconds "
                           "Time from request line to handler done.\n"
                           "# TYPE gridgov_http_request_duration_seconds "
                           "histogram\n");
    for (int b = 0; b <= METRIC_LATENCY_BUCKETS; b++) {
        cumulative += shard_sum(m, offsetof(struct metrics_shard, latency_bucket) +
                                    (size_t)b * sizeof(uint64_t));
        if (b < METRIC_LATENCY_BUCKETS)
            rc |= gg_buf_addf(out,
                              "gridgov_http_request_duration_seconds_bucket{"
                              "le=\"%g\"} %" PRIu64 "\n",
                              latency_bounds_s[b], cumulative);
        else
            rc |= gg_buf_addf(out,
                              "gridgov_http_request_duration_seconds_bucket{"
                              "le=\"+Inf\"} %" PRIu64 "\n",
                              cumulative);
    }
    rc |= gg_buf_addf(
        out,
        "gridgov_http_request_duration_seconds_sum %.6f\n"
        "gridgov_http_request_duration_seconds_count %" PRIu64 "\n"
        "# HELP gridgov_http_connections_open Open client connections.\n"
        "# TYPE gridgov_http_connections_open gauge\n"
        "gridgov_http_connections_open %" PRId64 "\n"
        "# HELP gridgov_http_connections_total Accepted connections.\n"
        "# TYPE gridgov_http_connections_total counter\n"
        "gridgov_http_connections_total %" PRIu64 "\n",
        (double)SHARD_SUM(m, latency_sum_us) / 1e6,
        SHARD_SUM(m, latency_count),
        (int64_t)SHARD_SUM(m, connections_open),
        SHARD_SUM(m, connections_total));
    return rc ? GG_ETOOBIG : 0;
}
