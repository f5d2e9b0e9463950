/*
 * registry.h - the records of the registry that share one shape (活档案):
 * buildings (楼栋), households (户), organisations (组织: enterprises,
 * units, merchants, property companies, social organisations, co-building
 * units) and party organisations (党组织).
 *
 * Each kind is a table of fields (registry.c): the JSON key and English
 * column header, the Chinese header imports and exports use, the check,
 * the limits and the choices. The same table reads a JSON body, reads an
 * imported row, writes a record as JSON and as an export row, so the API,
 * the importer and the 台账 can never disagree on a field.
 *
 * Writes take who holds registry.write and check that every node,
 * building and parent organisation they name lies in its scope; each one
 * writes the record and its history (before/after) in one transaction.
 * A record with a location gets its grid from the point (grid_locate()).
 */
#ifndef DOMAIN_REGISTRY_H
#define DOMAIN_REGISTRY_H

#include <jansson.h>

#include "domain/account.h"

struct grid_locator;

enum reg_check {
    REG_TEXT = 1, /* max: characters */
    REG_CHOICE,   /* choices: "code:中文,..." (either is accepted) */
    REG_INT,      /* min..max */
    REG_LON,
    REG_LAT,
    REG_DATE,     /* YYYY-MM-DD */
    REG_CREDIT,   /* 统一社会信用代码, GB 32100 */
    REG_REF,      /* the id of another record; checked by the kind */
};

struct reg_field {
    int index;            /* into store_record.v: a STORE_F_* constant */
    const char *name;     /* JSON key; English header */
    const char *zh;       /* Chinese header */
    enum reg_check check;
    int required;
    int64_t min, max;
    const char *choices;
};

struct reg_kind {
    enum store_kind kind;
    const char *name;     /* "buildings": the API's and importer's name */
    const struct reg_field *fields;
    size_t n_fields;
};

/* The kind of this plural name ("buildings" ...), or NULL. */
const struct reg_kind *registry_kind(const char *name);
const struct reg_kind *registry_kind_of(enum store_kind kind);

/* Choice lists are "code:中文,...". The code of text given as a code or a
 * label (NULL when it is neither), and the label of a code (the code itself
 * when it has none); both in a. */
const char *registry_choice_code(const char *choices, const char *text,
                                 struct gg_arena *a);
const char *registry_choice_label(const char *choices, const char *code,
                                  struct gg_arena *a);

/* Sets one field from text (an import cell or a JSON scalar as text;
 * NULL or "" clears it). GG_EINVAL names field->name. */
int registry_set(const struct reg_field *f, const char *text,
                 struct gg_arena *a, struct store_record *r,
                 struct gg_err *err) __attribute__((warn_unused_result));
/* Sets the fields a JSON object names (others keep their value); unknown
 * keys are refused. keys_extra lists other keys the caller reads. */
int registry_from_json(const struct reg_kind *k, const json_t *body,
                       const char *const *keys_extra, struct gg_arena *a,
                       struct store_record *r, struct gg_err *err)
    __attribute__((warn_unused_result));
/* The record as the API shows it (fields, id, node, version, count). */
json_t *registry_json(const struct reg_kind *k, const struct store_record *r);
/* A field as text for an export row ("" when unset), in ctx->a. */
const char *registry_text(const struct reg_field *f,
                          const struct store_record *r, struct gg_arena *a);

/*
 * Creates (id 0) or updates (id, version) a record from r's node_code and
 * fields after every check of its kind: required fields, the node in
 * who's scope and of a level that can hold it, the building of a
 * household, the parent of a party organisation (its kind fits: 党小组
 * under a 党支部, 党支部 under a 党总支 or 党委, no cycles), a co-building
 * unit's agreement dates, and for a record with a location the grid that
 * covers the point (GG_EINVAL field "lon" when it lies in another grid
 * than the one named, or in none and none was named). loc may be NULL (no
 * grid lookups: the node must be given). *out (in ctx->a, may be NULL)
 * gets the record as stored. GG_ECONFLICT on a stale version or a
 * duplicate (credit code, household room).
 */
int registry_save(const struct account_ctx *ctx,
                  const struct account_who *who, const struct reg_kind *k,
                  struct grid_locator *loc, int64_t id, int64_t version,
                  struct store_record *r, int64_t *new_id,
                  struct gg_err *err) __attribute__((warn_unused_result));

#endif
