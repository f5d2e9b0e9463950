/*
 * gg_json.h - decoding request JSON safely and reading typed fields.
 *
 * gg_json_parse() enforces a nesting limit before jansson sees the text,
 * rejects duplicate keys, NUL characters and invalid UTF-8 (jansson's own
 * checks), and gives the byte offset of the first error. Field readers
 * validate type, length (in characters) and control characters, and name
 * the field in the error. Returned strings are borrowed from the json_t.
 */
#ifndef GG_JSON_H
#define GG_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "core/gg_err.h"

/* 1-based maximum depth of nested arrays/objects in text (strings skipped). */
int gg_json_depth(const char *text, size_t len);
int gg_json_parse(const char *text, size_t len, int max_depth, json_t **out,
                  struct gg_err *err) __attribute__((warn_unused_result));

enum { GG_JSON_OPTIONAL = 0, GG_JSON_REQUIRED = 1 };

/* Reads obj[name] as a string of at most max_chars characters without
 * control characters. Missing or null: *out = NULL (error if required). */
int gg_json_get_str(json_t *obj, const char *name, size_t max_chars,
                    int required, const char **out, struct gg_err *err)
    __attribute__((warn_unused_result));
/* Rejects keys not in the NULL-terminated list. */
int gg_json_only_keys(json_t *obj, const char *const *allowed,
                      struct gg_err *err) __attribute__((warn_unused_result));

#endif
