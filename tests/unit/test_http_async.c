/*
 * test_http_async.c - the HTTP layer's deferred answers, streamed bodies and
 * photo uploads, on the real server over loopback sockets.
 *
 * A test thread plays the case engine's commit thread: it finishes deferred
 * requests about 20 ms after they were handed over. Streams are the test's
 * own objects in a small hub, woken under the hub's lock as the contract in
 * http.h asks. Every wait is bounded (liveness only); nothing is timed.
 */
#include "unit.h"

#include "core/gg_log.h"
#include "core/gg_time.h"
#include "http/http_internal.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define N_CLIENTS 64
#define PHOTO_LIMIT 4096

static void
nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Polls expr every 5 ms for at most ms milliseconds. */
#define WAIT_FOR(expr, ms)                                                    \
    do {                                                                      \
        for (int w_ = 0; !(expr) && w_ < (ms) / 5; w_++)                      \
            nap_ms(5);                                                        \
    } while (0)

/* ---- the commit thread: finishes deferred requests ---- */

enum job_kind { JOB_OK, JOB_CONFLICT };

struct job {
    struct http_req *req;
    enum job_kind kind;
    uint64_t due_ns;
    struct job *next;
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct job *head, *tail;
    int pending, max_pending, finished;
    int gate;            /* finish nothing until this many are pending */
    uint64_t gate_until; /* ... or until then */
    int hold;            /* finish nothing while set */
    int quit;
    int misordered;      /* defer came before the after hook */
    pthread_t thread;
} fin = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static const enum job_kind job_ok = JOB_OK, job_conflict = JOB_CONFLICT;
static int after_marker;

static void
defer_cb(struct http_req *req, void *arg)
{
    /* Still on the worker: the job may live in the request's arena. */
    struct job *j = gg_arena_alloc(req->arena, sizeof(*j));

    j->req = req;
    j->kind = *(const enum job_kind *)arg;
    j->due_ns = gg_mono_ns() + 20u * 1000 * 1000;
    pthread_mutex_lock(&fin.lock);
    if (req->app != &after_marker)
        fin.misordered++;
    if (fin.tail)
        fin.tail->next = j;
    else
        fin.head = j;
    fin.tail = j;
    if (++fin.pending > fin.max_pending)
        fin.max_pending = fin.pending;
    pthread_cond_signal(&fin.cond);
    pthread_mutex_unlock(&fin.lock);
}

static void
job_finish(struct job *j)
{
    struct http_req *req = j->req;
    struct http_resp resp;
    struct gg_err err;

    http_resp_init(&resp);
    gg_err_clear(&err);
    if (j->kind == JOB_CONFLICT) {
        http_resp_header(&resp, "X-Test", "conflict");
        gg_fail(&err, GG_ECONFLICT, "version", MSG_CONFLICT);
        http_finish(req, GG_ECONFLICT, &resp, &err);
        return;
    }
    /* The arena is this thread's now. */
    http_resp_json(&resp, 201,
                   json_pack("{s:s,s:s}", "n", http_param(req, "n"), "echo",
                             gg_arena_printf(req->arena, "echo-%s",
                                             http_param(req, "n"))));
    http_finish(req, 0, &resp, NULL);
    if (resp.json)
        abort(); /* http_finish took it */
}

static void *
finisher_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&fin.lock);
    for (;;) {
        if (fin.gate && fin.pending >= fin.gate)
            fin.gate = 0;
        if (fin.head && !fin.hold &&
            (!fin.gate || gg_mono_ns() >= fin.gate_until)) {
            struct job *j = fin.head;
            uint64_t now;

            fin.head = j->next;
            if (!fin.head)
                fin.tail = NULL;
            fin.pending--;
            pthread_mutex_unlock(&fin.lock);
            now = gg_mono_ns();
            if (now < j->due_ns)
                nap_ms((int)((j->due_ns - now) / 1000000) + 1);
            job_finish(j);
            pthread_mutex_lock(&fin.lock);
            fin.finished++;
            continue;
        }
        if (fin.quit && !fin.head)
            break;
        {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 5 * 1000 * 1000;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&fin.cond, &fin.lock, &ts);
        }
    }
    pthread_mutex_unlock(&fin.lock);
    return NULL;
}

static int
fin_get(const int *field)
{
    int v;
    pthread_mutex_lock(&fin.lock);
    v = *field;
    pthread_mutex_unlock(&fin.lock);
    return v;
}

/* ---- the streams' hub ---- */

struct tstream {
    struct http_stream s;
    pthread_mutex_t lock; /* guards the fields below; read takes it */
    char q[1024];
    size_t q_len;
    int ended, reads_zero, reads_end, closes;
    int in_list; /* under hub.lock */
};

