/*
 * person.h - reading personal data in full (个人信息查看): the one function
 * through which a sealed ID or phone number is ever opened for a person.
 * Every call is written to the audit log first; if that fails, nothing is
 * shown. Callers hold pii.reveal and pass that capability's scope.
 */
#ifndef DOMAIN_PERSON_H
#define DOMAIN_PERSON_H

#include "domain/account.h"

enum { PERSON_FIELD_ID_NO = 1, PERSON_FIELD_PHONE = 2 };

/* fields: PERSON_FIELD_* bits. *id_no / *phone (in ctx->a) stay NULL when
 * not asked for or not recorded. reason: why, for the audit log. */
int person_reveal(const struct account_ctx *ctx,
                  const struct account_who *who, int64_t id, unsigned fields,
                  const char *reason, const char **id_no, const char **phone,
                  struct gg_err *err) __attribute__((warn_unused_result));

#endif
