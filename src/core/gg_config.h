/*
 * gg_config.h - gridgov's configuration: defaults, a "key = value" file and
 * command-line overrides, all validated against config.def.
 *
 * Read-only once the server starts; the only global state besides constants.
 */
#ifndef GG_CONFIG_H
#define GG_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "core/gg_err.h"

#define GG_CONF_STR_MAX 1024

struct gg_config {
#define GG_CONF_STR(name) char name[GG_CONF_STR_MAX];
#define GG_CONF_INT(name) int64_t name;
#define GG_CONF_BOOL(name) int name;
#define GG_CONF(type, name, def, min, max) GG_CONF_##type(name)
#include "core/config.def"
#undef GG_CONF
#undef GG_CONF_STR
#undef GG_CONF_INT
#undef GG_CONF_BOOL
};

void gg_config_defaults(struct gg_config *c);
/* Sets one key from text; err names the key. */
int gg_config_set(struct gg_config *c, const char *key, const char *value,
                  struct gg_err *err) __attribute__((warn_unused_result));
/* Reads a file of "key = value" lines ('#' starts a comment). */
int gg_config_load(struct gg_config *c, const char *path, struct gg_err *err)
    __attribute__((warn_unused_result));
/* Checks values that depend on each other; fills derived defaults
 * (key_file from db, threads from the core count). */
int gg_config_finish(struct gg_config *c, struct gg_err *err)
    __attribute__((warn_unused_result));
void gg_config_print(const struct gg_config *c, FILE *out);

#endif
