/*
 * http_server.c - libmicrohttpd glue: the request lifecycle, the front line,
 * responses, access log, metrics and graceful shutdown.
 *
 * libmicrohttpd calls on_request() several times per request: once when the
 * headers are in (we route and check everything that can be checked
 * without the body), once per chunk of body (collected under a cap), and a
 * last time with no data (we parse, run the app's front line and the
 * handler, and queue the response). on_completed() logs and frees.
 *
 * A deferred request is suspended in that last call and resumed by
 * http_finish(); libmicrohttpd then calls on_request() once more and the
 * stored answer is queued. A streamed body suspends its connection from
 * the content reader while there is nothing to send. libmicrohttpd must
 * never be stopped with a suspended connection (it aborts), so stopping
 * first makes sure nothing suspends any more and everything suspended has
 * run again.
 */
#include "core/gg.h"
#include "core/gg_json.h"
#include "core/gg_log.h"
#include "core/gg_parse.h"
#include "core/gg_time.h"
#include "http/http_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECURITY_CSP                                                          \
    "default-src 'self'; script-src 'self'; style-src 'self' "                \
    "'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "    \
    "connect-src 'self'; object-src 'none'; base-uri 'self'; "                \
    "form-action 'self'; frame-ancestors 'none'"
#define SECURITY_CSP_API "default-src 'none'; frame-ancestors 'none'"

/* Per-request state beyond what handlers see. */
struct req_state {
    struct http_req req;
    struct http_worker *worker;
    uint64_t started_ns;
    size_t metric_slot;
    int status;
    int url_bad;          /* raw URL too long or with control bytes */
    int phase;            /* 0: headers seen, 1: collecting body */
    int fail_code;        /* error decided while reading the body */
    struct gg_err err;    /* error decided from the headers */
    const char *allow;    /* the Allow header of a 405 */
    size_t bytes_in;
    int front_done;       /* the front line ran before the body came */
    int waiting;          /* WAIT_*: a deferred answer */
    int fin_rc;           /* the deferred answer, from http_finish() */
    struct http_resp fin;
    struct gg_err fin_err;
};

/* Where a deferred request is; changed under srv->stream_lock. */
enum {
    WAIT_NONE = 0,
    WAIT_SUSPENDED, /* its connection is suspended until http_finish() */
    WAIT_BLOCKING,  /* the server is stopping: its worker waits instead */
    WAIT_FINISHED,  /* http_finish() stored the answer in fin */
};

/* A stream's private flags; changed under srv->stream_lock. */
enum {
    STREAM_SLEEPING = 1u << 0,  /* suspended by the reader; wake resumes */
    STREAM_WOKEN = 1u << 1,     /* a wake came while read was running */
    STREAM_ENDED = 1u << 2,     /* the server ends it: no more read */
    STREAM_SUSPENDED = 1u << 3, /* counted in srv->held */
};

static const char *const method_names[HTTP_METHOD__COUNT] = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

const char *
http_method_name(enum http_method m)
{
    return (unsigned)m < HTTP_METHOD__COUNT ? method_names[m] : "?";
}

static int
method_parse(const char *s, enum http_method *out)
{
    for (int i = 0; i < HTTP_METHOD__COUNT; i++) {
        if (!strcmp(s, method_names[i])) {
            *out = (enum http_method)i;
            return 0;
        }
    }
    return -1;
}

int
http_status_for(int code)
{
    switch (code) {
    case GG_OK:
        return 200;
    case GG_EINVAL:
        return 400;
    case GG_EUNAUTH:
    case GG_ETOTP:
        return 401;
    case GG_EFORBIDDEN:
    case GG_ELOCKED:
    case GG_ECHANGEPW:
    case GG_ETOTPSETUP:
        return 403;
    case GG_ERATE:
        return 429;
    case GG_ENOTFOUND:
        return 404;
    case GG_EMETHOD:
        return 405;
    case GG_ECONFLICT:
    case GG_EBADSTATE:
        return 409;
    case GG_ETOOBIG:
        return 413;
    case GG_EMEDIA:
        return 415;
    case GG_EBUSY:
    case GG_ESTORE:
        return 503;
    default:
        return 500;
    }
}

/* ---- request accessors ---- */

const char *
http_param(const struct http_req *req, const char *name)
{
    size_t len = strlen(name);
    for (int i = 0; i < req->n_params; i++)
        if (req->param_names[i].len == len &&
            !memcmp(req->param_names[i].ptr, name, len))
            return req->param_values[i];
    return NULL;
}