#define HUB_MAX 8

static struct {
    pthread_mutex_t lock;
    struct tstream *all[HUB_MAX]; /* every stream made, for the test */
    int n_all;
    int ignore_stopping;
} hub = {.lock = PTHREAD_MUTEX_INITIALIZER};

static ssize_t
ts_read(void *ctx, char *buf, size_t max)
{
    struct tstream *ts = ctx;
    ssize_t n;

    pthread_mutex_lock(&ts->lock);
    if (ts->q_len) {
        size_t k = ts->q_len < max ? ts->q_len : max;
        memcpy(buf, ts->q, k);
        memmove(ts->q, ts->q + k, ts->q_len - k);
        ts->q_len -= k;
        n = (ssize_t)k;
    } else if (ts->ended) {
        ts->reads_end++;
        n = -1;
    } else {
        ts->reads_zero++;
        n = 0;
    }
    pthread_mutex_unlock(&ts->lock);
    return n;
}

static void
ts_close(void *ctx)
{
    struct tstream *ts = ctx;

    pthread_mutex_lock(&hub.lock);
    ts->in_list = 0;
    pthread_mutex_unlock(&hub.lock);
    pthread_mutex_lock(&ts->lock);
    ts->closes++;
    pthread_mutex_unlock(&ts->lock);
}

static struct tstream *
ts_new(void)
{
    struct tstream *ts = NULL;

    pthread_mutex_lock(&hub.lock);
    if (hub.n_all < HUB_MAX) {
        ts = gg_xcalloc(1, sizeof(*ts));
        pthread_mutex_init(&ts->lock, NULL);
        ts->s.read = ts_read;
        ts->s.close = ts_close;
        ts->s.ctx = ts;
        ts->in_list = 1;
        hub.all[hub.n_all++] = ts;
    }
    pthread_mutex_unlock(&hub.lock);
    return ts;
}

/* Queues text (or ends the stream when text is NULL) and wakes it, as an
 * app would: under the hub's lock, never after close. */
static void
ts_push(struct tstream *ts, const char *text)
{
    pthread_mutex_lock(&hub.lock);
    if (ts->in_list) {
        pthread_mutex_lock(&ts->lock);
        if (!text) {
            ts->ended = 1;
        } else if (ts->q_len + strlen(text) <= sizeof(ts->q)) {
            memcpy(ts->q + ts->q_len, text, strlen(text));
            ts->q_len += strlen(text);
        }
        pthread_mutex_unlock(&ts->lock);
        http_stream_wake(&ts->s);
    }
    pthread_mutex_unlock(&hub.lock);
}

static int
ts_get(struct tstream *ts, const int *field)
{
    int v;
    pthread_mutex_lock(&ts->lock);
    v = *field;
    pthread_mutex_unlock(&ts->lock);
    return v;
}

static struct tstream *
hub_stream(int i)
{
    struct tstream *ts;
    pthread_mutex_lock(&hub.lock);
    ts = i < hub.n_all ? hub.all[i] : NULL;
    pthread_mutex_unlock(&hub.lock);
    return ts;
}

/* Frees the streams of a test; they must all be closed. */
static void
hub_reset(void)
{
    pthread_mutex_lock(&hub.lock);
    for (int i = 0; i < hub.n_all; i++) {
        pthread_mutex_destroy(&hub.all[i]->lock);
        free(hub.all[i]);
    }
    hub.n_all = 0;
    hub.ignore_stopping = 0;
    pthread_mutex_unlock(&hub.lock);
}

static void
app_stopping(void *ctx)
{
    (void)ctx;
    pthread_mutex_lock(&hub.lock);
    for (int i = 0; i < hub.n_all && !hub.ignore_stopping; i++) {
        struct tstream *ts = hub.all[i];
        if (!ts->in_list)
            continue;
        pthread_mutex_lock(&ts->lock);
        ts->ended = 1;
        pthread_mutex_unlock(&ts->lock);
        http_stream_wake(&ts->s);
    }
    pthread_mutex_unlock(&hub.lock);
}

/* ---- the test app ---- */

static int
h_defer(struct http_req *req, struct http_resp *resp, struct gg_err *err)
{
    (void)req;
    (void)err;
    resp->json = json_object(); /* dropped: the answer comes later */
    resp->defer = defer_cb;
    resp->defer_arg = (void *)&job_ok;
    return 0;
}

static int
h_conflict(struct http_req *req, struct http_resp *resp, struct gg_err *err)
{
    (void)req;
    (void)err;
    resp->defer = defer_cb;
    resp->defer_arg = (void *)&job_conflict;
    return 0;
}

