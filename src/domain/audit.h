/*
 * audit.h - the audit log (审计日志): append-only and hash-chained.
 *
 * Each record carries the keyed hash of its fields and of the record
 * before, so an edit, a removal or a reordering breaks the chain where it
 * happened; the key is derived from the master key outside the database, so
 * someone with only the database cannot forge a consistent chain.
 *
 * audit_append() must run inside the caller's write transaction, together
 * with the change it records: if the record cannot be written, the change
 * is not made either. audit_record() is the same in a transaction of its
 * own, for events that change nothing else.
 * Details must never hold personal data: ids and counts only.
 */
#ifndef DOMAIN_AUDIT_H
#define DOMAIN_AUDIT_H

#include "core/gg_crypto.h"
#include "store/store.h"

struct audit_event {
    int64_t actor_id;   /* 0: nobody logged in */
    const char *actor;  /* username, or "-" */
    const char *action; /* e.g. "login.fail"; see docs/internals */
    const char *target; /* e.g. "account:12" */
    const char *detail; /* short, no personal data */
    const char *ip;
};

int audit_append(struct store *s, const struct gg_keys *keys,
                 const struct audit_event *ev, int64_t now_ms,
                 struct gg_err *err) __attribute__((warn_unused_result));
int audit_record(struct store *s, const struct gg_keys *keys,
                 const struct audit_event *ev, int64_t now_ms,
                 struct gg_err *err) __attribute__((warn_unused_result));

/* Walks the chain from the archive's anchor. *first_broken is 0 when the
 * chain holds, else the seq of the first record that does not fit. */
int audit_verify(struct store *s, const struct gg_keys *keys,
                 int64_t *checked, int64_t *first_broken, struct gg_err *err)
    __attribute__((warn_unused_result));

/* Writes every record older than before_ms to a new JSON-lines file in dir
 * (fsynced), then removes them from the database, moving the chain's
 * anchor. *count says how many; *path_out (caller's buffer) the file. */
int audit_archive(struct store *s, const struct gg_keys *keys,
                  int64_t before_ms, const char *dir, int64_t *count,
                  char *path_out, size_t path_cap, struct gg_err *err)
    __attribute__((warn_unused_result));

#endif
