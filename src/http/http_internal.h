/* http_internal.h - shared between the files of src/http only. */
#ifndef HTTP_INTERNAL_H
#define HTTP_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

#include "http/http.h"

/* ---- router ---- */

#define ROUTER_MAX_SEGMENTS 12

struct router_entry {
    const struct http_route *route;
    int n_segments;
    struct gg_str segments[ROUTER_MAX_SEGMENTS]; /* "{x}" marks a parameter */
};

struct router {
    struct router_entry *entries;
    size_t n;
};

int router_init(struct router *r, const struct http_route *routes, size_t n,
                struct gg_err *err) __attribute__((warn_unused_result));
void router_release(struct router *r);
/* Finds the route for method and path, filling req's parameters. When the
 * path matches only under other methods, returns NULL and sets *allowed to
 * a bit mask of them (1 << method); when nothing matches, *allowed = 0. */
const struct http_route *router_match(const struct router *r,
                                      enum http_method method,
                                      const char *path, struct http_req *req,
                                      unsigned *allowed);
int router_index(const struct router *r, const struct http_route *route);

/* ---- metrics ---- */

/* Pseudo-routes for requests that matched no route. */
enum { METRIC_ROUTE_STATIC = 0, METRIC_ROUTE_UNMATCHED, METRIC_ROUTE__FIXED };

#define METRIC_LATENCY_BUCKETS 12

/* Status codes counted one by one; any other lands in "other". */
#define METRIC_STATUSES(S)                                                    \
    S(200) S(201) S(204) S(206) S(304) S(400) S(401) S(403) S(404) S(405)     \
    S(409) S(413) S(415) S(429) S(500) S(503)
enum {
#define METRIC_STATUS_ENUM(code) METRIC_STATUS_##code,
    METRIC_STATUSES(METRIC_STATUS_ENUM)
#undef METRIC_STATUS_ENUM
    METRIC_STATUS_OTHER,
    METRIC_STATUS__COUNT
};

/* One shard per worker thread, so counters never bounce between cores;
 * rendering sums the shards. Counters stay atomic because a shard may be
 * shared when there are more threads than shards. */
struct metrics_shard {
    _Alignas(64) _Atomic uint64_t (*requests)[METRIC_STATUS__COUNT];
    _Atomic uint64_t latency_bucket[METRIC_LATENCY_BUCKETS + 1];
    _Atomic uint64_t latency_sum_us;
    _Atomic uint64_t latency_count;
    _Atomic int64_t connections_open;
    _Atomic uint64_t connections_total;
    _Atomic int64_t in_flight;
};

struct metrics {
    size_t n_routes; /* METRIC_ROUTE__FIXED + app routes */
    size_t n_shards;
    struct metrics_shard *shards;
};

void metrics_init(struct metrics *m, size_t n_app_routes, size_t n_shards);
void metrics_release(struct metrics *m);
/* route_slot: METRIC_ROUTE_* or METRIC_ROUTE__FIXED + route index. */
void metrics_record(const struct metrics *m, struct metrics_shard *shard,
                    size_t route_slot, int status, uint64_t latency_ns);
int64_t metrics_in_flight(const struct metrics *m);

/* ---- static files ---- */

/* Answers a GET/HEAD for a non-API path from web_dir. Returns the response
 * (and *status) or NULL with err set (404 for a missing asset). */
struct MHD_Response *static_serve(struct http_req *req, const char *web_dir,
                                  int *status, struct gg_err *err);

/* ---- the server ---- */

/* What one worker thread keeps between requests. */
struct http_worker {
    struct http_server *srv;
    struct metrics_shard *shard;
    uint32_t index;
    uint32_t next_id;
    struct gg_arena *spare; /* a request arena kept for the next request */
    void *app_ctx;          /* from the app's thread_open hook */
    struct http_worker *next_worker;
};

struct http_server {
    struct MHD_Daemon *daemon;
    const struct http_app *app;
    const struct gg_config *cfg;
    struct router router;
    struct metrics metrics;
    pthread_key_t worker_key;
    _Atomic uint32_t next_worker;
    pthread_mutex_t workers_lock;
    struct http_worker *workers; /* every worker, freed at stop */
    uint32_t id_prefix;
    int port;
    /* Streams and suspension (http_server.c). stream_lock guards every
     * stream's private fields, the list and stopping; it is held only for
     * flags and MHD_suspend/resume_connection, never around app code. */
    pthread_mutex_t stream_lock;
    pthread_cond_t finished;     /* http_finish of a blocking deferral */
    struct http_stream *streams; /* the open streams */
    int stopping;                /* http_server_stop has begun */
    int closing;                 /* nothing may be suspended any more */
    /* Deferred requests not answered yet and streams whose connection
     * has not run again since it was suspended; MHD must not be stopped
     * before this is 0. */
    _Atomic int64_t held;
};

#endif