static int
h_events(struct http_req *req, struct http_resp *resp, struct gg_err *err)
{
    struct tstream *ts = ts_new();

    (void)req;
    if (!ts)
        return gg_fail(err, GG_EBUSY, "", MSG_BUSY);
    resp->stream = &ts->s;
    return 0;
}

static int
h_photo(struct http_req *req, struct http_resp *resp, struct gg_err *err)
{
    struct stat st;
    int64_t on_disk = -1;

    (void)err;
    if (req->upload.path && stat(req->upload.path, &st) == 0)
        on_disk = (int64_t)st.st_size;
    http_resp_json(resp, 200,
                   json_pack("{s:b,s:I,s:I}", "path", req->upload.path != NULL,
                             "size", (json_int_t)req->upload.size, "on_disk",
                             (json_int_t)on_disk));
    return 0;
}

static int
h_plain(struct http_req *req, struct http_resp *resp, struct gg_err *err)
{
    (void)req;
    (void)err;
    http_resp_json(resp, 200, json_pack("{s:b}", "ok", 1));
    return 0;
}

enum { R_DEFER, R_CONFLICT, R_EVENTS, R_PHOTO, R_PLAIN };

static const struct http_route routes[] = {
    [R_DEFER] = {HTTP_GET, "/api/t/defer/{n}", h_defer, 0, HTTP_BODY_NONE,
                 "defer"},
    [R_CONFLICT] = {HTTP_GET, "/api/t/conflict", h_conflict, 0,
                    HTTP_BODY_NONE, "conflict"},
    [R_EVENTS] = {HTTP_GET, "/api/t/events", h_events, 0, HTTP_BODY_NONE,
                  "events"},
    [R_PHOTO] = {HTTP_POST, "/api/t/photo", h_photo, 0, HTTP_BODY_IMAGE,
                 "photo"},
    [R_PLAIN] = {HTTP_GET, "/api/t/plain", h_plain, 0, HTTP_BODY_NONE,
                 "plain"},
};

/* Refuses anyone sending X-Deny, before an upload's body is stored. */
static int
front_line(struct http_req *req, struct gg_err *err)
{
    if (http_header(req, "X-Deny"))
        return gg_fail(err, GG_EFORBIDDEN, "", MSG_FORBIDDEN);
    return 0;
}

static void
after(struct http_req *req)
{
    req->app = &after_marker;
}

static const struct http_app app = {
    .routes = routes,
    .n_routes = GG_ARRAY_LEN(routes),
    .front_line = front_line,
    .after = after,
    .stopping = app_stopping,
};

static struct {
    char dir[64];     /* uploads */
    char log[64];     /* the access log */
    struct gg_config cfg;
    struct http_server *srv;
} fx;

static struct http_server *
server_start(void)
{
    struct http_server *srv = NULL;
    struct gg_err err;

    gg_err_clear(&err);
    if (http_server_start(&srv, &fx.cfg, &app, &err))
        fail_msg("http_server_start: %d %s", err.code, err.field);
    return srv;
}

/* ---- a small HTTP client on blocking sockets ---- */

struct conn {
    int fd;
    size_t off, len;
    char buf[8192];
};

static int
conn_open(struct conn *c, int port)
{
    struct sockaddr_in in;
    struct timeval tv = {10, 0};

    c->off = c->len = 0;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0)
        return -1;
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    memset(&in, 0, sizeof(in));
    in.sin_family = AF_INET;
    in.sin_port = htons((uint16_t)port);
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&in, sizeof(in)) < 0) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    return 0;
}

