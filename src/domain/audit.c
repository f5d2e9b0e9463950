#include "core/gg.h"
#include "core/gg_log.h"
#include "domain/audit.h"

#include <fcntl.h>
#include <jansson.h>
#include <unistd.h>

static void
audit_hash(const struct gg_keys *keys, const struct store_audit *r,
           char out[GG_TOKEN_HASH_HEX + 1])
{
    char seq[24], at[24], actor_id[24];
    const char *parts[9];

    snprintf(seq, sizeof(seq), "%" PRId64, r->seq);
    snprintf(at, sizeof(at), "%" PRId64, r->at);
    snprintf(actor_id, sizeof(actor_id), "%" PRId64, r->actor_id);
    parts[0] = seq;
    parts[1] = at;
    parts[2] = actor_id;
    parts[3] = r->actor;
    parts[4] = r->action;
    parts[5] = r->target;
    parts[6] = r->detail;
    parts[7] = r->ip;
    parts[8] = r->prev_hash;
    gg_mac_parts(keys->audit, parts, GG_ARRAY_LEN(parts), out);
}

int
audit_append(struct store *s, const struct gg_keys *keys,
             const struct audit_event *ev, int64_t now_ms, struct gg_err *err)
{
    struct store_audit r = {0};
    char prev[GG_TOKEN_HASH_HEX + 1], hash[GG_TOKEN_HASH_HEX + 1];
    int64_t last;
    int rc;

    rc = store_audit_last(s, &last, prev, sizeof(prev), err);
    if (rc)
        goto fail;
    r.seq = last + 1;
    r.at = now_ms;
    r.actor_id = ev->actor_id;
    r.actor = ev->actor ? ev->actor : "-";
    r.action = ev->action;
    r.target = ev->target ? ev->target : "";
    r.detail = ev->detail ? ev->detail : "";
    r.ip = ev->ip ? ev->ip : "";
    r.prev_hash = prev;
    audit_hash(keys, &r, hash);
    r.hash = hash;
    rc = store_audit_insert(s, &r, err);
    if (!rc)
        return 0;
fail:
    gg_log(GG_LOG_ERROR, "audit.append", "action=%s failed=1", ev->action);
    return gg_fail(err, rc == GG_EBUSY ? GG_EBUSY : GG_ESTORE, "",
                   MSG_AUDIT_FAILED);
}

int
audit_record(struct store *s, const struct gg_keys *keys,
             const struct audit_event *ev, int64_t now_ms, struct gg_err *err)
{
    int rc = store_begin(s, err);
    if (rc)
        return gg_fail(err, rc, "", MSG_AUDIT_FAILED);
    rc = audit_append(s, keys, ev, now_ms, err);
    if (!rc)
        rc = store_commit(s, err);
    if (rc && store_rollback(s, NULL))
        gg_log(GG_LOG_ERROR, "audit.record", "op=rollback failed=1");
    return rc;
}

struct verify_ctx {
    const struct gg_keys *keys;
    int64_t expect_seq;
    char prev[GG_TOKEN_HASH_HEX + 1];
    int64_t checked, first_broken;
};

static int
verify_one(void *p, const struct store_audit *r)
{
    struct verify_ctx *v = p;
    char hash[GG_TOKEN_HASH_HEX + 1];

    audit_hash(v->keys, r, hash);
    if (r->seq != v->expect_seq || strcmp(r->prev_hash, v->prev) ||
        strcmp(r->hash, hash)) {
        v->first_broken = r->seq;
        return 1;
    }
    v->checked++;
    v->expect_seq = r->seq + 1;
    snprintf(v->prev, sizeof(v->prev), "%s", r->hash);
    return 0;
}

