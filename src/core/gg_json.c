#include "core/gg.h"
#include "core/gg_json.h"
#include "core/gg_parse.h"

int
gg_json_depth(const char *text, size_t len)
{
    int depth = 0, max = 0, in_string = 0;

    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
            continue;
        }
        if (c == '"') {
            in_string = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                max = depth;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return max;
}

int
gg_json_parse(const char *text, size_t len, int max_depth, json_t **out,
              struct gg_err *err)
{
    json_error_t jerr;
    json_t *root;

    *out = NULL;
    if (gg_json_depth(text, len) > max_depth)
        return gg_failf(err, GG_EINVAL, "", MSG_JSON_TOO_DEEP, "%d", max_depth);
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return gg_failf(err, GG_EINVAL, "", MSG_JSON_INVALID, "%d",
                        jerr.position);
    *out = root;
    return 0;
}

int
gg_json_get_str(json_t *obj, const char *name, size_t max_chars, int required,
                const char **out, struct gg_err *err)
{
    json_t *v = json_object_get(obj, name);
    const char *s;
    size_t len;

    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return gg_fail(err, GG_EINVAL, name, MSG_FIELD_REQUIRED);
        return 0;
    }
    if (!json_is_string(v))
        return gg_fail(err, GG_EINVAL, name, MSG_FIELD_STRING);
    s = json_string_value(v);
    len = json_string_length(v);
    if (gg_utf8_len(s, len) > max_chars)
        return gg_failf(err, GG_EINVAL, name, MSG_FIELD_TOO_LONG, "%zu",
                        max_chars);
    if (gg_has_controls(s, len, 0))
        return gg_fail(err, GG_EINVAL, name, MSG_FIELD_CONTROL_CHARS);
    if (required && !len)
        return gg_fail(err, GG_EINVAL, name, MSG_FIELD_REQUIRED);
    *out = s;
    return 0;
}

int
gg_json_only_keys(json_t *obj, const char *const *allowed, struct gg_err *err)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v) {
        const char *const *a = allowed;
        (void)v;
        while (*a && strcmp(*a, key))
            a++;
        if (!*a) {
            /* The key comes from the client: show at most 60 bytes. */
            char field[61];
            snprintf(field, sizeof(field), "%s", key);
            return gg_fail(err, GG_EINVAL, field, MSG_FIELD_UNKNOWN);
        }
    }
    return 0;
}
