#include "core/gg.h"
#include "core/gg_err.h"
#include "core/gg_parse.h"

static void
err_set(struct gg_err *err, int code, const char *field, enum gg_msg_id msg)
{
    err->code = code;
    err->msg = msg;
    size_t len;

    snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
    /* Truncation must not leave half a UTF-8 character behind. */
    len = strlen(err->field);
    while (len && !gg_utf8_valid(err->field, len))
        err->field[--len] = '\0';
    err->arg[0] = '\0';
}

int
gg_fail(struct gg_err *err, int code, const char *field, enum gg_msg_id msg)
{
    if (err)
        err_set(err, code, field, msg);
    return code;
}

int
gg_failf(struct gg_err *err, int code, const char *field, enum gg_msg_id msg,
         const char *fmt, ...)
{
    va_list ap;
    size_t len;

    if (!err)
        return code;
    err_set(err, code, field, msg);
    va_start(ap, fmt);
    vsnprintf(err->arg, sizeof(err->arg), fmt, ap);
    va_end(ap);
    /* The same for the argument (a long list of choices): the message
     * goes out as JSON, which cannot carry half a character. */
    len = strlen(err->arg);
    while (len && !gg_utf8_valid(err->arg, len))
        err->arg[--len] = '\0';
    return code;
}

void
gg_err_clear(struct gg_err *err)
{
    /* Cheap on purpose: the front line clears one per request. */
    if (err) {
        err->code = 0;
        err->msg = MSG_NONE;
        err->field[0] = '\0';
        err->arg[0] = '\0';
    }
}

const char *
gg_code_name(int code)
{
    static const char *const names[] = {
        [-GG_OK] = "ok",
        [-GG_EINVAL] = "invalid",
        [-GG_EUNAUTH] = "unauthenticated",
        [-GG_EFORBIDDEN] = "forbidden",
        [-GG_ENOTFOUND] = "not_found",
        [-GG_ECONFLICT] = "conflict",
        [-GG_EBADSTATE] = "bad_state",
        [-GG_ETOOBIG] = "too_big",
        [-GG_EBUSY] = "busy",
        [-GG_ESTORE] = "store_unavailable",
        [-GG_EINTERNAL] = "internal",
        [-GG_EMEDIA] = "unsupported_media_type",
        [-GG_EMETHOD] = "method_not_allowed",
        [-GG_ETOTP] = "totp_required",
        [-GG_ELOCKED] = "locked",
        [-GG_ERATE] = "rate_limited",
        [-GG_ECHANGEPW] = "password_change_required",
        [-GG_ETOTPSETUP] = "totp_setup_required",
    };
    if (code > 0 || code < GG_ECODE__MIN)
        return "internal";
    return names[-code];
}
