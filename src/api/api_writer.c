/*
 * api_writer.c - the case engine's writer thread: group commit, the
 * deadline sweep and the live pages' heartbeat.
 *
 * Group commit: a case write does not commit on the worker that took the
 * request. The handler parses and checks what it can, then defers the
 * request (struct http_resp's defer); the writer takes every write that
 * queued meanwhile, runs each inside one transaction as a savepoint of its
 * own (a refused write undoes only itself), commits once - one fsync for
 * the batch, synchronous=FULL as always - and only then answers them all.
 * An answer therefore always means "on disk". While a batch commits the
 * next one gathers, so under load each fsync carries many writes.
 *
 * The same thread runs the sweep every case_sweep_s (yellow and red
 * marks, with their notifications) and sends the event streams a
 * heartbeat so that a vanished browser is noticed.
 */
#include "core/gg.h"
#include "core/gg_log.h"
#include "core/gg_time.h"
#include "api/api.h"
#include "api/api_cases.h"

#include <pthread.h>

#define BATCH_MAX 512
#define HEARTBEAT_S 20

struct api_writer {
    const struct api_app *app;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, started;
    struct api_write *head, **tail;
    uint64_t batches, writes; /* for /metrics */
};

static void
enqueue(struct http_req *req, void *arg)
{
    struct api_write *w = arg;
    struct api_writer *wr = w->writer;

    (void)req;
    pthread_mutex_lock(&wr->mu);
    w->next = NULL;
    *wr->tail = w;
    wr->tail = &w->next;
    pthread_cond_signal(&wr->cv);
    pthread_mutex_unlock(&wr->mu);
}

int
api_write_defer(struct http_req *req, struct http_resp *resp,
                struct api_write *w, struct gg_err *err)
{
    w->req = req;
    w->writer = api_thread(req)->app->writer;
    if (!w->writer)
        return gg_fail(err, GG_ESTORE, "", MSG_STORE_UNAVAILABLE);
    resp->defer = enqueue;
    resp->defer_arg = w;
    return 0;
}

/* The context a write runs in: the writer's connection, inside its
 * transaction, in the request's arena. */
static void
write_ctx(struct api_writer *wr, struct store *s, struct api_write *w,
          int64_t now, struct account_ctx *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->s = s;
    ctx->keys = wr->app->keys;
    ctx->pol = &wr->app->policy;
    ctx->now = now;
    ctx->a = w->req->arena;
    ctx->person_tags = wr->app->cfg->person_tags;
    ctx->in_tx = 1;
}

static void
run_batch(struct api_writer *wr, struct store *s, struct api_write *batch)
{
    struct gg_err err;
    int64_t now = gg_now_s();
    int rc;

    gg_err_clear(&err);
    rc = store_begin(s, &err);
    for (struct api_write *w = batch; w; w = w->next) {
        struct account_ctx ctx;
        memset(&w->resp, 0, sizeof(w->resp));
        gg_buf_init(&w->resp.text, 1u << 20);
        gg_err_clear(&w->err);
        if (rc) {
            w->rc = rc;
            w->err = err;
            continue;
        }
        write_ctx(wr, s, w, now, &ctx);
        w->rc = store_step_begin(s, &w->err);
        if (!w->rc)
            w->rc = w->fn(w, &ctx, &w->resp, &w->err);
        if (w->rc) {
            if (store_step_undo(s, NULL))
                gg_log(GG_LOG_ERROR, "api.writer", "op=step_undo failed=1");
        } else if (store_step_keep(s, &w->err)) {
            w->rc = w->err.code;
        }
    }
    if (!rc) {
        rc = store_commit(s, &err);
        if (rc && store_rollback(s, NULL))
            gg_log(GG_LOG_ERROR, "api.writer", "op=rollback failed=1");
    }
    for (struct api_write *w = batch; w; w = w->next) {
        if (rc && !w->rc) {
            /* Nothing of the batch is on disk: say so. */
            json_decref(w->resp.json);
            w->resp.json = NULL;
            w->rc = rc;
            w->err = err;
        }
        if (!w->rc && w->published)
            w->published(w);
    }
    pthread_mutex_lock(&wr->mu);
    wr->batches++;
    pthread_mutex_unlock(&wr->mu);
    for (struct api_write *w = batch, *next; w; w = next) {
        next = w->next; /* w lives in the request's arena */
        http_finish(w->req, w->rc, &w->resp, &w->err);
    }
}