static void
conn_close(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static int
conn_send(struct conn *c, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int
conn_fill(struct conn *c)
{
    ssize_t r;

    if (c->off) {
        memmove(c->buf, c->buf + c->off, c->len - c->off);
        c->len -= c->off;
        c->off = 0;
    }
    if (c->len == sizeof(c->buf))
        return -1;
    do
        r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
    while (r < 0 && errno == EINTR);
    if (r <= 0)
        return -1;
    c->len += (size_t)r;
    return 0;
}

/* One line without its CRLF. */
static int
conn_line(struct conn *c, char *out, size_t cap)
{
    for (;;) {
        char *start = c->buf + c->off;
        char *nl = memchr(start, '\n', c->len - c->off);
        if (nl) {
            size_t n = (size_t)(nl - start);
            if (n && start[n - 1] == '\r')
                n--;
            if (n >= cap)
                return -1;
            memcpy(out, start, n);
            out[n] = '\0';
            c->off += (size_t)(nl - start) + 1;
            return 0;
        }
        if (conn_fill(c))
            return -1;
    }
}

static int
conn_take(struct conn *c, char *out, size_t n)
{
    while (n) {
        size_t k;
        if (c->off == c->len && conn_fill(c))
            return -1;
        k = c->len - c->off < n ? c->len - c->off : n;
        memcpy(out, c->buf + c->off, k);
        c->off += k;
        out += k;
        n -= k;
    }
    return 0;
}

struct answer {
    int status;
    char head[4096]; /* "name: value\n" lines */
    char body[8192];
    size_t body_len;
};

static int
read_head(struct conn *c, struct answer *a)
{
    char line[1024];
    size_t used = 0;

    a->status = 0;
    a->head[0] = '\0';
    a->body_len = 0;
    a->body[0] = '\0';
    if (conn_line(c, line, sizeof(line)) || strncmp(line, "HTTP/1.", 7) ||
        strlen(line) < 12)
        return -1;
    a->status = (int)strtol(line + 9, NULL, 10);
    for (;;) {
        size_t n;
        if (conn_line(c, line, sizeof(line)))
            return -1;
        if (!line[0])
            return 0;
        n = strlen(line);
        if (used + n + 2 > sizeof(a->head))
            return -1;
        memcpy(a->head + used, line, n);
        used += n;
        a->head[used++] = '\n';
        a->head[used] = '\0';
    }
}

/* The value of a header (a copy in out), or NULL. */
static const char *
header_get(const struct answer *a, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    for (const char *p = a->head; *p;) {
        const char *eol = strchr(p, '\n');
        if (!strncasecmp(p, name, n) && p[n] == ':') {
            const char *v = p + n + 1;
            size_t k;
            while (*v == ' ')
                v++;
            k = (size_t)(eol - v);
            if (k >= cap)
                k = cap - 1;
            memcpy(out, v, k);
            out[k] = '\0';
            return out;
        }
        p = eol + 1;
    }
    return NULL;
}

/* One chunk of a chunked body: 0 with its bytes, 1 for the last chunk, -1
 * for an error. */
static int
read_chunk(struct conn *c, char *out, size_t cap, size_t *len)
{
    char line[64], crlf[2];
    long n;

    if (conn_line(c, line, sizeof(line)))
        return -1;
    n = strtol(line, NULL, 16);
    if (n < 0 || (size_t)n >= cap)
        return -1;
    if (n == 0)
        return conn_line(c, line, sizeof(line)) ? -1 : 1;
    if (conn_take(c, out, (size_t)n) || conn_take(c, crlf, 2))
        return -1;
    out[n] = '\0';
    *len = (size_t)n;
    return 0;
}

static int
read_answer(struct conn *c, struct answer *a)
{
    char v[64];

    if (read_head(c, a))
        return -1;
    if (header_get(a, "Transfer-Encoding", v, sizeof(v))) {
        for (;;) {
            size_t n = 0;
            int rc = read_chunk(c, a->body + a->body_len,
                                sizeof(a->body) - a->body_len, &n);
            if (rc < 0)
                return -1;
            if (rc)
                return 0;
            a->body_len += n;
        }
    }
    if (header_get(a, "Content-Length", v, sizeof(v))) {
        long n = strtol(v, NULL, 10);
        if (n < 0 || (size_t)n >= sizeof(a->body) ||
            conn_take(c, a->body, (size_t)n))
            return -1;
        a->body_len = (size_t)n;
        a->body[n] = '\0';
    }
    return 0;
}

/* One request on a new connection. */
static int
exchange(int port, const void *req, size_t len, struct answer *a)
{
    struct conn c;
    int rc;

    if (conn_open(&c, port))
        return -1;
    rc = conn_send(&c, req, len) || read_answer(&c, a) ? -1 : 0;
    conn_close(&c);
    return rc;
}

static int
get(int port, const char *path, struct answer *a)
{
    char req[256];
    int n = snprintf(req, sizeof(req),
                     "GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                     "Accept-Language: en\r\n\r\n",
                     path);
    return exchange(port, req, (size_t)n, a);
}

/* ---- fixture ---- */

static int
group_setup(void **state)
{
    int fd;
    (void)state;

    snprintf(fx.dir, sizeof(fx.dir), "/tmp/gg-http-async-XXXXXX");
    if (!mkdtemp(fx.dir))
        return -1;
    snprintf(fx.log, sizeof(fx.log), "/tmp/gg-http-async-log-XXXXXX");
    fd = mkstemp(fx.log);
    if (fd < 0)
        return -1;
    gg_log_setup(fd, GG_LOG_INFO); /* the access log, read back below */

    gg_config_defaults(&fx.cfg);
    snprintf(fx.cfg.listen, sizeof(fx.cfg.listen), "127.0.0.1:0");
    snprintf(fx.cfg.upload_dir, sizeof(fx.cfg.upload_dir), "%s/up", fx.dir);
    fx.cfg.threads = 2;
    fx.cfg.max_photo_bytes = PHOTO_LIMIT;
    fx.cfg.access_log = 1;

    pthread_create(&fin.thread, NULL, finisher_main, NULL);
    fx.srv = server_start();
    return 0;
}

static int
group_teardown(void **state)
{
    char path[128];
    (void)state;

    http_server_stop(&fx.srv, 5);
    pthread_mutex_lock(&fin.lock);
    fin.quit = 1;
    pthread_mutex_unlock(&fin.lock);
    pthread_join(fin.thread, NULL);
    hub_reset();
    snprintf(path, sizeof(path), "%s/up", fx.dir);
    rmdir(path);
    rmdir(fx.dir);
    unlink(fx.log);
    return 0;
}

static uint64_t
route_count(struct http_server *srv, int route, int status_slot)
{
    uint64_t n = 0;
    for (size_t i = 0; i < srv->metrics.n_shards; i++)
        n += atomic_load(&srv->metrics.shards[i]
                              .requests[METRIC_ROUTE__FIXED + route]
                                       [status_slot]);
    return n;
}

static uint64_t
latency_sum_us(struct http_server *srv)
{
    uint64_t n = 0;
    for (size_t i = 0; i < srv->metrics.n_shards; i++)
        n += atomic_load(&srv->metrics.shards[i].latency_sum_us);
    return n;
}

/* Access-log lines of a route: how many, and the shortest time (ms). */
static int
log_lines(const char *route, int status, double *min_ms)
{
    FILE *f = fopen(fx.log, "r");
    char line[1024], want[128];
    int n = 0;

    snprintf(want, sizeof(want), "route=%s status=%d ", route, status);
    *min_ms = 1e9;
    while (f && fgets(line, sizeof(line), f)) {
        const char *ms = strstr(line, " ms=");
        if (!strstr(line, want) || !ms)
            continue;
        n++;
        if (strtod(ms + 4, NULL) < *min_ms)
            *min_ms = strtod(ms + 4, NULL);
    }
    if (f)
        fclose(f);
    return n;
}

/* ---- deferred answers ---- */

struct client {
    pthread_t thread;
    int port, n, rc;
    struct answer a;
};

static void *
client_main(void *p)
{
    struct client *c = p;
    char path[64];
    snprintf(path, sizeof(path), "/api/t/defer/%d", c->n);
    c->rc = get(c->port, path, &c->a);
    return NULL;
}

static void
deferred_many(void **state)
{
    struct client *clients = gg_xcalloc(N_CLIENTS, sizeof(*clients));
    int port = http_server_port(fx.srv);
    uint64_t before_us = latency_sum_us(fx.srv);
    double min_ms;
    (void)state;

    /* Nothing is finished before all 64 wait at once: with 2 worker
     * threads that proves no thread waits for a deferred answer. */
    pthread_mutex_lock(&fin.lock);
    fin.max_pending = 0;
    fin.gate = N_CLIENTS;
    fin.gate_until = gg_mono_ns() + 20ull * 1000 * 1000 * 1000;
    pthread_mutex_unlock(&fin.lock);
    for (int i = 0; i < N_CLIENTS; i++) {
        clients[i].port = port;
        clients[i].n = 1000 + i;
        pthread_create(&clients[i].thread, NULL, client_main, &clients[i]);
    }
    for (int i = 0; i < N_CLIENTS; i++)
        pthread_join(clients[i].thread, NULL);
    assert_int_equal(fin_get(&fin.max_pending), N_CLIENTS);
    assert_int_equal(fin_get(&fin.misordered), 0);

    for (int i = 0; i < N_CLIENTS; i++) {
        char want[64];
        json_t *j;
        assert_int_equal(clients[i].rc, 0);
        assert_int_equal(clients[i].a.status, 201);
        j = json_loadb(clients[i].a.body, clients[i].a.body_len, 0, NULL);
        assert_non_null(j);
        snprintf(want, sizeof(want), "%d", clients[i].n);
        assert_string_equal(json_string_value(json_object_get(j, "n")), want);
        snprintf(want, sizeof(want), "echo-%d", clients[i].n);
        assert_string_equal(json_string_value(json_object_get(j, "echo")),
                            want);
        json_decref(j);
    }
    free(clients);

    /* Metrics and the access log count the deferred time. */
    WAIT_FOR(metrics_in_flight(&fx.srv->metrics) == 0, 10000);
    assert_int_equal(metrics_in_flight(&fx.srv->metrics), 0);
    assert_int_equal(route_count(fx.srv, R_DEFER, METRIC_STATUS_201),
                     N_CLIENTS);
    assert_true(latency_sum_us(fx.srv) - before_us >= N_CLIENTS * 20000u);
    assert_int_equal(log_lines("/api/t/defer/{n}", 201, &min_ms), N_CLIENTS);
    assert_true(min_ms >= 20.0);
}

static void
deferred_error(void **state)
{
    struct answer a;
    char v[64];
    json_t *j;
    (void)state;

    assert_int_equal(get(http_server_port(fx.srv), "/api/t/conflict", &a), 0);
    assert_int_equal(a.status, 409);
    assert_non_null(header_get(&a, "X-Test", v, sizeof(v)));
    assert_string_equal(v, "conflict");
    assert_non_null(header_get(&a, "X-Request-Id", v, sizeof(v)));
    j = json_loadb(a.body, a.body_len, 0, NULL);
    assert_non_null(j);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "error"),
                                          "code")),
        gg_code_name(GG_ECONFLICT));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "error"),
                                          "field")),
        "version");
    json_decref(j);
}

