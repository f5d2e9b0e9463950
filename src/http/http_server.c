/*
 * http_server.c - libmicrohttpd glue: the request lifecycle, the front line,
 * responses, access log, metrics and graceful shutdown.
 *
 * libmicrohttpd calls on_request() several times per request: once when the
 * headers are in (we route and check everything that can be checked
 * without the body), once per chunk of body (collected under a cap), and a
 * last time with no data (we parse, run the app's front line and the
 * handler, and queue the response). on_completed() logs and frees.
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

static enum MHD_Result
queue_resp(struct req_state *st, struct http_resp *resp)
{
    struct MHD_Response *r;

    if (resp->fd > 0) {
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

/* What a spreadsheet upload may be sent as; the content decides the
 * format in the end (core/gg_sheet.h). */
static int
file_media_type(const char *ct)
{
    static const char *const types[] = {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/octet-stream",
    };
    for (size_t i = 0; ct && i < GG_ARRAY_LEN(types); i++) {
        size_t n = strlen(types[i]);
        if (!strncasecmp(ct, types[i], n) &&
            (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
            return 1;
    }
    return 0;
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

    if (u->size + len > (uint64_t)srv->cfg->max_upload_bytes)
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
    if (req->route->body == HTTP_BODY_FILE) {
        if (!file_media_type(http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE)))
            return gg_fail(err, GG_EMEDIA, "Content-Type",
                           MSG_MEDIA_TYPE_FILE);
        if (cl && length > srv->cfg->max_upload_bytes)
            return gg_failf(err, GG_ETOOBIG, "body", MSG_BODY_TOO_LARGE,
                            "%" PRId64, srv->cfg->max_upload_bytes);
        return 0;
    }
    if (!json_media_type(http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE)))
        return gg_fail(err, GG_EMEDIA, "Content-Type", MSG_MEDIA_TYPE);
    if (cl && length > srv->cfg->max_body_bytes)
        return gg_failf(err, GG_ETOOBIG, "body", MSG_BODY_TOO_LARGE,
                        "%" PRId64, srv->cfg->max_body_bytes);
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

static enum MHD_Result
run_handler(struct http_server *srv, struct req_state *st)
{
    struct http_req *req = &st->req;
    struct http_resp resp;
    struct gg_err err;
    enum MHD_Result ret;
    int rc;

    memset(&resp, 0, sizeof(resp));
    gg_buf_init(&resp.text, 16u << 20);
    gg_err_clear(&err);

    if (req->route->body == HTTP_BODY_FILE && !req->upload.path) {
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
    if (rc) {
        if (!err.code)
            gg_fail(&err, rc, "", MSG_INTERNAL);
        ret = queue_error_with(st, &err, &resp);
    } else {
        ret = queue_resp(st, &resp);
    }
    json_decref(resp.json);
    gg_buf_release(&resp.text);
    if (resp.fd > 0)
        close(resp.fd); /* not sent (an error came instead) */
    return ret;
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
        } else if (st->req.route && st->req.route->body == HTTP_BODY_FILE &&
                   early_front_line(srv, st, &err)) {
            return queue_error(st, &err);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        st->bytes_in += *upload_data_size;
        if (!st->fail_code && st->req.route &&
            st->req.route->body == HTTP_BODY_FILE) {
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
                 st->req.route && st->req.route->body == HTTP_BODY_FILE
                     ? srv->cfg->max_upload_bytes
                     : srv->cfg->max_body_bytes);
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
                     MHD_USE_ITC | MHD_USE_ERROR_LOG;
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

void
http_server_stop(struct http_server **psrv, int grace_s)
{
    struct http_server *srv = *psrv;
    uint64_t deadline;

    if (!srv)
        return;
    if (srv->daemon) {
        MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
        deadline = gg_mono_ns() + (uint64_t)grace_s * 1000000000u;
        while (metrics_in_flight(&srv->metrics) > 0 &&
               gg_mono_ns() < deadline) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if (metrics_in_flight(&srv->metrics) > 0)
            gg_log(GG_LOG_WARN, "http.stop", "in_flight=%" PRId64,
                   metrics_in_flight(&srv->metrics));
        MHD_stop_daemon(srv->daemon);
    }
    while (srv->workers) {
        struct http_worker *w = srv->workers;
        srv->workers = w->next_worker;
        worker_exit(w); /* no-op unless its thread never ended */
        free(w);
    }
    pthread_mutex_destroy(&srv->workers_lock);
    pthread_key_delete(srv->worker_key);
    metrics_release(&srv->metrics);
    router_release(&srv->router);
    free(srv);
    *psrv = NULL;
}