static void
run_sweep(struct api_writer *wr, struct store *s, struct gg_arena *a)
{
    struct account_ctx ctx;
    struct case_env env;
    struct case_result *res = gg_arena_alloc(a, sizeof(*res));
    struct gg_err err;
    size_t marked = 0;

    memset(&ctx, 0, sizeof(ctx));
    ctx.s = s;
    ctx.keys = wr->app->keys;
    ctx.pol = &wr->app->policy;
    ctx.now = gg_now_s();
    ctx.a = a;
    if (api_case_env(wr->app, &ctx, &env))
        return;
    do {
        if (case_sweep(&env, 1000, &marked, res, &err)) {
            gg_log(GG_LOG_WARN, "case.sweep", "code=%s",
                   gg_code_name(err.code));
            return;
        }
        api_events_publish_result(wr->app->events, s, a, res);
        if (marked)
            gg_log(GG_LOG_INFO, "case.sweep", "marked=%zu", marked);
    } while (marked >= 1000);
}

static void *
writer_main(void *arg)
{
    struct api_writer *wr = arg;
    const struct gg_config *cfg = wr->app->cfg;
    struct store_options opt = {(int)cfg->busy_timeout_ms,
                                (int)cfg->cache_mb * 1024};
    struct store *s = NULL;
    struct gg_arena *a = gg_arena_new(64 * 1024);
    struct gg_err err;
    int64_t next_sweep = 0, next_beat = gg_now_s() + HEARTBEAT_S;

    if (store_open(&s, cfg->db, 0, &opt, &err))
        gg_log(GG_LOG_ERROR, "api.writer", "op=store_open code=%s",
               gg_code_name(err.code));
    pthread_mutex_lock(&wr->mu);
    for (;;) {
        struct api_write *batch;
        int64_t now = gg_now_s();

        if (!wr->head && !wr->stop) {
            int64_t until = next_sweep < next_beat ? next_sweep : next_beat;
            struct timespec ts = {(time_t)(until > now ? until : now + 1), 0};
            if (until > now)
                pthread_cond_timedwait(&wr->cv, &wr->mu, &ts);
        }
        batch = wr->head;
        /* Take at most BATCH_MAX; the rest waits for the next commit. */
        if (batch) {
            struct api_write **end = &wr->head;
            size_t k = 0;
            while (*end && k++ < BATCH_MAX)
                end = &(*end)->next;
            wr->head = *end;
            *end = NULL;
            if (!wr->head)
                wr->tail = &wr->head;
            wr->writes += k;
        }
        if (!batch && wr->stop)
            break;
        pthread_mutex_unlock(&wr->mu);
        now = gg_now_s();
        if (batch) {
            if (s) {
                run_batch(wr, s, batch);
            } else {
                for (struct api_write *w = batch, *next; w; w = next) {
                    struct gg_err e;
                    next = w->next;
                    memset(&w->resp, 0, sizeof(w->resp));
                    gg_fail(&e, GG_ESTORE, "", MSG_STORE_UNAVAILABLE);
                    http_finish(w->req, GG_ESTORE, &w->resp, &e);
                }
            }
        }
        if (s && now >= next_sweep && cfg->case_sweep_s > 0) {
            run_sweep(wr, s, a);
            gg_arena_reset(a);
            next_sweep = now + cfg->case_sweep_s;
        }
        if (now >= next_beat) {
            api_events_heartbeat(wr->app->events);
            next_beat = now + HEARTBEAT_S;
        }
        pthread_mutex_lock(&wr->mu);
    }
    pthread_mutex_unlock(&wr->mu);
    store_close(&s);
    gg_arena_free(a);
    return NULL;
}

struct api_writer *
api_writer_start(const struct api_app *app)
{
    struct api_writer *wr = gg_xcalloc(1, sizeof(*wr));

    wr->app = app;
    wr->tail = &wr->head;
    pthread_mutex_init(&wr->mu, NULL);
    pthread_cond_init(&wr->cv, NULL);
    if (pthread_create(&wr->thread, NULL, writer_main, wr)) {
        gg_log(GG_LOG_ERROR, "api.writer", "op=start");
        free(wr);
        return NULL;
    }
    wr->started = 1;
    return wr;
}

/* After the server stopped: every deferred write has been answered. */
void
api_writer_stop(struct api_writer *wr)
{
    if (!wr)
        return;
    pthread_mutex_lock(&wr->mu);
    wr->stop = 1;
    pthread_cond_signal(&wr->cv);
    pthread_mutex_unlock(&wr->mu);
    pthread_join(wr->thread, NULL);
    pthread_mutex_destroy(&wr->mu);
    pthread_cond_destroy(&wr->cv);
    free(wr);
}

void
api_writer_metrics(const struct api_writer *wr, uint64_t *batches,
                   uint64_t *writes)
{
    struct api_writer *w = (struct api_writer *)wr;
    *batches = *writes = 0;
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    *batches = w->batches;
    *writes = w->writes;
    pthread_mutex_unlock(&w->mu);
}