/* ---- streams ---- */

/* Opens a stream and reads its headers; returns its hub entry. */
static struct tstream *
stream_open(struct conn *c, int port, int index)
{
    static const char req[] = "GET /api/t/events HTTP/1.1\r\nHost: t\r\n\r\n";
    struct answer a;
    char v[128];
    struct tstream *ts;

    assert_int_equal(conn_open(c, port), 0);
    assert_int_equal(conn_send(c, req, sizeof(req) - 1), 0);
    assert_int_equal(read_head(c, &a), 0);
    assert_int_equal(a.status, 200);
    assert_non_null(header_get(&a, "Transfer-Encoding", v, sizeof(v)));
    assert_string_equal(v, "chunked");
    assert_non_null(header_get(&a, "Content-Type", v, sizeof(v)));
    assert_string_equal(v, "text/event-stream");
    assert_non_null(header_get(&a, "Cache-Control", v, sizeof(v)));
    assert_string_equal(v, "no-store");
    assert_non_null(header_get(&a, "X-Accel-Buffering", v, sizeof(v)));
    assert_string_equal(v, "no");
    assert_non_null(header_get(&a, "X-Request-Id", v, sizeof(v)));
    ts = hub_stream(index);
    assert_non_null(ts);
    /* It went to sleep: nothing was ready. */
    WAIT_FOR(ts_get(ts, &ts->reads_zero) >= 1, 10000);
    assert_true(ts_get(ts, &ts->reads_zero) >= 1);
    return ts;
}