const char *
http_header(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
http_cookie(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

int
http_query_str(const struct http_req *req, const char *name, size_t max_chars,
               const char **out, struct gg_err *err)
{
    const char *v = MHD_lookup_connection_value(req->conn,
                                                MHD_GET_ARGUMENT_KIND, name);
    size_t len;

    *out = NULL;
    if (!v)
        return 0;
    len = strlen(v);
    if (!gg_utf8_valid(v, len) || gg_has_controls(v, len, 0))
        return gg_fail(err, GG_EINVAL, name, MSG_BAD_ENCODING);
    if (gg_utf8_len(v, len) > max_chars)
        return gg_failf(err, GG_EINVAL, name, MSG_FIELD_TOO_LONG, "%zu",
                        max_chars);
    *out = v;
    return 0;
}

void
http_resp_header(struct http_resp *resp, const char *name, const char *value)
{
    if (resp->n_headers == HTTP_RESP_MAX_HEADERS)
        abort(); /* a handler bug, not input */
    resp->headers[resp->n_headers][0] = name;
    resp->headers[resp->n_headers][1] = value;
    resp->n_headers++;
}

void
http_resp_init(struct http_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    gg_buf_init(&resp->text, 16u << 20);
}

void
http_resp_json(struct http_resp *resp, int status, json_t *json)
{
    if (resp->json)
        json_decref(resp->json);
    resp->status = status;
    resp->json = json;
}

/* ---- responses ---- */

static void
add_common_headers(struct MHD_Response *r, const struct http_req *req,
                   int is_api)
{
    MHD_add_response_header(r, "X-Request-Id", req->id);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "same-origin");
    if (is_api) {
        /* JSON is never rendered: forbid everything, framing included. */
        MHD_add_response_header(r, "Content-Security-Policy", SECURITY_CSP_API);
        MHD_add_response_header(r, "Cache-Control", "no-store");
        return;
    }
    MHD_add_response_header(r, "Content-Security-Policy", SECURITY_CSP);
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
}

static struct MHD_Response *
response_from_json(json_t *json)
{
    char *text = json_dumps(json, JSON_COMPACT);
    struct MHD_Response *r;

    if (!text)
        return NULL;
    r = MHD_create_response_from_buffer_with_free_callback(strlen(text), text,
                                                           free);
    if (!r) {
        free(text);
        return NULL;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json; charset=utf-8");
    return r;
}

static json_t *
error_json(const struct http_req *req, const struct gg_err *err)
{
    char message[512];
    gg_msg_format(message, sizeof(message), req->lang, err->msg, err->arg);
    return json_pack("{s:{s:s,s:s,s:s}}", "error", "code",
                     gg_code_name(err->code), "field", err->field, "message",
                     message);
}

static enum MHD_Result
queue(struct req_state *st, int status, struct MHD_Response *r, int is_api)
{
    enum MHD_Result ret;

    if (!r) {
        r = MHD_create_response_from_buffer(0, (void *)"",
                                            MHD_RESPMEM_PERSISTENT);
        status = 500;
        if (!r)
            return MHD_NO;
    }
    add_common_headers(r, &st->req, is_api);
    st->status = status;
    ret = MHD_queue_response(st->req.conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

/* An error answer; headers the handler set (e.g. Retry-After) go along. */
static enum MHD_Result
queue_error_with(struct req_state *st, const struct gg_err *err,
                 const struct http_resp *resp)
{
    json_t *j = error_json(&st->req, err);
    struct MHD_Response *r = j ? response_from_json(j) : NULL;
    int status = http_status_for(err->code);

    json_decref(j);
    for (int i = 0; r && resp && i < resp->n_headers; i++)
        MHD_add_response_header(r, resp->headers[i][0], resp->headers[i][1]);
    if (r && st->allow)
        MHD_add_response_header(r, "Allow", st->allow);
    if (r && err->code == GG_EUNAUTH)
        MHD_add_response_header(r, "WWW-Authenticate", "Cookie");
    return queue(st, status, r, 1);
}

static enum MHD_Result
queue_error(struct req_state *st, const struct gg_err *err)
{
    return queue_error_with(st, err, NULL);
}

/* ---- streamed responses ---- */

/* The connection runs again after a suspension: it no longer holds up
 * http_server_stop. Under stream_lock. */
static void
stream_ran(struct http_server *srv, struct http_stream *s)
{
    if (s->flags & STREAM_SUSPENDED)
        atomic_fetch_sub(&srv->held, 1);
    s->flags &= ~STREAM_SUSPENDED;
}

/* Under stream_lock. Resuming a connection that is not suspended is
 * undefined in libmicrohttpd, hence the flag. */
static void
stream_wake_locked(struct http_stream *s)
{
    if (s->flags & STREAM_SLEEPING) {
        s->flags &= ~STREAM_SLEEPING;
        MHD_resume_connection(s->conn);
    } else {
        s->flags |= STREAM_WOKEN;
    }
}

void
http_stream_wake(struct http_stream *s)
{
    struct http_server *srv = atomic_load(&s->srv);

    /* NULL: not taken yet (its first read comes anyway) or closed. */
    if (!srv)
        return;
    pthread_mutex_lock(&srv->stream_lock);
    if (atomic_load(&s->srv) == srv)
        stream_wake_locked(s);
    pthread_mutex_unlock(&srv->stream_lock);
}

/* libmicrohttpd's content reader. read runs without our lock, so the app
 * may take its own locks there and around wake; a wake that comes while
 * read runs is remembered (STREAM_WOKEN) and read runs again instead of
 * the connection going to sleep, so no wake is lost. */
static ssize_t
stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct http_stream *s = cls;
    struct http_server *srv = atomic_load(&s->srv);
    ssize_t n;

    (void)pos;
    for (;;) {
        pthread_mutex_lock(&srv->stream_lock);
        stream_ran(srv, s);
        if (s->flags & STREAM_ENDED) {
            pthread_mutex_unlock(&srv->stream_lock);
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        s->flags &= ~STREAM_WOKEN;
        pthread_mutex_unlock(&srv->stream_lock);

        n = s->read(s->ctx, buf, max);
        if (n > 0 && (size_t)n <= max)
            return n;
        if (n == -1)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (n != 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;

        pthread_mutex_lock(&srv->stream_lock);
        if (!(s->flags & (STREAM_WOKEN | STREAM_ENDED))) {
            s->flags |= STREAM_SLEEPING | STREAM_SUSPENDED;
            atomic_fetch_add(&srv->held, 1);
            MHD_suspend_connection(s->conn);
            pthread_mutex_unlock(&srv->stream_lock);
            return 0;
        }
        pthread_mutex_unlock(&srv->stream_lock);
    }
}

/* libmicrohttpd frees the response: the stream has ended, for whatever
 * reason. After the unlock nothing of s is touched but close. */
static void
stream_free(void *cls)
{
    struct http_stream *s = cls;
    struct http_server *srv = atomic_load(&s->srv);

    pthread_mutex_lock(&srv->stream_lock);
    stream_ran(srv, s);
    if (s->prev)
        s->prev->next = s->next;
    else
        srv->streams = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->prev = s->next = NULL;
    s->flags = 0;
    atomic_store(&s->srv, NULL);
    pthread_mutex_unlock(&srv->stream_lock);
    s->close(s->ctx);
}

static struct MHD_Response *
stream_response(struct req_state *st, struct http_stream *s)
{
    struct http_server *srv = st->req.server;
    struct MHD_Response *r;

    pthread_mutex_lock(&srv->stream_lock);
    s->conn = st->req.conn;
    s->flags = srv->stopping ? STREAM_ENDED : 0;
    s->prev = NULL;
    s->next = srv->streams;
    if (s->next)
        s->next->prev = s;
    srv->streams = s;
    atomic_store(&s->srv, srv);
    pthread_mutex_unlock(&srv->stream_lock);
    r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
                                          stream_reader, s, stream_free);
    if (!r)
        stream_free(s);
    return r;
}

/* Ends every open stream: read is not called again. */
static void
streams_end(struct http_server *srv)
{
    pthread_mutex_lock(&srv->stream_lock);
    for (struct http_stream *s = srv->streams; s; s = s->next) {
        s->flags |= STREAM_ENDED;
        stream_wake_locked(s);
    }
    pthread_mutex_unlock(&srv->stream_lock);
}

/* ---- answers ---- */

static enum MHD_Result
queue_resp(struct req_state *st, struct http_resp *resp)
{
    struct MHD_Response *r;

    if (resp->stream) {
        r = stream_response(st, resp->stream);
        resp->stream = NULL;
        if (r) {
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                    resp->content_type
                                        ? resp->content_type
                                        : "text/event-stream");
            MHD_add_response_header(r, "X-Accel-Buffering", "no");
        }
    } else if (resp->fd > 0) {
        r = MHD_create_response_from_fd(resp->fd_size, resp->fd);
        if (!r)
            close(resp->fd);
        else
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                    resp->content_type
                                        ? resp->content_type
                                        : "application/octet-stream");
        resp->fd = 0;
    } else if (resp->json) {
        r = response_from_json(resp->json);
    } else if (resp->text.len) {
        size_t len;
        char *text = gg_buf_detach(&resp->text, &len);
        r = MHD_create_response_from_buffer_with_free_callback(len, text,
                                                               free);
        if (!r)
            free(text);
        else
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                    resp->content_type
                                        ? resp->content_type
                                        : "text/plain; charset=utf-8");
    } else {
        r = MHD_create_response_from_buffer(0, (void *)"",
                                            MHD_RESPMEM_PERSISTENT);
    }
    if (r)
        for (int i = 0; i < resp->n_headers; i++)
            MHD_add_response_header(r, resp->headers[i][0],
                                    resp->headers[i][1]);
    return queue(st, resp->status ? resp->status : 200, r, 1);
}

/* Releases what a response still holds (what was not sent). */
static void
resp_release(struct http_resp *resp)
{
    json_decref(resp->json);
    resp->json = NULL;
    gg_buf_release(&resp->text);
    if (resp->fd > 0)
        close(resp->fd);
    resp->fd = 0;
    if (resp->stream)
        resp->stream->close(resp->stream->ctx); /* never started */
    resp->stream = NULL;
}

/* Queues a handler's result: resp when rc is 0, else err. */
static enum MHD_Result
answer(struct req_state *st, int rc, struct http_resp *resp,
       struct gg_err *err)
{
    enum MHD_Result ret;

    if (rc) {
        if (!err->code)
            gg_fail(err, rc, "", MSG_INTERNAL);
        ret = queue_error_with(st, err, resp);
    } else {
        ret = queue_resp(st, resp);
    }
    resp_release(resp);
    return ret;
}

/* ---- per-thread state ---- */

static void
worker_exit(void *p)
{
    struct http_worker *w = p;
    /* The worker itself stays until the server stops: its metrics shard
     * and in-flight count are read after the thread is gone. */
    if (w->app_ctx)
        w->srv->app->thread_close(w->app_ctx);
    w->app_ctx = NULL;
    gg_arena_free(w->spare);
    w->spare = NULL;
}

/* This thread's worker, created on its first request or connection. */
static struct http_worker *
worker_get(struct http_server *srv)
{
    struct http_worker *w = pthread_getspecific(srv->worker_key);

    if (w)
        return w;
    w = gg_xcalloc(1, sizeof(*w));
    w->srv = srv;
    w->index = atomic_fetch_add(&srv->next_worker, 1);
    w->shard = &srv->metrics.shards[w->index % srv->metrics.n_shards];
    pthread_setspecific(srv->worker_key, w);
    pthread_mutex_lock(&srv->workers_lock);
    w->next_worker = srv->workers;
    srv->workers = w;
    pthread_mutex_unlock(&srv->workers_lock);
    return w;
}

static void *
thread_ctx(struct http_worker *w)
{
    if (!w->app_ctx && w->srv->app->thread_open)
        w->app_ctx = w->srv->app->thread_open(w->srv->app->ctx);
    return w->app_ctx; /* NULL: try again on the next request */
}

/* ---- the request lifecycle ---- */

static void
hex32(char *out, uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 7; i >= 0; i--, v >>= 4)
        out[i] = digits[v & 15];
}

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct http_server *srv = cls;
    struct http_worker *w = worker_get(srv);
    struct gg_arena *arena = w->spare ? w->spare : gg_arena_new(4096);
    struct req_state *st;
    size_t len = strlen(uri);

    w->spare = NULL;
    st = gg_arena_alloc(arena, sizeof(*st));
    st->worker = w;
    st->req.arena = arena;
    st->req.server = srv;
    st->req.conn = conn;
    st->started_ns = gg_mono_ns();
    st->metric_slot = METRIC_ROUTE_UNMATCHED;
    gg_buf_init(&st->req.body, (size_t)srv->cfg->max_body_bytes);
    st->req.upload.fd = -1;
    /* Unique per process run: a per-start prefix, the worker, a counter. */
    hex32(st->req.id, srv->id_prefix);
    hex32(st->req.id + 8, (w->index << 24) | (w->next_id++ & 0xFFFFFF));
    st->req.id[HTTP_REQ_ID_LEN] = '\0';
    if (len > (size_t)srv->cfg->max_url_bytes)
        st->url_bad = 1;
    else if (gg_has_controls(uri, len, 0) || strstr(uri, "%00"))
        st->url_bad = 2;
    atomic_fetch_add_explicit(&w->shard->in_flight, 1, memory_order_relaxed);
    return st;
}

