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
 *
 * Besides an answer filled at once, a handler may defer its answer to
 * another thread (struct http_resp's defer, http_finish) or stream a body
 * that is produced for as long as the client stays (struct http_stream).
 * Neither holds a worker thread while it waits.
 */
#ifndef HTTP_H
#define HTTP_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

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
    HTTP_BODY_IMAGE,    /* a photo sent as image/jpeg or image/png, up to
                           max_photo_bytes, stored like HTTP_BODY_FILE; the
                           bytes themselves are not checked here */
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
    struct http_upload upload; /* the body of FILE and IMAGE routes */
    void *thread_ctx;    /* from the app's thread_open hook */
    void *app;           /* the app's per-request data (who is asking) */
    int64_t account_id;  /* set by the app's front line, for the log */
};

/*
 * A streamed response, e.g. Server-Sent Events: the body is produced piece
 * by piece for as long as the client stays, and costs no thread while there
 * is nothing to send.
 *
 * The app allocates the struct (usually inside its own object) zeroed,
 * fills read, close and ctx, sets resp->stream and returns 0. The server
 * answers 200 (or resp->status) with chunked encoding, resp->content_type
 * (default text/event-stream), Cache-Control: no-store, X-Accel-Buffering:
 * no and its usual headers.
 *
 * The rules:
 * - Once a handler returned with resp->stream set, whatever it returned,
 *   close is called exactly once: when the response ends (read returned
 *   -1, the client is gone, the server stops) or at once when the response
 *   cannot be sent (an error code, no memory). The struct must stay valid
 *   until close is called; close may free it.
 * - read and close run on a worker thread, never at the same time for one
 *   stream. read is first called when the headers go out; it must not
 *   block; when it returns 0 the connection sleeps until http_stream_wake.
 * - http_stream_wake may be called from any thread at any time until close
 *   is called, and must never be called after: the app's close takes the
 *   stream out of the app's lists under the lock its wakers hold while
 *   calling wake, so no waker can reach a closed stream. Wake calls neither
 *   read nor close and waits for neither: it may be called holding the
 *   app's own locks, and should be for the rule above. A wake before the
 *   server took the stream (say, from the handler) does nothing, and need
 *   not: read is called when the response starts.
 * - A sleeping connection does not notice that its client left. Send a
 *   heartbeat (an SSE comment ":\n\n", then wake) every ~20 s: writing it
 *   fails on a dead connection, which then ends, and close is called.
 * - http_server_stop first calls the app's stopping hook: the app ends its
 *   streams there (read returns -1 from then on) and wakes them. Streams
 *   that have not ended when the grace period is over are ended by the
 *   server (read is not called again). A stream a handler starts after
 *   stopping ran ends at once.
 * - A stream is a request in flight until it ends; its access-log line and
 *   latency cover its whole life.
 */
struct http_stream {
    /* Fills buf with up to max bytes: returns the count (> 0), 0 when
     * nothing is ready now (the connection then sleeps, costing no thread,
     * until http_stream_wake), or -1 to end the response. */
    ssize_t (*read)(void *ctx, char *buf, size_t max);
    /* Called once when the response ends for any reason (client gone, end,
     * server stop). */
    void (*close)(void *ctx);
    void *ctx;

    /* Private to the server, zero until it takes the stream. */
    struct http_server *_Atomic srv;
    struct MHD_Connection *conn;
    unsigned flags;
    struct http_stream *prev, *next; /* the server's open streams */
};

#define HTTP_RESP_MAX_HEADERS 8

struct http_resp {
    int status;
    json_t *json;              /* sent as application/json; decref'ed */
    struct gg_buf text;        /* sent when json is NULL and text is set */
    const char *content_type;  /* for text, fd and stream */
    int fd;                    /* > 0: send this open file, then close it */
    uint64_t fd_size;
    struct http_stream *stream; /* a streamed body, see above */
    const char *headers[HTTP_RESP_MAX_HEADERS][2];
    int n_headers;
    /*
     * A deferred answer (e.g. a write waiting for a group commit). A
     * handler that sets defer and returns 0 has not answered yet; anything
     * else it put in resp is dropped. The server runs the app's after hook,
     * sets the request aside (no thread waits for it) and then calls
     * defer(req, defer_arg) on the worker thread, which hands req to
     * another thread. From then on req, its arena and everything in it
     * belong to that thread, which must call http_finish exactly once;
     * req->thread_ctx stays the worker's and must not be used there. Time
     * spent deferred counts in the request's latency and access log.
     * While http_server_stop runs, defer may be called with its worker
     * waiting for http_finish: the finishing thread must never wait for a
     * worker.
     */
    void (*defer)(struct http_req *req, void *arg);
    void *defer_arg;
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
    /* Runs after the handler (also after a failed front line), on the
     * worker thread, before a deferred request is handed over. */
    void (*after)(struct http_req *req);
    /* Called first by http_server_stop, before it stops accepting: end the
     * streams (struct http_stream) and refuse new ones. */
    void (*stopping)(void *ctx);
};

struct http_server;

/* Starts serving on cfg->listen ("host:port"; port 0 picks a free one). */
int http_server_start(struct http_server **out, const struct gg_config *cfg,
                      const struct http_app *app, struct gg_err *err)
    __attribute__((warn_unused_result));
int http_server_port(const struct http_server *srv);
/* Calls the app's stopping hook, stops accepting, waits up to grace_s for
 * requests in flight, ends the streams still open, waits (without limit)
 * for every deferred request to be finished, and stops. The threads that
 * finish deferred requests must keep running until it returns. */
void http_server_stop(struct http_server **srv, int grace_s);

/* A response as a handler receives it: empty, status 0 (200), text capped
 * at 16 MiB. For building the answer of a deferred request. */
void http_resp_init(struct http_resp *resp);
/* Finishes a deferred request from any thread, exactly once, with a
 * handler's result: rc 0 sends resp (taking over its json reference, text
 * buffer, fd and stream: resp is left empty, release nothing of it), else
 * err is answered as a handler's error would be (with resp's headers when
 * resp is not NULL; err NULL or without a code: 500). After the call req
 * belongs to the server again: do not touch it. */
void http_finish(struct http_req *req, int rc, struct http_resp *resp,
                 const struct gg_err *err);
/* Wakes a sleeping stream so that read is called again; safe from any
 * thread, at any time, also when it is not sleeping, until the stream's
 * close is called (never after). */
void http_stream_wake(struct http_stream *s);

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
