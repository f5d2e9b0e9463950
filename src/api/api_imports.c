/* api_imports.c - imports as jobs (导入任务), their reports and templates,
 * and exports of any registry list as XLSX (台账).
 *
 * An upload becomes a job row and a file in the upload directory; one
 * runner thread with its own store connection takes queued jobs in order
 * and runs them (domain/import.h). While a job runs, its progress lives in
 * the runner (a job's rows are inside one transaction, so the database
 * cannot show them yet); GET /imports/{id} reads it from there. The
 * uploaded file is removed when its job ends; the row report stays as
 * job-<id>-report.xlsx. */
#include "core/gg.h"
#include "core/gg_log.h"
#include "core/gg_time.h"
#include "api/api.h"
#include "domain/import.h"
#include "domain/locate.h"
#include "domain/node.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#define ERRORS_IN_JOB 200 /* kept in the job row; all go to the report */

struct import_runner {
    const struct api_app *app;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, kick;
    /* The running job's progress. */
    int64_t job, rows, bad;
    uint64_t done, total;
};

static void
job_path(const struct api_app *app, int64_t id, const char *suffix,
         char *out, size_t cap)
{
    char dir[GG_CONF_STR_MAX + 16];
    http_upload_dir(app->cfg, dir, sizeof(dir));
    snprintf(out, cap, "%s/job-%" PRId64 "%s", dir, id, suffix);
}

/* ---- the runner ---- */

static void
on_progress(void *ctx, const struct import_report *r, uint64_t done,
            uint64_t total)
{
    struct import_runner *ir = ctx;
    pthread_mutex_lock(&ir->mu);
    ir->rows = r->total;
    ir->bad = r->bad;
    ir->done = done;
    ir->total = total;
    pthread_mutex_unlock(&ir->mu);
}

/* The first errors as the job row keeps them. */
static char *
errors_json(const struct import_report *r, enum gg_lang lang)
{
    json_t *list = json_array();
    char *text;

    for (size_t i = 0; i < r->n_errors && i < ERRORS_IN_JOB; i++) {
        char reason[512];
        gg_msg_format(reason, sizeof(reason), lang, r->errors[i].err.msg,
                      r->errors[i].err.arg);
        json_array_append_new(
            list, json_pack("{s:I,s:s,s:s}", "line",
                            (json_int_t)r->errors[i].line, "field",
                            r->errors[i].err.field, "reason", reason));
    }
    text = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    return text;
}

static void
run_job(struct import_runner *ir, struct store *s, struct grid_locator *loc,
        struct store_import_job *job)
{
    const struct api_app *app = ir->app;
    struct import_report r = {0};
    struct import_opts o = {0};
    struct account_ctx ctx = {0};
    struct account_who who = {0};
    const char *scope[1] = {job->node_code};
    char path[GG_CONF_STR_MAX + 64], report[GG_CONF_STR_MAX + 64];
    struct gg_err err;
    char *errors = NULL, message[512] = "";
    int rc;

    job->state = "running";
    job->started_at = gg_now_s();
    if (store_import_job_update(s, job, &err))
        return;
    pthread_mutex_lock(&ir->mu);
    ir->job = job->id;
    ir->rows = ir->bad = 0;
    ir->done = ir->total = 0;
    pthread_mutex_unlock(&ir->mu);

    ctx.s = s;
    ctx.keys = app->keys;
    ctx.pol = &app->policy;
    ctx.now = gg_now_s();
    ctx.a = gg_arena_new(1 << 16);
    ctx.person_tags = app->cfg->person_tags;
    /* The job's node was in the actor's registry.write scope when it was
     * created; the job runs within it. */
    who.account_id = job->actor_id;
    who.username = "import";
    who.scope.prefixes = scope;
    who.scope.n = 1;
    o.kind = job->kind;
    o.node = job->node_code;
    o.dry_run = job->dry_run;
    o.skip_bad = !strcmp(job->mode, "skip");
    o.loc = loc;
    o.progress = on_progress;
    o.progress_ctx = ir;
    job_path(app, job->id, "", path, sizeof(path));
    job_path(app, job->id, "-report.xlsx", report, sizeof(report));
    gg_err_clear(&err);
    rc = import_run(&ctx, &who, path, &o, &r, &err);
    if (!rc)
        rc = import_report_xlsx(&r, GG_LANG_ZH, report, &err);
    if (rc)
        gg_msg_format(message, sizeof(message), GG_LANG_ZH, err.msg, err.arg);
    errors = errors_json(&r, GG_LANG_ZH);
    job->state = rc ? "failed" : "done";
    job->total = r.total;
    job->processed = r.total;
    job->ok = r.written || job->dry_run ? r.ok : 0;
    job->bad = r.bad;
    job->errors = errors;
    job->message = message[0] ? message : NULL;
    job->finished_at = gg_now_s();
    if (store_import_job_update(s, job, &err))
        gg_log(GG_LOG_ERROR, "import.job", "id=%" PRId64 " op=update",
               job->id);
    gg_log(GG_LOG_INFO, "import.job",
           "id=%" PRId64 " kind=%s rows=%" PRId64 " bad=%" PRId64
           " written=%d state=%s",
           job->id, job->kind, r.total, r.bad, r.written, job->state);
    unlink(path); /* personal data does not linger in the upload dir */
    free(errors);
    import_report_release(&r);
    gg_arena_free(ctx.a);
    pthread_mutex_lock(&ir->mu);
    ir->job = 0;
    pthread_mutex_unlock(&ir->mu);
}

