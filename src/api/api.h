/*
 * api.h - HTTP resources on top of the domain: one file per resource.
 *
 * api_app_init() builds the route table and hooks for the HTTP server. Each
 * worker thread gets an api_thread with its own store connection. Handlers
 * find who is asking in api_who(req) (NULL on PUBLIC routes).
 */
#ifndef API_H
#define API_H

#include "core/gg_config.h"
#include "core/gg_crypto.h"
#include "domain/account.h"
#include "http/http.h"
#include "store/store.h"

enum api_perm {
    API_PERM_PUBLIC = 0,
    API_PERM_LOCAL,
    API_PERM_SESSION,
};

struct api_app {
    const struct gg_config *cfg;
    const struct gg_keys *keys;
    struct account_policy policy;
    int64_t started_at;
    struct http_app http;
};

struct api_thread {
    const struct api_app *app;
    struct store *store;
    /* The health probe's last store check, reused for a second so that a
     * busy load balancer does not put a database lock on every probe. */
    int64_t health_checked_ms;
    int health_rc;
    int health_version;
    struct gg_err health_err;
};

void api_app_init(struct api_app *app, const struct gg_config *cfg,
                  const struct gg_keys *keys);

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

/* Handlers, declared from the route table. */
#define ROUTE(method, path, handler, perm, body)                              \
    int handler(struct http_req *req, struct http_resp *resp,                 \
                struct gg_err *err);
#include "api/routes.def"
#undef ROUTE

/* Shared JSON shapes. */
json_t *api_node_json(const struct store_node *n);
json_t *api_me_json(const struct account_who *who);

#endif