static void
stream_events(void **state)
{
    struct conn c;
    struct tstream *ts;
    char chunk[256];
    (void)state;

    ts = stream_open(&c, http_server_port(fx.srv), 0);
    for (int i = 1; i <= 3; i++) {
        char event[32];
        size_t len = 0;

        /* Each event finds the connection asleep (or falling asleep). */
        WAIT_FOR(ts_get(ts, &ts->reads_zero) >= i, 10000);
        assert_true(ts_get(ts, &ts->reads_zero) >= i);
        nap_ms(10);
        snprintf(event, sizeof(event), "data: %d\n\n", i);
        ts_push(ts, event);
        assert_int_equal(read_chunk(&c, chunk, sizeof(chunk), &len), 0);
        assert_string_equal(chunk, event);
    }
    assert_int_equal(ts_get(ts, &ts->closes), 0);

    /* The client leaves; the sleeping server notices on a heartbeat. */
    conn_close(&c);
    for (int i = 0; i < 250 && !ts_get(ts, &ts->closes); i++) {
        ts_push(ts, ": ping\n\n");
        nap_ms(20);
    }
    assert_int_equal(ts_get(ts, &ts->closes), 1);
    assert_int_equal(ts_get(ts, &ts->reads_end), 0);
    WAIT_FOR(metrics_in_flight(&fx.srv->metrics) == 0, 10000);
    assert_int_equal(metrics_in_flight(&fx.srv->metrics), 0);
    assert_null(fx.srv->streams);
    hub_reset();
}

/* http_server_stop with a stream open: the app's stopping hook ends it,
 * the client gets the last chunk, close runs once. */
static void
stop_ends_streams(void **state)
{
    struct http_server *srv = server_start();
    struct conn c;
    struct tstream *ts;
    char chunk[64];
    size_t len = 0;
    uint64_t t0;
    (void)state;

    ts = stream_open(&c, http_server_port(srv), 0);
    t0 = gg_mono_ns();
    http_server_stop(&srv, 30);
    assert_null(srv);
    assert_true(gg_mono_ns() - t0 < 10ull * 1000 * 1000 * 1000);
    assert_int_equal(ts_get(ts, &ts->reads_end), 1);
    assert_int_equal(ts_get(ts, &ts->closes), 1);
    assert_int_equal(read_chunk(&c, chunk, sizeof(chunk), &len), 1);
    conn_close(&c);
    hub_reset();
}