static void *
runner_main(void *arg)
{
    struct import_runner *ir = arg;
    struct store_options opt = {(int)ir->app->cfg->busy_timeout_ms, 65536};
    struct grid_locator *loc = grid_locator_new();
    struct gg_arena *a = gg_arena_new(4096);
    struct store *s = NULL;
    struct gg_err err;

    if (store_open(&s, ir->app->cfg->db, 0, &opt, &err)) {
        gg_log(GG_LOG_ERROR, "import.runner", "op=store_open");
        goto out;
    }
    if (store_import_jobs_interrupted(s, gg_now_s(), &err))
        gg_log(GG_LOG_WARN, "import.runner", "op=interrupted");
    for (;;) {
        struct store_import_job *job;
        struct timespec until;

        while (!store_import_job_next(s, a, &job, NULL)) {
            run_job(ir, s, loc, job);
            gg_arena_reset(a);
            pthread_mutex_lock(&ir->mu);
            int stop = ir->stop;
            pthread_mutex_unlock(&ir->mu);
            if (stop)
                goto out;
        }
        pthread_mutex_lock(&ir->mu);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 5;
        while (!ir->stop && !ir->kick)
            if (pthread_cond_timedwait(&ir->cv, &ir->mu, &until))
                break;
        ir->kick = 0;
        if (ir->stop) {
            pthread_mutex_unlock(&ir->mu);
            break;
        }
        pthread_mutex_unlock(&ir->mu);
    }
out:
    store_close(&s);
    grid_locator_free(loc);
    gg_arena_free(a);
    return NULL;
}

struct import_runner *
api_imports_start(const struct api_app *app)
{
    struct import_runner *ir = gg_xcalloc(1, sizeof(*ir));
    ir->app = app;
    pthread_mutex_init(&ir->mu, NULL);
    pthread_cond_init(&ir->cv, NULL);
    if (pthread_create(&ir->thread, NULL, runner_main, ir)) {
        gg_log(GG_LOG_ERROR, "import.runner", "op=start");
        free(ir);
        return NULL;
    }
    return ir;
}

/* Waits for the running job to end (an import is one transaction: there is
 * nothing to save halfway). */
void
api_imports_stop(struct import_runner *ir)
{
    if (!ir)
        return;
    pthread_mutex_lock(&ir->mu);
    ir->stop = 1;
    pthread_cond_signal(&ir->cv);
    pthread_mutex_unlock(&ir->mu);
    pthread_join(ir->thread, NULL);
    pthread_mutex_destroy(&ir->mu);
    pthread_cond_destroy(&ir->cv);
    free(ir);
}

static void
kick(struct import_runner *ir)
{
    if (!ir)
        return;
    pthread_mutex_lock(&ir->mu);
    ir->kick = 1;
    pthread_cond_signal(&ir->cv);
    pthread_mutex_unlock(&ir->mu);
}

/* ---- handlers ---- */

static json_t *
job_json(struct http_req *req, const struct store_import_job *j)
{
    struct import_runner *ir = api_thread(req)->app->imports;
    json_t *errors = json_loads(j->errors ? j->errors : "[]", 0, NULL);
    int64_t rows = j->processed, bad = j->bad;
    uint64_t done = 0, total = 0;

    if (ir && !strcmp(j->state, "running")) {
        pthread_mutex_lock(&ir->mu);
        if (ir->job == j->id) {
            rows = ir->rows;
            bad = ir->bad;
            done = ir->done;
            total = ir->total;
        }
        pthread_mutex_unlock(&ir->mu);
    }
    return json_pack(
        "{s:I,s:s,s:s,s:s,s:b,s:s,s:I,s:I,s:I,s:I,s:f,s:o,s:s?,s:o,s:o,s:o}",
        "id", (json_int_t)j->id, "kind", j->kind, "node_code", j->node_code,
        "state", j->state, "dry_run", j->dry_run != 0, "mode", j->mode,
        "total", (json_int_t)j->total, "processed", (json_int_t)rows, "ok",
        (json_int_t)j->ok, "bad", (json_int_t)bad, "progress",
        !strcmp(j->state, "done") || !strcmp(j->state, "failed")
            ? 1.0
            : total ? (double)done / (double)total : 0.0,
        "errors", errors ? errors : json_array(), "message", j->message,
        "created_at", api_time_json(j->created_at), "started_at",
        api_time_json(j->started_at), "finished_at",
        api_time_json(j->finished_at));
}

