/*
 * http.h - the HTTP front line on libmicrohttpd, independent of our domain.
 *
 * The application hands the server a route table and a few hooks. For every
 * request the server, before any handler runs: checks the URL length and
 * encoding, routes (404 for an unknown /api path, 405 with Allow for a known
 * path and another method), checks the body's media type (415) and size
 * (413), parses a JSON body with a depth limit (400), and calls the app's
 * front-line hook (authentication and permission). Then the handler fills a
 * response. Non-API GET/HEAD requests are served from the web directory,
 * falling back to index.html for client-side routes.
 *
 * Every response carries the request id and the security headers; every
 * request gives one access-log line with its route pattern (never its raw
 * path or query, which may hold personal data).
 *
 * Memory: a request's data lives in req->arena, freed after the response is
 * sent. Handlers run on the server's worker threads; req->thread_ctx is the
 * per-thread context the app's thread_open hook created (e.g. the store).
 */
#ifndef HTTP_H
#define HTTP_H

#include <jansson.h>
#include <stdint.h>

#include "core/gg_buf.h"
#include "core/gg_config.h"
#include "core/gg_err.h"
#include "core/gg_mem.h"
#include "core/gg_msg.h"

enum http_method {
    HTTP_GET = 0,
    HTTP_HEAD,
    HTTP_POST,
    HTTP_PUT,
    HTTP_PATCH,
    HTTP_DELETE,
    HTTP_OPTIONS,
    HTTP_METHOD__COUNT
};

enum http_body {
    HTTP_BODY_NONE = 0, /* a body is refused */
    HTTP_BODY_JSON,     /* application/json, parsed into req->json */
    HTTP_BODY_FILE,     /* a spreadsheet (CSV or XLSX) up to
                           max_upload_bytes, streamed to a file of its own
                           in the upload directory: req->upload */
};

/* An uploaded file. The server removes it when the request ends unless
 * the handler takes it (renames it and sets path to NULL). */
struct http_upload {
    int fd;           /* -1 when closed */
    const char *path; /* NULL: no file */
    uint64_t size;
};

struct http_req;
struct http_resp;

typedef int (*http_handler)(struct http_req *req, struct http_resp *resp,
                            struct gg_err *err);

struct http_route {
    enum http_method method;
    const char *pattern; /* "/api/v1/nodes/{code}": {name} matches a segment */
    http_handler handler;
    unsigned perm;       /* opaque here: the app's front line reads it */
    enum http_body body;
    const char *name;    /* the handler's name, for metrics and docs */
};

#define HTTP_MAX_PARAMS 4
#define HTTP_REQ_ID_LEN 16

struct http_server;

struct http_req {
    struct gg_arena *arena;
    struct http_server *server;
    struct MHD_Connection *conn;
    enum http_method method;
    const char *path;
    const struct http_route *route; /* NULL for static files */
    struct gg_str param_names[HTTP_MAX_PARAMS];
    const char *param_values[HTTP_MAX_PARAMS];
    int n_params;
    enum gg_lang lang;
    char id[HTTP_REQ_ID_LEN + 1];
    char peer[48];       /* use http_peer(): filled on first use */
    int peer_is_local;   /* use http_peer_is_local() */
    struct gg_buf body;
    json_t *json;        /* parsed body for HTTP_BODY_JSON routes */
    struct http_upload upload; /* the body of HTTP_BODY_FILE routes */
    void *thread_ctx;    /* from the app's thread_open hook */
    void *app;           /* the app's per-request data (who is asking) */
    int64_t account_id;  /* set by the app's front line, for the log */
};

#define HTTP_RESP_MAX_HEADERS 8

struct http_resp {
    int status;
    json_t *json;              /* sent as application/json; decref'ed */
    struct gg_buf text;        /* sent when json is NULL and text is set */
    const char *content_type;  /* for text and fd */
    int fd;                    /* > 0: send this open file, then close it */
    uint64_t fd_size;
    const char *headers[HTTP_RESP_MAX_HEADERS][2];
    int n_headers;
};

struct http_app {
    const struct http_route *routes;
    size_t n_routes;
    void *ctx;
    /* Creates the context of one worker thread (NULL: failure, 503). */
    void *(*thread_open)(void *ctx);
    void (*thread_close)(void *thread_ctx);
    /* Runs after routing and body checks, before the handler: 0 or error. */
    int (*front_line)(struct http_req *req, struct gg_err *err);
    /* Runs after the handler (also after a failed front line). */
    void (*after)(struct http_req *req);
};

struct http_server;

/* Starts serving on cfg->listen ("host:port"; port 0 picks a free one). */
int http_server_start(struct http_server **out, const struct gg_config *cfg,
                      const struct http_app *app, struct gg_err *err)
    __attribute__((warn_unused_result));
int http_server_port(const struct http_server *srv);
/* Stops accepting, waits up to grace_s for requests in flight, stops. */
void http_server_stop(struct http_server **srv, int grace_s);

/* The directory uploads go to: upload_dir, or the database's path with
 * ".uploads" after it. */
void http_upload_dir(const struct gg_config *cfg, char *out, size_t cap);

/* Request accessors; returned strings live as long as the request. */
const char *http_param(const struct http_req *req, const char *name);
/* A query parameter checked as UTF-8 without control characters and at most
 * max_chars characters; *out = NULL when absent. Errors name the parameter. */
int http_query_str(const struct http_req *req, const char *name,
                   size_t max_chars, const char **out, struct gg_err *err)
    __attribute__((warn_unused_result));
const char *http_header(const struct http_req *req, const char *name);
/* The client's address as text, and whether it is loopback. */
const char *http_peer(struct http_req *req);
int http_peer_is_local(struct http_req *req);
const char *http_cookie(const struct http_req *req, const char *name);

/* Response helpers. Header names/values must outlive the request (use the
 * arena). */
void http_resp_header(struct http_resp *resp, const char *name,
                      const char *value);
void http_resp_json(struct http_resp *resp, int status, json_t *json);

/* The one place where an error code becomes an HTTP status. */
int http_status_for(int code);

/* Metrics in Prometheus text format (requests by route and status, latency
 * histogram, open connections) appended to out. */
int http_metrics_render(const struct http_req *req, struct gg_buf *out)
    __attribute__((warn_unused_result));

const char *http_method_name(enum http_method m);

#endif