const char *
http_peer(struct http_req *req)
{
    const union MHD_ConnectionInfo *ci;
    const struct sockaddr *sa;

    if (req->peer[0])
        return req->peer;
    ci = MHD_get_connection_info(req->conn,
                                 MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    sa = ci ? ci->client_addr : NULL;
    snprintf(req->peer, sizeof(req->peer), "-");
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, req->peer, sizeof(req->peer));
        req->peer_is_local = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, req->peer, sizeof(req->peer));
        req->peer_is_local = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return req->peer;
}

int
http_peer_is_local(struct http_req *req)
{
    http_peer(req);
    return req->peer_is_local;
}

static int
is_api_path(const char *path)
{
    return !strncmp(path, "/api/", 5) || !strcmp(path, "/api") ||
           !strcmp(path, "/metrics");
}

/* 1 if the request announces a body. */
static int
has_body(const struct http_req *req)
{
    const char *cl = http_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *te = http_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    return (cl && strcmp(cl, "0")) || te;
}

static int
json_media_type(const char *ct)
{
    const char *p;

    if (!ct || strncasecmp(ct, "application/json", 16))
        return 0;
    p = ct + 16;
    while (*p == ' ')
        p++;
    if (!*p)
        return 1;
    if (*p != ';')
        return 0;
    p++;
    while (*p == ' ')
        p++;
    return !strncasecmp(p, "charset=utf-8", 13) &&
           (p[13] == '\0' || p[13] == ';' || p[13] == ' ');
}

