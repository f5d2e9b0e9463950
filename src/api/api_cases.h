/*
 * api_cases.h - what the case resources, the writer thread and the event
 * streams share inside src/api.
 */
#ifndef API_CASES_H
#define API_CASES_H

#include "api/api.h"
#include "domain/case.h"

/* A write handed to the writer thread (api_writer.c), in the request's
 * arena. fn runs inside the batch's transaction (ctx->in_tx) and fills
 * resp as a handler would; published runs after the commit (events). */
struct api_write {
    struct http_req *req;
    struct api_writer *writer;
    int (*fn)(struct api_write *w, const struct account_ctx *ctx,
              struct http_resp *resp, struct gg_err *err);
    void (*published)(struct api_write *w);
    void *arg;
    int rc;
    struct http_resp resp;
    struct gg_err err;
    struct api_write *next;
};

/* Sets resp->defer so that the server hands w to the writer after the
 * handler returns 0; w->fn and w->arg must be set. GG_ESTORE (503) when
 * the writer is not running. */
int api_write_defer(struct http_req *req, struct http_resp *resp,
                    struct api_write *w, struct gg_err *err)
    __attribute__((warn_unused_result));

struct api_writer *api_writer_start(const struct api_app *app);
void api_writer_stop(struct api_writer *wr);
void api_writer_metrics(const struct api_writer *wr, uint64_t *batches,
                        uint64_t *writes);

/* The case engine's environment from the configuration. */
int api_case_env(const struct api_app *app, const struct account_ctx *ctx,
                 struct case_env *env);

/* Live events (Server-Sent Events) per account. */
/* channel: the outbound channel's name (notify_channel). */
struct api_events *api_events_new(const char *channel);
void api_events_free(struct api_events *ev);
/* Sends what a case write or sweep caused: each notification to its
 * account (with the outbound channel for the urgent ones), and the
 * case's change to everyone whose case scope covers it. */
void api_events_publish_result(struct api_events *ev, struct store *s,
                               struct gg_arena *a,
                               const struct case_result *res);
void api_events_heartbeat(struct api_events *ev);
/* Ends every stream (the server is stopping): pages reconnect elsewhere. */
void api_events_end(struct api_events *ev);
/* Open streams, for /metrics. */
size_t api_events_count(struct api_events *ev);

#endif
