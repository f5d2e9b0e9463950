/*
 * api_events.c - live events over Server-Sent Events (GET /me/events): each
 * open page is a subscriber with its account and the nodes its case scope
 * covers. The writer thread publishes after every commit: notifications
 * to their account, case changes to every page that can see the case.
 *
 * Locks: the hub's lock guards the list; each subscriber's own lock its
 * buffer. Publishing holds the hub's lock while it wakes a stream (the
 * server's lock inside), so a subscriber is never freed under a wake:
 * its close takes the hub's lock to leave the list. read takes only the
 * subscriber's lock.
 */
#include "core/gg.h"
#include "core/gg_buf.h"
#include "core/gg_log.h"
#include "core/gg_time.h"
#include "api/api_cases.h"
#include "domain/notify.h"

#include <pthread.h>

#define SUB_BUF_MAX (256 * 1024) /* a page that reads no more is dropped */

struct api_sub {
    struct http_stream stream;
    struct api_events *hub;
    pthread_mutex_t mu;
    int64_t account_id;
    char **scope;
    size_t n_scope;
    enum gg_lang lang;
    char *buf;
    size_t len, off, cap;
    int ended;
    struct api_sub *prev, *next;
};

struct api_events {
    pthread_mutex_t mu;
    struct api_sub *subs;
    size_t count;
    const struct notify_channel *channel; /* NULL: none */
};

struct api_events *
api_events_new(const char *channel)
{
    struct api_events *ev = gg_xcalloc(1, sizeof(*ev));
    pthread_mutex_init(&ev->mu, NULL);
    ev->channel = notify_channel(channel);
    if (!ev->channel)
        gg_log(GG_LOG_WARN, "notify.outbound", "channel=%s unknown=1",
               channel);
    return ev;
}

void
api_events_free(struct api_events *ev)
{
    if (!ev)
        return;
    pthread_mutex_destroy(&ev->mu);
    free(ev);
}

size_t
api_events_count(struct api_events *ev)
{
    size_t n;
    if (!ev)
        return 0;
    pthread_mutex_lock(&ev->mu);
    n = ev->count;
    pthread_mutex_unlock(&ev->mu);
    return n;
}

/* Appends text to a subscriber's buffer (its lock held). */
static void
sub_add(struct api_sub *sub, const char *text, size_t len)
{
    if (sub->ended)
        return;
    if (sub->len - sub->off + len > SUB_BUF_MAX) {
        sub->ended = 1; /* too far behind: the page reconnects */
        return;
    }
    if (sub->off && sub->len + len > sub->cap) {
        memmove(sub->buf, sub->buf + sub->off, sub->len - sub->off);
        sub->len -= sub->off;
        sub->off = 0;
    }
    if (sub->len + len > sub->cap) {
        size_t cap = sub->cap ? sub->cap : 4096;
        while (cap < sub->len + len)
            cap *= 2;
        sub->buf = gg_xrealloc(sub->buf, cap);
        sub->cap = cap;
    }
    memcpy(sub->buf + sub->len, text, len);
    sub->len += len;
}

static ssize_t
sub_read(void *ctx, char *buf, size_t max)
{
    struct api_sub *sub = ctx;
    ssize_t n;

    pthread_mutex_lock(&sub->mu);
    if (sub->off == sub->len) {
        n = sub->ended ? -1 : 0;
    } else {
        size_t k = sub->len - sub->off < max ? sub->len - sub->off : max;
        memcpy(buf, sub->buf + sub->off, k);
        sub->off += k;
        if (sub->off == sub->len)
            sub->off = sub->len = 0;
        n = (ssize_t)k;
    }
    pthread_mutex_unlock(&sub->mu);
    return n;
}

static void
sub_close(void *ctx)
{
    struct api_sub *sub = ctx;
    struct api_events *ev = sub->hub;

    pthread_mutex_lock(&ev->mu);
    if (sub->prev)
        sub->prev->next = sub->next;
    else
        ev->subs = sub->next;
    if (sub->next)
        sub->next->prev = sub->prev;
    ev->count--;
    pthread_mutex_unlock(&ev->mu);
    for (size_t i = 0; i < sub->n_scope; i++)
        free(sub->scope[i]);
    free(sub->scope);
    free(sub->buf);
    pthread_mutex_destroy(&sub->mu);
    free(sub);
}

/* Sends to the subscribers that match (hub lock held by the caller). */
static void
send_locked(struct api_events *ev, int64_t account, const char *node,
            const char *text, size_t len)
{
    for (struct api_sub *sub = ev->subs; sub; sub = sub->next) {
        int match = account ? sub->account_id == account : 0;
        for (size_t i = 0; !match && node && i < sub->n_scope; i++)
            match = !strncmp(node, sub->scope[i], strlen(sub->scope[i]));
        if (!match)
            continue;
        pthread_mutex_lock(&sub->mu);
        sub_add(sub, text, len);
        pthread_mutex_unlock(&sub->mu);
        http_stream_wake(&sub->stream);
    }
}