int
audit_verify(struct store *s, const struct gg_keys *keys, int64_t *checked,
             int64_t *first_broken, struct gg_err *err)
{
    struct verify_ctx v = {0};
    int64_t anchor;
    int rc;

    v.keys = keys;
    rc = store_audit_anchor(s, &anchor, v.prev, sizeof(v.prev), err);
    if (rc)
        return rc;
    v.expect_seq = anchor + 1;
    rc = store_audit_walk(s, anchor, verify_one, &v, err);
    if (rc < 0)
        return rc;
    *checked = v.checked;
    *first_broken = v.first_broken;
    return 0;
}

struct archive_ctx {
    int64_t before_ms;
    FILE *f;
    int64_t count, last_seq;
    char last_hash[GG_TOKEN_HASH_HEX + 1];
    int failed;
};

static int
archive_one(void *p, const struct store_audit *r)
{
    struct archive_ctx *a = p;
    json_t *j;
    char *line;

    if (r->at >= a->before_ms)
        return 1; /* seq order is time order: the rest is newer */
    j = json_pack("{s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "seq",
                  (json_int_t)r->seq, "at", (json_int_t)r->at, "actor_id",
                  (json_int_t)r->actor_id, "actor", r->actor, "action",
                  r->action, "target", r->target, "detail", r->detail, "ip",
                  r->ip, "prev_hash", r->prev_hash, "hash", r->hash);
    line = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!line || fprintf(a->f, "%s\n", line) < 0) {
        free(line);
        a->failed = 1;
        return 1;
    }
    free(line);
    a->count++;
    a->last_seq = r->seq;
    snprintf(a->last_hash, sizeof(a->last_hash), "%s", r->hash);
    return 0;
}

int
audit_archive(struct store *s, const struct gg_keys *keys, int64_t before_ms,
              const char *dir, int64_t *count, char *path_out,
              size_t path_cap, struct gg_err *err)
{
    struct archive_ctx a = {0};
    int64_t checked, broken;
    int rc, fd;

    (void)keys;
    *count = 0;
    /* Archive only a chain that holds: an archive must not launder a
     * tampered record. */
    rc = audit_verify(s, keys, &checked, &broken, err);
    if (rc)
        return rc;
    if (broken)
        return gg_failf(err, GG_EBADSTATE, "", MSG_DB_CORRUPT,
                        "audit_log seq %" PRId64, broken);
    /* Written under a temporary name, then named after its range. */
    snprintf(path_out, path_cap, "%s/.audit-%d.tmp", dir, (int)getpid());
    fd = open(path_out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return gg_failf(err, GG_EINVAL, "dir", MSG_CONFIG_VALUE, "%s (%s)",
                        path_out, strerror(errno));
    a.f = fdopen(fd, "w");
    a.before_ms = before_ms;
    rc = store_audit_walk(s, 0, archive_one, &a, err);
    if (fflush(a.f) || fsync(fd))
        a.failed = 1;
    fclose(a.f);
    if (rc < 0 || a.failed) {
        unlink(path_out);
        return rc < 0 ? rc : gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
    }
    if (!a.count) {
        unlink(path_out);
        path_out[0] = '\0';
        return 0;
    }
    {
        char tmp[4096];
        snprintf(tmp, sizeof(tmp), "%s", path_out);
        snprintf(path_out, path_cap, "%s/audit-%010" PRId64 "-%010" PRId64
                 ".jsonl", dir, a.last_seq - a.count + 1, a.last_seq);
        if (rename(tmp, path_out) < 0) {
            unlink(tmp);
            return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL);
        }
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        if (fsync(fd))
            gg_log(GG_LOG_WARN, "audit.archive", "op=fsync_dir failed=1");
        close(fd);
    }
    rc = store_begin(s, err);
    if (!rc)
        rc = store_audit_archived(s, a.last_seq, a.last_hash, err);
    if (!rc)
        rc = store_commit(s, err);
    if (rc) {
        if (store_rollback(s, NULL))
            gg_log(GG_LOG_ERROR, "audit.archive", "op=rollback failed=1");
        return rc;
    }
    *count = a.count;
    return 0;
}