/* POST /imports?kind=K&node=CODE[&mode=all|skip][&dry_run=1] with a CSV or
 * XLSX body: 202 the job; 400 a parameter; 404 the node is outside my
 * scope; 413 over max_upload_bytes; 415 not a spreadsheet type. */
int
api_imports_create(struct http_req *req, struct http_resp *resp,
                   struct gg_err *err)
{
    const struct api_app *app = api_thread(req)->app;
    struct store_import_job j = {0}, *stored;
    const char *kind, *node, *mode;
    char path[GG_CONF_STR_MAX + 64];
    struct store_node *n;
    int64_t dry = 0;
    int rc;

    rc = http_query_str(req, "kind", 20, &kind, err);
    if (!rc && !import_kind_known(kind))
        rc = gg_failf(err, GG_EINVAL, "kind", MSG_FIELD_CHOICE, "%s",
                      "persons buildings households organisations");
    if (!rc)
        rc = http_query_str(req, "node", NODE_CODE_MAX, &node, err);
    if (!rc && !node)
        rc = gg_fail(err, GG_EINVAL, "node", MSG_FIELD_REQUIRED);
    if (!rc)
        rc = node_code_check(node, NULL, "node", err);
    if (!rc)
        rc = http_query_str(req, "mode", 4, &mode, err);
    if (!rc && mode && strcmp(mode, "all") && strcmp(mode, "skip"))
        rc = gg_failf(err, GG_EINVAL, "mode", MSG_FIELD_CHOICE, "%s",
                      "all skip");
    if (!rc)
        rc = api_query_int(req, "dry_run", 1, &dry, err);
    if (!rc)
        rc = store_node_get(api_store(req), &api_who(req)->scope, node,
                            req->arena, &n, err);
    if (rc)
        return rc;
    j.kind = kind;
    j.node_code = n->code;
    j.actor_id = api_who(req)->account_id;
    j.state = "queued";
    j.dry_run = (int)dry;
    j.mode = mode ? mode : "all";
    j.created_at = gg_now_s();
    rc = store_import_job_insert(api_store(req), &j, &j.id, err);
    if (rc)
        return rc;
    job_path(app, j.id, "", path, sizeof(path));
    if (rename(req->upload.path, path)) {
        j.state = "failed";
        j.message = "upload lost";
        if (store_import_job_update(api_store(req), &j, NULL))
            gg_log(GG_LOG_WARN, "import.job", "op=fail id=%" PRId64, j.id);
        return gg_fail(err, GG_EINTERNAL, "body", MSG_UPLOAD_FAILED);
    }
    req->upload.path = NULL; /* the job has it now */
    kick(app->imports);
    rc = store_import_job_get(api_store(req), &api_who(req)->scope, j.id,
                              req->arena, &stored, err);
    if (rc)
        return rc;
    http_resp_json(resp, 202, job_json(req, stored));
    return 0;
}

static int
job_get(struct http_req *req, struct store_import_job **out,
        struct gg_err *err)
{
    int64_t id;
    int rc = api_param_id(req, "id", &id, err);
    return rc ? rc
              : store_import_job_get(api_store(req), &api_who(req)->scope, id,
                                     req->arena, out, err);
}

/* GET /imports/{id}: 200 the job with its progress; 404 outside scope. */
int
api_imports_get(struct http_req *req, struct http_resp *resp,
                struct gg_err *err)
{
    struct store_import_job *j;
    int rc = job_get(req, &j, err);
    if (rc)
        return rc;
    http_resp_json(resp, 200, job_json(req, j));
    return 0;
}

#define XLSX_TYPE                                                             \
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* Sends the file at path as an XLSX download called name; with unlink_it
 * the file goes once it is open. */