static int
media_type_in(const char *ct, const char *const *types, size_t n_types)
{
    for (size_t i = 0; ct && i < n_types; i++) {
        size_t n = strlen(types[i]);
        if (!strncasecmp(ct, types[i], n) &&
            (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
            return 1;
    }
    return 0;
}

/* Whether ct suits a body of this kind, and the message of a 415. What a
 * spreadsheet or photo is sent as is only a first filter: the content
 * decides in the end (core/gg_sheet.h, the domain's photo check). */
static int
body_media_ok(enum http_body kind, const char *ct, enum gg_msg_id *msg)
{
    static const char *const sheet_types[] = {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/octet-stream",
    };
    static const char *const image_types[] = {"image/jpeg", "image/png"};

    switch (kind) {
    case HTTP_BODY_FILE:
        *msg = MSG_MEDIA_TYPE_FILE;
        return media_type_in(ct, sheet_types, GG_ARRAY_LEN(sheet_types));
    case HTTP_BODY_IMAGE:
        *msg = MSG_MEDIA_TYPE_IMAGE;
        return media_type_in(ct, image_types, GG_ARRAY_LEN(image_types));
    default:
        *msg = MSG_MEDIA_TYPE;
        return json_media_type(ct);
    }
}

/* 1 if the route's body goes to a file (req->upload). */
static int
body_is_upload(const struct http_route *route)
{
    return route && (route->body == HTTP_BODY_FILE ||
                     route->body == HTTP_BODY_IMAGE);
}

/* The largest body the route takes (no route: a body to drop). */
static int64_t
body_limit(const struct http_server *srv, const struct http_route *route)
{
    if (route && route->body == HTTP_BODY_FILE)
        return srv->cfg->max_upload_bytes;
    if (route && route->body == HTTP_BODY_IMAGE)
        return srv->cfg->max_photo_bytes;
    return srv->cfg->max_body_bytes;
}

void
http_upload_dir(const struct gg_config *cfg, char *out, size_t cap)
{
    if (cfg->upload_dir[0])
        snprintf(out, cap, "%s", cfg->upload_dir);
    else
        snprintf(out, cap, "%s.uploads", cfg->db);
}

/* Appends a chunk of an upload to its file, made on the first chunk. */
static int
upload_add(struct http_server *srv, struct req_state *st, const char *data,
           size_t len)
{
    struct http_upload *u = &st->req.upload;

    if (u->size + len > (uint64_t)body_limit(srv, st->req.route))
        return GG_ETOOBIG;
    if (!u->path) {
        char dir[GG_CONF_STR_MAX + 16], *path;
        http_upload_dir(srv->cfg, dir, sizeof(dir));
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
            return GG_EINTERNAL;
        path = gg_arena_printf(st->req.arena, "%s/upload-XXXXXX", dir);
        u->fd = mkstemp(path);
        if (u->fd < 0)
            return GG_EINTERNAL;
        u->path = path;
    }
    while (len) {
        ssize_t w = write(u->fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return GG_EINTERNAL;
        data += w;
        len -= (size_t)w;
        u->size += (uint64_t)w;
    }
    return 0;
}

static void
upload_release(struct http_upload *u)
{
    if (u->fd >= 0)
        close(u->fd);
    u->fd = -1;
    if (u->path)
        unlink(u->path);
    u->path = NULL;
}

/* Everything decidable from the request line and headers. */
static int
front_headers(struct http_server *srv, struct req_state *st, const char *url,
              const char *method, struct gg_err *err)
{
    struct http_req *req = &st->req;
    const char *cl;
    unsigned allowed = 0;
    int64_t length;
    enum gg_msg_id media_msg;

    if (st->url_bad == 1)
        return gg_failf(err, GG_EINVAL, "url", MSG_URL_TOO_LONG, "%" PRId64,
                        srv->cfg->max_url_bytes);
    if (st->url_bad || !gg_utf8_valid(url, strlen(url)))
        return gg_fail(err, GG_EINVAL, "url", MSG_BAD_ENCODING);
    req->path = gg_arena_strdup(req->arena, url);
    if (method_parse(method, &req->method))
        return gg_failf(err, GG_EMETHOD, "", MSG_METHOD_NOT_ALLOWED, "%.16s",
                        method);

    if (!is_api_path(req->path)) {
        st->metric_slot = METRIC_ROUTE_STATIC;
        st->allow = "GET, HEAD";
        if (req->method != HTTP_GET && req->method != HTTP_HEAD)
            return gg_failf(err, GG_EMETHOD, "", MSG_METHOD_NOT_ALLOWED, "%s",
                            method);
        return 0;
    }
    req->route = router_match(&srv->router, req->method, req->path, req,
                              &allowed);
    if (!req->route) {
        if (allowed) {
            char *list = gg_arena_alloc(req->arena, 64);
            size_t off = 0;
            for (int m = 0; m < HTTP_METHOD__COUNT; m++)
                if (allowed & (1u << m))
                    off += (size_t)snprintf(list + off, 64 - off, "%s%s",
                                            off ? ", " : "",
                                            method_names[m]);
            st->allow = list;
            return gg_failf(err, GG_EMETHOD, "", MSG_METHOD_NOT_ALLOWED, "%s",
                            method);
        }
        return gg_fail(err, GG_ENOTFOUND, "", MSG_NOT_FOUND);
    }
    st->metric_slot = METRIC_ROUTE__FIXED +
                      (size_t)(req->route - srv->app->routes);

    cl = http_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && gg_parse_i64(cl, 0, INT64_MAX, &length))
        return gg_fail(err, GG_EINVAL, "Content-Length", MSG_BAD_ENCODING);
    if (!has_body(req))
        return 0;
    if (req->route->body == HTTP_BODY_NONE)
        return gg_fail(err, GG_EINVAL, "body", MSG_BODY_UNEXPECTED);
    if (!body_media_ok(req->route->body,
                       http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE),
                       &media_msg))
        return gg_fail(err, GG_EMEDIA, "Content-Type", media_msg);
    if (cl && length > body_limit(srv, req->route))
        return gg_failf(err, GG_ETOOBIG, "body", MSG_BODY_TOO_LARGE,
                        "%" PRId64, body_limit(srv, req->route));
    return 0;
}

/* An upload is let in only for someone allowed to make it: the front line
 * (authentication, permission, CSRF) runs before a byte of it is stored.
 * GG_E* when it refuses (answered at once, closing the connection). */
static int
early_front_line(struct http_server *srv, struct req_state *st,
                 struct gg_err *err)
{
    struct http_req *req = &st->req;
    int rc;

    req->thread_ctx = thread_ctx(st->worker);
    if (srv->app->thread_open && !req->thread_ctx)
        return gg_fail(err, GG_ESTORE, "", MSG_STORE_UNAVAILABLE);
    rc = srv->app->front_line ? srv->app->front_line(req, err) : 0;
    if (rc && srv->app->after)
        srv->app->after(req);
    st->front_done = !rc;
    return rc;
}

/* The worker has a deferred request's answer: it queues it. */
static enum MHD_Result
resume_deferred(struct http_server *srv, struct req_state *st)
{
    st->waiting = WAIT_NONE;
    atomic_fetch_sub(&srv->held, 1);
    return answer(st, st->fin_rc, &st->fin, &st->fin_err);
}

/* Hands a request to the thread resp->defer names. Normally its connection
 * is suspended and this worker goes on with other connections; once the
 * server is stopping nothing may be suspended, and the worker waits for
 * http_finish() itself. */
static enum MHD_Result
defer(struct http_server *srv, struct req_state *st, struct http_resp *resp)
{
    void (*hand_over)(struct http_req *, void *) = resp->defer;
    void *arg = resp->defer_arg;
    int block;

    resp_release(resp);
    pthread_mutex_lock(&srv->stream_lock);
    block = srv->closing;
    st->waiting = block ? WAIT_BLOCKING : WAIT_SUSPENDED;
    atomic_fetch_add(&srv->held, 1);
    if (!block)
        MHD_suspend_connection(st->req.conn);
    pthread_mutex_unlock(&srv->stream_lock);
    hand_over(&st->req, arg);
    if (!block)
        return MHD_YES; /* st is the other thread's now */
    pthread_mutex_lock(&srv->stream_lock);
    while (st->waiting != WAIT_FINISHED)
        pthread_cond_wait(&srv->finished, &srv->stream_lock);
    pthread_mutex_unlock(&srv->stream_lock);
    return resume_deferred(srv, st);
}

void
http_finish(struct http_req *req, int rc, struct http_resp *resp,
            const struct gg_err *err)
{
    struct req_state *st =
        (struct req_state *)((char *)req - offsetof(struct req_state, req));
    struct http_server *srv = req->server;

    st->fin_rc = rc;
    if (resp) {
        st->fin = *resp;
        http_resp_init(resp);
    } else {
        http_resp_init(&st->fin);
    }
    if (err)
        st->fin_err = *err;
    else
        gg_err_clear(&st->fin_err);
    pthread_mutex_lock(&srv->stream_lock);
    if (st->waiting == WAIT_SUSPENDED) {
        st->waiting = WAIT_FINISHED;
        MHD_resume_connection(req->conn);
    } else if (st->waiting == WAIT_BLOCKING) {
        st->waiting = WAIT_FINISHED;
        pthread_cond_broadcast(&srv->finished);
    } else {
        abort(); /* finished twice, or never deferred: an app bug */
    }
    pthread_mutex_unlock(&srv->stream_lock);
}

static enum MHD_Result
run_handler(struct http_server *srv, struct req_state *st)
{
    struct http_req *req = &st->req;
    struct http_resp resp;
    struct gg_err err;
    int rc;

    http_resp_init(&resp);
    gg_err_clear(&err);

    if (body_is_upload(req->route) && !req->upload.path) {
        gg_fail(&err, GG_EINVAL, "body", MSG_BODY_REQUIRED);
        return queue_error(st, &err);
    }
    if (req->route->body == HTTP_BODY_JSON) {
        if (!req->body.len) {
            gg_fail(&err, GG_EINVAL, "body", MSG_BODY_REQUIRED);
            return queue_error(st, &err);
        }
        rc = gg_json_parse(req->body.data, req->body.len,
                           (int)srv->cfg->max_json_depth, &req->json, &err);
        if (rc)
            return queue_error(st, &err);
        if (!json_is_object(req->json)) {
            gg_fail(&err, GG_EINVAL, "body", MSG_JSON_NOT_OBJECT);
            return queue_error(st, &err);
        }
    }
    req->thread_ctx = thread_ctx(st->worker);
    if (srv->app->thread_open && !req->thread_ctx) {
        gg_fail(&err, GG_ESTORE, "", MSG_STORE_UNAVAILABLE);
        return queue_error(st, &err);
    }
    rc = srv->app->front_line && !st->front_done
             ? srv->app->front_line(req, &err)
             : 0;
    if (!rc)
        rc = req->route->handler(req, &resp, &err);
    if (srv->app->after)
        srv->app->after(req);
    if (!rc && resp.defer)
        return defer(srv, st, &resp);
    return answer(st, rc, &resp, &err);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
           const char *method, const char *version, const char *upload_data,
           size_t *upload_data_size, void **con_cls)
{
    struct http_server *srv = cls;
    struct req_state *st = *con_cls;
    struct gg_err err;

    (void)version;
    (void)conn;
    gg_err_clear(&err);
    if (st->waiting == WAIT_FINISHED)
        return resume_deferred(srv, st);
    if (st->phase == 0) {
        st->phase = 1;
        st->req.lang = gg_lang_from_accept(
            http_header(&st->req, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
        if (front_headers(srv, st, url, method, &err)) {
            /* With a body on its way the answer goes now and the connection
             * closes; without one it waits for the final call so that
             * keep-alive survives the error. */
            if (has_body(&st->req))
                return queue_error(st, &err);
            st->err = err;
        } else if (body_is_upload(st->req.route) &&
                   early_front_line(srv, st, &err)) {
            return queue_error(st, &err);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        st->bytes_in += *upload_data_size;
        if (!st->fail_code && body_is_upload(st->req.route)) {
            st->fail_code = upload_add(srv, st, upload_data,
                                       *upload_data_size);
            if (st->fail_code)
                upload_release(&st->req.upload);
        } else if (!st->fail_code &&
                   gg_buf_add(&st->req.body, upload_data, *upload_data_size)) {
            st->fail_code = GG_ETOOBIG;
            gg_buf_release(&st->req.body);
        }
        *upload_data_size = 0;
        /* libmicrohttpd cannot answer in the middle of an upload: the rest
         * is read and dropped, and the 413 goes out at the end. A client
         * that keeps sending far past the cap is cut off instead. */
        if (st->fail_code &&
            st->bytes_in > 4 * (size_t)srv->cfg->max_body_bytes)
            return MHD_NO;
        return MHD_YES;
    }
    if (st->fail_code == GG_EINTERNAL) {
        gg_fail(&err, GG_EINTERNAL, "body", MSG_UPLOAD_FAILED);
        return queue_error(st, &err);
    }
    if (st->fail_code) {
        gg_failf(&err, GG_ETOOBIG, "body", MSG_BODY_TOO_LARGE, "%" PRId64,
                 body_limit(srv, st->req.route));
        return queue_error(st, &err);
    }
    if (st->err.code)
        return queue_error(st, &st->err);
    if (!st->req.route) {
        int status = 200;
        struct MHD_Response *r;

        if (!srv->cfg->web[0]) {
            gg_fail(&err, GG_ENOTFOUND, "", MSG_NOT_FOUND);
            return queue_error(st, &err);
        }
        r = static_serve(&st->req, srv->cfg->web, &status, &err);
        if (!r)
            return queue_error(st, &err);
        return queue(st, status, r, 0);
    }
    return run_handler(srv, st);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct http_server *srv = cls;
    struct req_state *st = *con_cls;
    struct http_worker *w;
    struct gg_arena *arena;
    uint64_t ns;

    (void)conn;
    if (!st)
        return;
    w = st->worker;
    ns = gg_mono_ns() - st->started_ns;
    if (st->phase) {
        metrics_record(&srv->metrics, w->shard, st->metric_slot, st->status,
                       ns);
        if (srv->cfg->access_log)
            gg_log(GG_LOG_INFO, "http.request",
                   "id=%s method=%s route=%s status=%d ms=%.3f in=%zu "
                   "account=%" PRId64 "%s",
                   st->req.id, http_method_name(st->req.method),
                   st->req.route ? st->req.route->pattern
                   : st->metric_slot == METRIC_ROUTE_STATIC ? "static"
                                                            : "-",
                   st->status, (double)ns / 1e6, st->bytes_in,
                   st->req.account_id,
                   toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? ""
                                                              : " aborted=1");
    }
    if (st->waiting == WAIT_FINISHED) /* resumed, closed unanswered */
        atomic_fetch_sub(&srv->held, 1);
    resp_release(&st->fin);
    json_decref(st->req.json);
    gg_buf_release(&st->req.body);
    upload_release(&st->req.upload);
    atomic_fetch_sub_explicit(&w->shard->in_flight, 1, memory_order_relaxed);
    arena = st->req.arena; /* st lives in it */
    if (!w->spare && gg_arena_bytes(arena) <= 64 * 1024) {
        gg_arena_reset(arena);
        w->spare = arena;
    } else {
        gg_arena_free(arena);
    }
    *con_cls = NULL;
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
              enum MHD_ConnectionNotificationCode toe)
{
    struct metrics_shard *sh = worker_get(cls)->shard;
    (void)conn;
    (void)socket_ctx;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        atomic_fetch_add_explicit(&sh->connections_open, 1,
                                  memory_order_relaxed);
        atomic_fetch_add_explicit(&sh->connections_total, 1,
                                  memory_order_relaxed);
    } else {
        atomic_fetch_sub_explicit(&sh->connections_open, 1,
                                  memory_order_relaxed);
    }
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[256];
    size_t n;

    (void)cls;
    if (!gg_log_enabled(GG_LOG_DEBUG))
        return;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (msg[i] == '"')
            msg[i] = '\'';
    gg_log(GG_LOG_DEBUG, "http.mhd", "msg=\"%s\"", msg);
}

/* ---- start and stop ---- */

static int
parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    int64_t port;
    size_t hlen;

    memset(ss, 0, sizeof(*ss));
    if (!colon || gg_parse_i64(colon + 1, 0, 65535, &port))
        return -1;
    hlen = (size_t)(colon - listen);
    if (hlen >= sizeof(host))
        return -1;
    memcpy(host, listen, hlen);
    host[hlen] = '\0';
    if (hlen > 2 && host[0] == '[' && host[hlen - 1] == ']') {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        host[hlen - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1)
            return -1;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *len = sizeof(*in6);
        return AF_INET6;
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        if (inet_pton(AF_INET, hlen ? host : "0.0.0.0", &in->sin_addr) != 1)
            return -1;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        *len = sizeof(*in);
        return AF_INET;
    }
}

int
http_server_start(struct http_server **out, const struct gg_config *cfg,
                  const struct http_app *app, struct gg_err *err)
{
    struct http_server *srv;
    struct sockaddr_storage ss;
    socklen_t slen = 0;
    const union MHD_DaemonInfo *info;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;
    int family, rc;

    *out = NULL;
    family = parse_listen(cfg->listen, &ss, &slen);
    if (family < 0)
        return gg_failf(err, GG_EINVAL, "listen", MSG_CONFIG_VALUE,
                        "listen = %s", cfg->listen);
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;

    srv = gg_xcalloc(1, sizeof(*srv));
    srv->app = app;
    srv->cfg = cfg;
    rc = router_init(&srv->router, app->routes, app->n_routes, err);
    if (rc) {
        free(srv);
        return rc;
    }
    metrics_init(&srv->metrics, app->n_routes, (size_t)cfg->threads + 1);
    pthread_key_create(&srv->worker_key, worker_exit);
    pthread_mutex_init(&srv->workers_lock, NULL);
    pthread_mutex_init(&srv->stream_lock, NULL);
    pthread_cond_init(&srv->finished, NULL);
    srv->id_prefix = (uint32_t)getpid() ^ (uint32_t)gg_now_ms();

    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)cfg->threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)cfg->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)cfg->max_connections_per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)cfg->connection_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->max_header_bytes,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
        MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_END);
    if (!srv->daemon) {
        int saved = errno;
        http_server_stop(&srv, 0);
        return gg_failf(err, GG_EINVAL, "listen", MSG_LISTEN, "%s (%s)",
                        cfg->listen, strerror(saved));
    }
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : 0;
    *out = srv;
    return 0;
}