/* An app that ignores stopping: after the grace period the server ends
 * the stream itself, without calling read again. */
static void
stop_forces_streams(void **state)
{
    struct http_server *srv = server_start();
    struct conn c;
    struct tstream *ts;
    char chunk[64];
    size_t len = 0;
    (void)state;

    pthread_mutex_lock(&hub.lock);
    hub.ignore_stopping = 1;
    pthread_mutex_unlock(&hub.lock);
    ts = stream_open(&c, http_server_port(srv), 0);
    http_server_stop(&srv, 1);
    assert_int_equal(ts_get(ts, &ts->reads_end), 0);
    assert_int_equal(ts_get(ts, &ts->closes), 1);
    assert_int_equal(read_chunk(&c, chunk, sizeof(chunk), &len), 1);
    conn_close(&c);
    hub_reset();
}

/* http_server_stop waits for deferred requests, also for one deferred
 * while it is already closing (its worker then waits instead of
 * suspending, as nothing may be suspended any more). */
struct stopper {
    pthread_t thread;
    struct http_server *srv;
};

static void *
stopper_main(void *p)
{
    struct stopper *s = p;
    http_server_stop(&s->srv, 0);
    return NULL;
}

static int
server_closing(struct http_server *srv)
{
    int v;
    pthread_mutex_lock(&srv->stream_lock);
    v = srv->closing;
    pthread_mutex_unlock(&srv->stream_lock);
    return v;
}

static void
stop_waits_deferred(void **state)
{
    static const char first[] = "GET /api/t/plain HTTP/1.1\r\nHost: t\r\n\r\n";
    static const char second[] =
        "GET /api/t/defer/2 HTTP/1.1\r\nHost: t\r\n\r\n";
    static const char held[] = "GET /api/t/defer/1 HTTP/1.1\r\nHost: t\r\n\r\n";
    struct stopper stop = {.srv = server_start()};
    struct http_server *srv = stop.srv;
    struct conn a, b;
    struct answer ans;
    struct timespec until;
    int finished = fin_get(&fin.finished);
    (void)state;

    pthread_mutex_lock(&fin.lock);
    fin.hold = 1;
    pthread_mutex_unlock(&fin.lock);
    /* a: deferred and held; b: a keep-alive connection, open before the
     * server stops accepting. */
    assert_int_equal(conn_open(&a, http_server_port(srv)), 0);
    assert_int_equal(conn_send(&a, held, sizeof(held) - 1), 0);
    WAIT_FOR(fin_get(&fin.pending) == 1, 10000);
    assert_int_equal(fin_get(&fin.pending), 1);
    assert_int_equal(conn_open(&b, http_server_port(srv)), 0);
    assert_int_equal(conn_send(&b, first, sizeof(first) - 1), 0);
    assert_int_equal(read_answer(&b, &ans), 0);
    assert_int_equal(ans.status, 200);

    pthread_create(&stop.thread, NULL, stopper_main, &stop);
    WAIT_FOR(server_closing(srv), 10000);
    assert_true(server_closing(srv));
    assert_int_equal(conn_send(&b, second, sizeof(second) - 1), 0);
    WAIT_FOR(fin_get(&fin.pending) == 2, 10000);
    assert_int_equal(fin_get(&fin.pending), 2);
    assert_int_equal(atomic_load(&srv->held), 2);

    pthread_mutex_lock(&fin.lock);
    fin.hold = 0;
    pthread_mutex_unlock(&fin.lock);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 20;
    assert_int_equal(pthread_timedjoin_np(stop.thread, NULL, &until), 0);
    assert_null(stop.srv);
    assert_int_equal(fin_get(&fin.finished), finished + 2);
    /* The answers normally go out (the server gives late answers a moment
     * before it closes the connections), but that is up to timing: only
     * what does arrive is checked. */
    if (read_answer(&a, &ans) == 0) {
        assert_int_equal(ans.status, 201);
        assert_non_null(strstr(ans.body, "\"echo-1\""));
    }
    if (read_answer(&b, &ans) == 0) {
        assert_int_equal(ans.status, 201);
        assert_non_null(strstr(ans.body, "\"echo-2\""));
    }
    conn_close(&a);
    conn_close(&b);
}

/* ---- photo uploads ---- */

