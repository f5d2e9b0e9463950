/*
 * gg_err.h - the one error vocabulary of gridgov.
 *
 * Fallible functions return 0 on success or one of the negative GG_E* codes
 * and take `struct gg_err *err` as their last argument, which they fill with
 * a message id from the catalogue (gg_msg.h), the name of the offending field
 * (may be empty) and an optional argument substituted for "{}" in the
 * message. Everything in a gg_err is safe to show to a user: backend error
 * text goes to the log, never into a gg_err.
 *
 * `err` may be NULL when the caller does not care about the details.
 */
#ifndef GG_ERR_H
#define GG_ERR_H

#include "core/gg_msg.h"

enum gg_code {
    GG_OK = 0,
    GG_EINVAL = -1,      /* bad input: 400 */
    GG_EUNAUTH = -2,     /* not logged in or bad credentials: 401 */
    GG_EFORBIDDEN = -3,  /* logged in, not allowed: 403 */
    GG_ENOTFOUND = -4,   /* missing or outside scope: 404 */
    GG_ECONFLICT = -5,   /* stale version or duplicate: 409 */
    GG_EBADSTATE = -6,   /* action not allowed in this state: 409 */
    GG_ETOOBIG = -7,     /* input over a limit: 413 */
    GG_EBUSY = -8,       /* try again later: 503 */
    GG_ESTORE = -9,      /* the database failed: 503 */
    GG_EINTERNAL = -10,  /* a bug or resource failure: 500 */
    GG_EMEDIA = -11,     /* wrong content type: 415 */
    GG_EMETHOD = -12,    /* method not allowed on this path: 405 */
    GG_ETOTP = -13,      /* a second-factor code is needed or wrong: 401 */
    GG_ELOCKED = -14,    /* account locked after failures: 403 */
    GG_ERATE = -15,      /* too many attempts: 429 */
    GG_ECHANGEPW = -16,  /* must change the password first: 403 */
    GG_ETOTPSETUP = -17, /* must enrol a second factor first: 403 */
    GG_ECODE__MIN = -17
};

struct gg_err {
    int code;
    enum gg_msg_id msg;
    char field[64];
    char arg[160];
};

/* Records code, field (NULL for none) and message; returns code. */
int gg_fail(struct gg_err *err, int code, const char *field,
            enum gg_msg_id msg);
/* Same, with an argument for the "{}" in the message. */
int gg_failf(struct gg_err *err, int code, const char *field,
             enum gg_msg_id msg, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void gg_err_clear(struct gg_err *err);
/* A stable lower-case name for a code, e.g. "not_found", for JSON errors. */
const char *gg_code_name(int code);

#endif