static int
send_xlsx(struct http_req *req, struct http_resp *resp, const char *path,
          const char *name, int unlink_it, struct gg_err *err)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (unlink_it)
        unlink(path);
    if (fd < 0 || fstat(fd, &st)) {
        if (fd >= 0)
            close(fd);
        return gg_fail(err, GG_ENOTFOUND, "", MSG_NOT_FOUND);
    }
    resp->status = 200;
    resp->fd = fd;
    resp->fd_size = (uint64_t)st.st_size;
    resp->content_type = XLSX_TYPE;
    http_resp_header(resp, "Content-Disposition",
                     gg_arena_printf(req->arena,
                                     "attachment; filename=\"%s\"", name));
    http_resp_header(resp, "Cache-Control", "no-store");
    return 0;
}

/* GET /imports/{id}/report: 200 the row report (XLSX); 404 outside scope
 * or not finished. */
int
api_imports_report(struct http_req *req, struct http_resp *resp,
                   struct gg_err *err)
{
    char path[GG_CONF_STR_MAX + 64];
    struct store_import_job *j;
    int rc = job_get(req, &j, err);

    if (rc)
        return rc;
    if (strcmp(j->state, "done"))
        return gg_fail(err, GG_ENOTFOUND, "", MSG_NOT_FOUND);
    job_path(api_thread(req)->app, j->id, "-report.xlsx", path,
             sizeof(path));
    return send_xlsx(req, resp, path,
                     gg_arena_printf(req->arena, "import-%" PRId64
                                     "-report.xlsx", j->id),
                     0, err);
}

/* A fresh file name in the upload directory for a download being built. */
static const char *
scratch(struct http_req *req, const char *what)
{
    char dir[GG_CONF_STR_MAX + 16];
    http_upload_dir(api_thread(req)->app->cfg, dir, sizeof(dir));
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return NULL;
    return gg_arena_printf(req->arena, "%s/%s-%s.xlsx", dir, what, req->id);
}

/* GET /imports/templates/{kind}: 200 an empty XLSX with the headers. */
int
api_imports_template(struct http_req *req, struct http_resp *resp,
                     struct gg_err *err)
{
    const char *kind = http_param(req, "kind");
    const char *path = scratch(req, "template");
    int rc;

    if (!import_kind_known(kind))
        return gg_fail(err, GG_ENOTFOUND, "", MSG_NOT_FOUND);
    if (!path)
        return gg_fail(err, GG_EINTERNAL, "", MSG_UPLOAD_FAILED);
    rc = import_template_xlsx(kind, path, err);
    return rc ? rc
              : send_xlsx(req, resp, path,
                          gg_arena_printf(req->arena, "%s-template.xlsx",
                                          kind),
                          1, err);
}

/* GET /exports/{list}?<the list's filters>: 200 the list as XLSX (masked,
 * audited); 400 a filter; 404 an unknown list. */
int
api_exports_get(struct http_req *req, struct http_resp *resp,
                struct gg_err *err)
{
    const char *kind = http_param(req, "list");
    const char *path = scratch(req, "export");
    struct api_person_query pq;
    struct store_record_filter rf = {0};
    struct export_filter f = {0};
    struct account_ctx ctx;
    int64_t rows;
    int rc = 0;

    if (!import_kind_known(kind))
        return gg_fail(err, GG_ENOTFOUND, "", MSG_NOT_FOUND);
    if (!strcmp(kind, "persons")) {
        rc = api_person_filter(req, &pq, err);
        f.persons = &pq.f;
    } else {
        rc = http_query_str(req, "node", NODE_CODE_MAX, &rf.node, err);
        if (!rc && !rf.node)
            rc = gg_fail(err, GG_EINVAL, "node", MSG_FIELD_REQUIRED);
        if (!rc)
            rc = node_code_check(rf.node, NULL, "node", err);
        if (!rc)
            rc = http_query_str(req, "q", 50, &rf.q, err);
        if (!rc)
            rc = http_query_str(req, "kind", 20, &rf.kind, err);
        if (!rc)
            rc = api_query_int(req, "building", INT64_MAX, &rf.parent, err);
        if (rf.q && !*rf.q)
            rf.q = NULL;
        if (rf.kind && !*rf.kind)
            rf.kind = NULL;
        f.records = &rf;
    }
    if (rc)
        return rc;
    if (!path)
        return gg_fail(err, GG_EINTERNAL, "", MSG_UPLOAD_FAILED);
    api_read_end(req); /* the export is written to the audit log */
    api_ctx(req, &ctx);
    rc = export_run(&ctx, api_who(req), kind, &f, path, &rows, err);
    if (rc) {
        unlink(path);
        return rc;
    }
    return send_xlsx(req, resp, path,
                     gg_arena_printf(req->arena, "%s.xlsx", kind), 1, err);
}
