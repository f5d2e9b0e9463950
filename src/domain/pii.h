/*
 * pii.h - personal information (个人信息): sealing, blind indexes and masks.
 *
 * ID numbers and phone numbers are never stored in plain text: pii_seal()
 * encrypts the value (bound to its kind), computes its blind index for
 * exact search, and its display mask: ID numbers keep the first 4 and last
 * 4 characters (3507**********123X), mobile numbers the first 3 and last 4
 * (138****5678). Unmasking goes through one audited function (added with
 * the registry API). Thread-safe.
 */
#ifndef DOMAIN_PII_H
#define DOMAIN_PII_H

#include "core/gg_crypto.h"
#include "core/gg_mem.h"
#include "store/store.h"

enum pii_kind { PII_ID_NO = 0, PII_PHONE, PII__COUNT };

/* out's buffers are allocated in a. value must be non-empty. */
void pii_seal(const struct gg_keys *keys, enum pii_kind kind,
              const char *value, struct gg_arena *a, struct store_sealed *out);
/* The blind index of a value, to find it again (exact match). */
void pii_blind_of(const struct gg_keys *keys, enum pii_kind kind,
                  const char *value, unsigned char out[GG_BLIND_BYTES]);
/* A mainland mobile number (11 digits, 1[3-9]...) or a landline with its
 * area code (0 + 9 to 11 digits, an optional '-' after the area code). */
int pii_phone_check(const char *phone, const char *field, struct gg_err *err)
    __attribute__((warn_unused_result));
/* The label a kind is sealed under (binds ciphertext to its field). */
const char *pii_label(enum pii_kind kind);
/* Writes the display mask of value into out (cap >= strlen(value) + 1). */
void pii_mask(enum pii_kind kind, const char *value, char *out, size_t cap);

#endif