int
http_server_port(const struct http_server *srv)
{
    return srv->port;
}

static void
nap_10ms(void)
{
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

/* Stops the daemon, which libmicrohttpd allows only with no connection
 * suspended. From `closing` on nothing suspends any more: streams are
 * ended, and a request deferred from then on keeps its worker waiting. */
static void
daemon_stop(struct http_server *srv, int grace_s)
{
    uint64_t deadline = gg_mono_ns() + (uint64_t)grace_s * 1000000000u;
    MHD_socket fd;
    int warned = 0;

    pthread_mutex_lock(&srv->stream_lock);
    srv->stopping = 1;
    pthread_mutex_unlock(&srv->stream_lock);
    if (srv->app->stopping)
        srv->app->stopping(srv->app->ctx);
    fd = MHD_quiesce_daemon(srv->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    while (metrics_in_flight(&srv->metrics) > 0 && gg_mono_ns() < deadline)
        nap_10ms();
    if (metrics_in_flight(&srv->metrics) > 0)
        gg_log(GG_LOG_WARN, "http.stop", "in_flight=%" PRId64,
               metrics_in_flight(&srv->metrics));

    pthread_mutex_lock(&srv->stream_lock);
    srv->closing = 1;
    pthread_mutex_unlock(&srv->stream_lock);
    streams_end(srv);
    /* Deferred requests cannot be taken back from their thread: wait for
     * it to finish them, however long that takes. */
    while (atomic_load(&srv->held) > 0) {
        if (!warned++)
            gg_log(GG_LOG_WARN, "http.stop", "held=%" PRId64,
                   (int64_t)atomic_load(&srv->held));
        nap_10ms();
    }
    /* Answers given since (say, of writes just committed) get a moment to
     * go out: stopping the daemon drops whatever is still unsent. */
    deadline = gg_mono_ns() + 1000000000u;
    while (warned && metrics_in_flight(&srv->metrics) > 0 &&
           gg_mono_ns() < deadline)
        nap_10ms();
    MHD_stop_daemon(srv->daemon);
}

void
http_server_stop(struct http_server **psrv, int grace_s)
{
    struct http_server *srv = *psrv;

    if (!srv)
        return;
    if (srv->daemon)
        daemon_stop(srv, grace_s);
    while (srv->workers) {
        struct http_worker *w = srv->workers;
        srv->workers = w->next_worker;
        worker_exit(w); /* no-op unless its thread never ended */
        free(w);
    }
    pthread_mutex_destroy(&srv->workers_lock);
    pthread_cond_destroy(&srv->finished);
    pthread_mutex_destroy(&srv->stream_lock);
    pthread_key_delete(srv->worker_key);
    metrics_release(&srv->metrics);
    router_release(&srv->router);
    free(srv);
    *psrv = NULL;
}
