/*
 * api.h - HTTP resources on top of the domain: one file per resource.
 *
 * api_app_init() builds the route table and hooks for the HTTP server. Each
 * worker thread gets an api_thread with its own store connection. The front
 * line (api_app.c) authenticates a session or an API key, applies the
 * route's permission and puts who is asking in req->app (api_who()), with
 * the scope of the capability the route needs.
 */
#ifndef API_H
#define API_H

#include "core/gg_config.h"
#include "core/gg_crypto.h"
#include "domain/account.h"
#include "http/http.h"
#include "store/store.h"

/* Route permissions: the fixed ones, then one per capability. */
enum api_perm {
    API_PERM_PUBLIC = 0,
    API_PERM_LOCAL,
    API_PERM_SELF,
    API_PERM_SESSION,
#define CAPABILITY(id, name) API_PERM_##id,
#include "domain/capabilities.def"
#undef CAPABILITY
    API_PERM__COUNT
};
#define API_PERM_CAP_FIRST API_PERM_REGISTRY_READ

struct import_runner;
struct api_writer;
struct api_events;

struct api_app {
    const struct gg_config *cfg;
    const struct gg_keys *keys;
    struct account_policy policy;
    int64_t started_at;
    struct http_app http;
    struct import_runner *imports; /* the import jobs' thread */
    struct api_writer *writer;     /* case writes, sweep (api_writer.c) */
    struct api_events *events;     /* live event streams (api_events.c) */
};

struct api_thread {
    const struct api_app *app;
    struct store *store;
    /* The health probe's last store check, reused for health_check_ms so
     * that a busy load balancer does not put a database lock on every
     * probe. */
    int64_t health_checked_ms;
    int health_rc;
    int health_version;
    struct gg_err health_err;
    int in_read; /* a read snapshot is open for the current request */
    struct account_cache *sessions; /* recently seen sessions (reads only) */
    struct grid_locator *grids;     /* point -> grid (domain/locate.h) */
};

void api_app_init(struct api_app *app, const struct gg_config *cfg,
                  const struct gg_keys *keys);

/* Starts and stops what runs beside the workers (the import runner);
 * call start after api_app_init and stop after the server stopped. */
void api_app_start(struct api_app *app);
void api_app_stop(struct api_app *app);
struct import_runner *api_imports_start(const struct api_app *app);
void api_imports_stop(struct import_runner *ir);
/* Ends a GET's read snapshot early, for a read that must also write (an
 * export is written to the audit log). */
void api_read_end(struct http_req *req);

#define API_SESSION_COOKIE "gg_session"

static inline struct api_thread *
api_thread(const struct http_req *req)
{
    return req->thread_ctx;
}

static inline struct store *
api_store(const struct http_req *req)
{
    return ((struct api_thread *)req->thread_ctx)->store;
}

static inline struct account_who *
api_who(const struct http_req *req)
{
    return req->app;
}

/* The context domain calls need: store, keys, policy, now, the request's
 * arena, the client's address and user agent. */
void api_ctx(struct http_req *req, struct account_ctx *ctx);

/* Handlers, declared from the route table. */
#define ROUTE(method, path, handler, perm, body, key)                         \
    int handler(struct http_req *req, struct http_resp *resp,                 \
                struct gg_err *err);
#include "api/routes.def"
#undef ROUTE

/* The shape of an action on one object by id, done by who is asking. */
typedef int (*api_id_action_fn)(const struct account_ctx *ctx,
                                const struct account_who *who, int64_t id,
                                struct gg_err *err);
/* Runs fn on the {id} path parameter; 204 when it succeeds. */
int api_id_action(struct http_req *req, struct http_resp *resp,
                  api_id_action_fn fn, struct gg_err *err)
    __attribute__((warn_unused_result));

/* Shared JSON shapes and readers. */
json_t *api_node_json(const struct store_node *n);
json_t *api_me_json(const struct account_who *who);
json_t *api_time_json(int64_t unix_s); /* ISO-8601 string, or null for 0 */
/* 200 {"items":[change]}: the history of one record, newest first; the
 * caller has checked that the record is in the caller's scope. */
int api_history(struct http_req *req, struct http_resp *resp,
                const char *kind, int64_t record_id, struct gg_err *err)
    __attribute__((warn_unused_result));
/* ISO-8601 date or date-time ("2026-11-23", "2026-11-23T08:00:00Z",
 * "...T16:00:00.000+08:00") into unix seconds; GG_EINVAL otherwise. */
int api_parse_time(const char *s, int64_t *out)
    __attribute__((warn_unused_result));
/* A query parameter in that form (0 when absent); 400 names it. */
int api_query_time(const struct http_req *req, const char *name,
                   int64_t *out, struct gg_err *err)
    __attribute__((warn_unused_result));
/* A path parameter that must be a positive id; 404 otherwise. */
int api_param_id(const struct http_req *req, const char *name, int64_t *out,
                 struct gg_err *err) __attribute__((warn_unused_result));
/* A query parameter that must be a non-negative integer (0 when absent). */
int api_query_int(const struct http_req *req, const char *name, int64_t max,
                  int64_t *out, struct gg_err *err)
    __attribute__((warn_unused_result));
int api_json_int(json_t *obj, const char *name, int64_t min, int64_t max,
                 int required, int64_t *out, struct gg_err *err)
    __attribute__((warn_unused_result));
/* -1 when absent (optional), else 0 or 1. */
int api_json_bool(json_t *obj, const char *name, int *out, struct gg_err *err)
    __attribute__((warn_unused_result));
/* Persons lists: the filters of GET /persons (and its export) from the
 * query string, with room for the blind indexes they point to. */
struct api_person_query {
    struct store_person_filter f;
    unsigned char id_blind[GG_BLIND_BYTES], phone_blind[GG_BLIND_BYTES];
};
int api_person_filter(struct http_req *req, struct api_person_query *q,
                      struct gg_err *err) __attribute__((warn_unused_result));
json_t *api_person_row_json(const struct store_person_row *p);
json_t *api_party_member_json(const struct store_party_member *m);
/* A list of {role, node_code} objects. */
int api_json_grants(struct http_req *req, json_t *obj, const char *name,
                    struct account_grant **out, size_t *n,
                    struct gg_err *err) __attribute__((warn_unused_result));

#endif