static void
send_json(struct api_events *ev, int64_t account, const char *node,
          const char *event, json_t *data)
{
    char *d = json_dumps(data, JSON_COMPACT);
    struct gg_buf text;

    json_decref(data);
    if (!d)
        return;
    gg_buf_init(&text, SUB_BUF_MAX);
    if (!gg_buf_addf(&text, "event: %s\ndata: %s\n\n", event, d)) {
        pthread_mutex_lock(&ev->mu);
        send_locked(ev, account, node, text.data, text.len);
        pthread_mutex_unlock(&ev->mu);
    }
    gg_buf_release(&text);
    free(d);
}

void
api_events_heartbeat(struct api_events *ev)
{
    static const char beat[] = ": ping\n\n";
    if (!ev)
        return;
    pthread_mutex_lock(&ev->mu);
    for (struct api_sub *sub = ev->subs; sub; sub = sub->next) {
        pthread_mutex_lock(&sub->mu);
        sub_add(sub, beat, sizeof(beat) - 1);
        pthread_mutex_unlock(&sub->mu);
        http_stream_wake(&sub->stream);
    }
    pthread_mutex_unlock(&ev->mu);
}

void
api_events_end(struct api_events *ev)
{
    if (!ev)
        return;
    pthread_mutex_lock(&ev->mu);
    for (struct api_sub *sub = ev->subs; sub; sub = sub->next) {
        pthread_mutex_lock(&sub->mu);
        sub->ended = 1;
        pthread_mutex_unlock(&sub->mu);
        http_stream_wake(&sub->stream);
    }
    pthread_mutex_unlock(&ev->mu);
}

void
api_events_publish_result(struct api_events *ev, struct store *s,
                          struct gg_arena *a, const struct case_result *res)
{
    const struct notify_channel *ch = ev ? ev->channel : NULL;

    if (!ev || !res)
        return;
    for (size_t i = 0; i < res->n_events; i++) {
        const struct case_event *e = &res->events[i];
        struct store_case *c = res->c && res->c->id == e->case_id ? res->c
                                                                  : NULL;
        char iso[GG_ISO_LEN];

        if (!c && (!s || store_case_get(s, e->case_id, a, &c, NULL)))
            continue;
        if (!e->account_id) {
            send_json(ev, 0, c->node_code, "case",
                      json_pack("{s:I,s:s,s:s,s:s,s:i,s:s}", "id",
                                (json_int_t)c->id, "family", c->family,
                                "state", c->state, "node_code", c->node_code,
                                "urgency", c->urgency, "alert",
                                c->alert == 2   ? "red"
                                : c->alert == 1 ? "yellow"
                                                : "green"));
            continue;
        }
        gg_time_iso(gg_now_ms(), iso);
        send_json(ev, e->account_id, NULL, "notification",
                  json_pack("{s:I,s:s,s:I,s:s,s:s,s:s}", "id",
                            (json_int_t)e->notification_id, "kind", e->kind,
                            "case_id", (json_int_t)c->id, "case_title",
                            c->title, "urgency",
                            c->urgency >= 3 ? "critical"
                            : c->urgency == 2 ? "urgent"
                                              : "normal",
                            "at", iso));
        if (notify_is_urgent(e->kind)) {
            struct notify_message m;
            char text[256];
            if (!ch)
                continue;
            notify_text(text, sizeof(text), GG_LANG_ZH, e->kind, c->id);
            m.account_id = e->account_id;
            m.kind = e->kind;
            m.case_id = c->id;
            m.text = text;
            if (ch->send(ch, &m))
                gg_log(GG_LOG_WARN, "notify.outbound",
                       "channel=%s failed=1", ch->name);
        }
    }
}

/* GET /me/events: the stream of who is asking. */
int
api_me_events(struct http_req *req, struct http_resp *resp,
              struct gg_err *err)
{
    const struct api_app *app = api_thread(req)->app;
    struct api_events *ev = app->events;
    struct account_who *who = api_who(req);
    struct store_scope scope;
    struct api_sub *sub;

    if (!ev)
        return gg_fail(err, GG_ESTORE, "", MSG_STORE_UNAVAILABLE);
    account_scope_for(who, CAP_CASE_HANDLE, req->arena, &scope);
    sub = gg_xcalloc(1, sizeof(*sub));
    pthread_mutex_init(&sub->mu, NULL);
    sub->hub = ev;
    sub->account_id = who->account_id;
    sub->lang = req->lang;
    sub->scope = gg_xcalloc(scope.n + 1, sizeof(*sub->scope));
    for (size_t i = 0; i < scope.n; i++)
        sub->scope[i] = gg_xstrdup(scope.prefixes[i]);
    sub->n_scope = scope.n;
    sub->stream.read = sub_read;
    sub->stream.close = sub_close;
    sub->stream.ctx = sub;
    /* The first bytes say the stream is open, and how soon to retry. */
    sub_add(sub, "retry: 3000\n: open\n\n", 20);
    pthread_mutex_lock(&ev->mu);
    sub->next = ev->subs;
    if (sub->next)
        sub->next->prev = sub;
    ev->subs = sub;
    ev->count++;
    pthread_mutex_unlock(&ev->mu);
    api_read_end(req);
    resp->status = 200;
    resp->content_type = "text/event-stream; charset=utf-8";
    resp->stream = &sub->stream;
    return 0;
}