static int
post_photo(const char *ctype, size_t len, int send_body, const char *extra,
           struct answer *a)
{
    char *req = gg_xmalloc(len + 512);
    int n = snprintf(req, 512,
                     "POST /api/t/photo HTTP/1.1\r\nHost: t\r\n"
                     "Connection: close\r\nAccept-Language: en\r\n"
                     "Content-Type: %s\r\nContent-Length: %zu\r\n%s\r\n",
                     ctype, len, extra);
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G',
                                         '\r', '\n', 0x1a, '\n'};
    int rc;

    memset(req + n, 0, len);
    memcpy(req + n, png, len < 8 ? len : 8);
    rc = exchange(http_server_port(fx.srv), req,
                  (size_t)n + (send_body ? len : 0), a);
    free(req);
    return rc;
}

static int
dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;

    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n == 0;
}

static void
assert_error(const struct answer *a, int status, int code, const char *text)
{
    json_t *j = json_loadb(a->body, a->body_len, 0, NULL);
    json_t *e = json_object_get(j, "error");

    assert_int_equal(a->status, status);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "code")),
                        gg_code_name(code));
    assert_non_null(
        strstr(json_string_value(json_object_get(e, "message")), text));
    json_decref(j);
}

static void
image_uploads(void **state)
{
    struct answer a;
    json_t *j;
    char path[128];
    (void)state;

    /* Up to the limit, as PNG and as JPEG (the bytes are not checked). */
    assert_int_equal(post_photo("image/png", PHOTO_LIMIT, 1, "", &a), 0);
    assert_int_equal(a.status, 200);
    j = json_loadb(a.body, a.body_len, 0, NULL);
    assert_true(json_is_true(json_object_get(j, "path")));
    assert_int_equal(json_integer_value(json_object_get(j, "size")),
                     PHOTO_LIMIT);
    assert_int_equal(json_integer_value(json_object_get(j, "on_disk")),
                     PHOTO_LIMIT);
    json_decref(j);
    assert_int_equal(post_photo("image/jpeg", 1500, 1, "", &a), 0);
    assert_int_equal(a.status, 200);

    /* Another type: 415 at the headers. */
    assert_int_equal(post_photo("text/plain", 10, 1, "", &a), 0);
    assert_error(&a, 415, GG_EMEDIA, "JPEG or PNG");
    assert_int_equal(post_photo("image/gif", 10, 1, "", &a), 0);
    assert_error(&a, 415, GG_EMEDIA, "JPEG or PNG");

    /* Over max_photo_bytes: 413 naming it, at the headers when the length
     * is announced... */
    assert_int_equal(post_photo("image/png", PHOTO_LIMIT + 1, 0, "", &a), 0);
    assert_error(&a, 413, GG_ETOOBIG, "limit of 4096 bytes");
    /* ... else at the end of a chunked body. */
    {
        static const char head[] =
            "POST /api/t/photo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
            "Accept-Language: en\r\nContent-Type: image/png\r\n"
            "Transfer-Encoding: chunked\r\n\r\n";
        struct gg_buf req = GG_BUF_INIT(1 << 20);
        char chunk[1000];

        memset(chunk, 'x', sizeof(chunk));
        assert_int_equal(gg_buf_adds(&req, head), 0);
        for (int i = 0; i < 5; i++) {
            assert_int_equal(gg_buf_addf(&req, "%zx\r\n", sizeof(chunk)), 0);
            assert_int_equal(gg_buf_add(&req, chunk, sizeof(chunk)), 0);
            assert_int_equal(gg_buf_adds(&req, "\r\n"), 0);
        }
        assert_int_equal(gg_buf_adds(&req, "0\r\n\r\n"), 0);
        assert_int_equal(
            exchange(http_server_port(fx.srv), req.data, req.len, &a), 0);
        gg_buf_release(&req);
        assert_error(&a, 413, GG_ETOOBIG, "limit of 4096 bytes");
    }

    /* The front line runs before a byte is stored. */
    assert_int_equal(post_photo("image/png", 2000, 0, "X-Deny: 1\r\n", &a),
                     0);
    assert_int_equal(a.status, 403);

    /* The handler did not keep its files: none is left. */
    WAIT_FOR(metrics_in_flight(&fx.srv->metrics) == 0, 10000);
    snprintf(path, sizeof(path), "%s/up", fx.dir);
    assert_true(dir_is_empty(path));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deferred_many),
        cmocka_unit_test(deferred_error),
        cmocka_unit_test(stream_events),
        cmocka_unit_test(image_uploads),
        cmocka_unit_test(stop_ends_streams),
        cmocka_unit_test(stop_forces_streams),
        cmocka_unit_test(stop_waits_deferred),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
