/*
 * person.h - reading personal data in full (个人信息查看): the one function
 * through which a sealed ID or phone number is ever opened for a person.
 * Every call is written to the audit log first; if that fails, nothing is
 * shown. Callers hold pii.reveal and pass that capability's scope.
 */
#ifndef DOMAIN_PERSON_H
#define DOMAIN_PERSON_H

#include <jansson.h>

#include "domain/account.h"

enum { PERSON_FIELD_ID_NO = 1, PERSON_FIELD_PHONE = 2 };

/* fields: PERSON_FIELD_* bits. *id_no / *phone (in ctx->a) stay NULL when
 * not asked for or not recorded. reason: why, for the audit log. */
int person_reveal(const struct account_ctx *ctx,
                  const struct account_who *who, int64_t id, unsigned fields,
                  const char *reason, const char **id_no, const char **phone,
                  struct gg_err *err) __attribute__((warn_unused_result));

/* What a person's record says, as entered. For id_no and phone, NULL keeps
 * what is stored (on create: none) and "" clears it; everything else is
 * taken as given (NULL: empty). */
struct person_input {
    const char *node_code;
    int64_t household_id; /* 0: none */
    const char *relation; /* GB/T 4761, 2 digits */
    const char *name;
    const char *sex;       /* GB/T 2261.1; from the ID number if absent */
    const char *birth_date; /* YYYY-MM-DD; from the ID number if absent */
    const char *ethnic;    /* GB/T 3304, 2 digits */
    const char *political; /* GB/T 4762, 2 digits */
    const char *residence; /* permanent registered floating overseas */
    const char *id_no, *phone;
    const char *moved_in, *moved_out;
    const char *const *tags;
    size_t n_tags;
};

/* Validates every field (naming the first bad one), seals the ID and
 * phone numbers, and writes the record and its history (masked) in one
 * transaction. who holds registry.write; the node and household must be in
 * its scope. GG_ECONFLICT (field id_no) for an ID number already recorded,
 * or (update) a stale version. */
int person_create(const struct account_ctx *ctx,
                  const struct account_who *who, const struct person_input *in,
                  int64_t *id, struct gg_err *err)
    __attribute__((warn_unused_result));
int person_update(const struct account_ctx *ctx,
                  const struct account_who *who, int64_t id, int64_t version,
                  const struct person_input *in, struct gg_err *err)
    __attribute__((warn_unused_result));
/* The masked snapshot of a record, as history and the API show it. */
json_t *person_json(const struct store_person *p);

#endif
