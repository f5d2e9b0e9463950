/*
 * import.h - filling the registry from spreadsheets (导入) and writing it
 * out again (台账导出).
 *
 * An import reads a CSV (UTF-8 or GB18030) or XLSX file whose first row
 * names the columns (the Chinese headers of the template, or the API's
 * English field names) and creates one record per row through the same
 * checks as the API (person_create, registry_save). Every bad row is
 * reported with its line, field and reason. Two modes:
 *   all-or-nothing: one transaction; a single bad row and nothing is
 *                   written (the rest is still checked, so the report is
 *                   complete);
 *   skip bad rows:  good rows are committed in batches, bad ones left out.
 * A dry run does all the work and rolls it back, so it finds exactly what
 * the real import would, duplicates within the file included.
 *
 * Exports write a list as filtered, as XLSX, with the same columns as the
 * import template; personal numbers only masked. Each export is written to
 * the audit log.
 */
#ifndef DOMAIN_IMPORT_H
#define DOMAIN_IMPORT_H

#include "core/gg_msg.h"
#include "domain/account.h"

struct grid_locator;

#define IMPORT_ERRORS_MAX 100000 /* kept for the report; more are counted */

struct import_error {
    int64_t line;
    struct gg_err err; /* field and message */
};

struct import_report {
    int64_t total, ok, bad;
    struct import_error *errors; /* the first IMPORT_ERRORS_MAX, in order */
    size_t n_errors;
    const char *encoding;        /* "UTF-8", "GB18030" or "XLSX" */
    int written;                 /* 1 when the good rows were committed */
};

typedef void (*import_progress_fn)(void *ctx, const struct import_report *r,
                                   uint64_t done, uint64_t total);

struct import_opts {
    const char *kind;  /* persons buildings households organisations */
    const char *node;  /* rows fall under it; the default for rows that
                          name no node */
    int dry_run;
    int skip_bad;      /* 0: all-or-nothing */
    int batch;         /* rows per commit when skipping (0: 5000) */
    struct grid_locator *loc; /* may be NULL */
    import_progress_fn progress; /* may be NULL; every 1000 rows and at end */
    void *progress_ctx;
};

/* The kinds that can be imported and exported. */
int import_kind_known(const char *kind);

/*
 * Imports path. who holds registry.write; ctx must not be inside a
 * transaction. 0 when the file was read to its end (bad rows are in *r;
 * r->written says whether anything was kept), or an error about the file
 * as a whole (GG_EINVAL/GG_EMEDIA/GG_ETOOBIG field "file" from the reader,
 * an unknown or missing column), or the store failing (nothing kept).
 * Release *r with import_report_release().
 */
int import_run(const struct account_ctx *ctx, const struct account_who *who,
               const char *path, const struct import_opts *o,
               struct import_report *r, struct gg_err *err)
    __attribute__((warn_unused_result));
void import_report_release(struct import_report *r);

/* The row report as XLSX (行号, 字段, 原因) in lang. */
int import_report_xlsx(const struct import_report *r, enum gg_lang lang,
                       const char *path, struct gg_err *err)
    __attribute__((warn_unused_result));
/* An empty template of kind: its header row. */
int import_template_xlsx(const char *kind, const char *path,
                         struct gg_err *err)
    __attribute__((warn_unused_result));

/* What an export lists: the list's own filters. */
struct export_filter {
    const struct store_person_filter *persons; /* kind persons */
    const struct store_record_filter *records; /* the others */
};

/* Writes the list of kind as filtered into an XLSX file at path, page by
 * page, masked, in who's scope; *rows gets the count. Audited. */
int export_run(const struct account_ctx *ctx, const struct account_who *who,
               const char *kind, const struct export_filter *f,
               const char *path, int64_t *rows, struct gg_err *err)
    __attribute__((warn_unused_result));

#endif
