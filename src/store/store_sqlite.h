/*
 * store_sqlite.h - what the files of the SQLite backend share. Private to
 * src/store: store_sqlite.c holds the connection, the schema and the
 * registry; store_sqlite_case.c the case engine's tables.
 */
#ifndef STORE_SQLITE_H
#define STORE_SQLITE_H

#include <sqlite3.h>

#include "store/store_backend.h"

struct sqlite_store;

#define SQ(s) ((struct sqlite_store *)(s))

/* Statements of the backend's other files, cached per connection: each
 * file numbers its own from a base of its own below SQ_EXTRA_STMTS. */
#define SQ_EXTRA_STMTS 96
#define SQ_CASE_STMT_BASE 0

sqlite3 *sq_db(struct sqlite_store *sq);
/* The cached statement in slot (prepared from sql on first use), reset and
 * unbound; NULL on failure (err set). */
sqlite3_stmt *sq_extra_stmt(struct sqlite_store *sq, int slot,
                            const char *sql, const char *name,
                            struct gg_err *err);

/* Maps a SQLite failure to our vocabulary; its text goes to the log only. */
int sq_fail(struct sqlite_store *sq, int rc, const char *what,
            struct gg_err *err);
/* Steps a statement that returns no rows. */
int sq_run(struct sqlite_store *sq, sqlite3_stmt *st, const char *what,
           struct gg_err *err);
/* Steps to the one row a statement is after: 0 with the statement on it,
 * GG_ENOTFOUND (field) when there is none, or the failure. */
int sq_row(struct sqlite_store *sq, sqlite3_stmt *st, const char *what,
           const char *field, struct gg_err *err);
/* Collects rows into an arena array. */
int sq_collect(struct sqlite_store *sq, sqlite3_stmt *st, const char *what,
               struct gg_arena *a, size_t size,
               void (*read)(struct gg_arena *, sqlite3_stmt *, void *),
               void **out, size_t *n, struct gg_err *err);
/* At most one row into *out (in a); GG_ENOTFOUND when none. */
int sq_one(struct sqlite_store *sq, sqlite3_stmt *st, const char *what,
           struct gg_arena *a, size_t size,
           void (*read)(struct gg_arena *, sqlite3_stmt *, void *),
           void **out, struct gg_err *err);
int sq_exec_sql(struct sqlite_store *sq, const char *sql, const char *what,
                struct gg_err *err);

void bind_text(sqlite3_stmt *st, int i, const char *s); /* NULL: NULL */
void bind_id(sqlite3_stmt *st, int i, int64_t id);      /* 0: NULL */
void bind_blob(sqlite3_stmt *st, int i, const unsigned char *p, size_t n);
const char *col_text(struct gg_arena *a, sqlite3_stmt *st, int i);
struct store_blob col_blob(struct gg_arena *a, sqlite3_stmt *st, int i);
/* The scope as a JSON array for json_each(). */
const char *scope_json(struct gg_arena *a, const struct store_scope *scope);

/* Rows whose column `col` lies under one of the scope's prefixes (?N). */
#define SQ_IN_SCOPE(col, n)                                                   \
    "EXISTS (SELECT 1 FROM json_each(?" #n ") p WHERE " col " >= p.value "    \
    "AND " col " < p.value || ':')"

#define SQ_DECLARE_OP(ret, name, params, args) ret sq_##name params;
STORE_CASE_OPS(SQ_DECLARE_OP)
#undef SQ_DECLARE_OP

#endif
