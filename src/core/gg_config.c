#include "core/gg.h"
#include "core/gg_config.h"
#include "core/gg_log.h"
#include "core/gg_parse.h"

#include <unistd.h>

enum conf_type { CONF_STR, CONF_INT, CONF_BOOL };

struct conf_key {
    const char *name;
    enum conf_type type;
    const char *def;
    int64_t min, max;
    size_t offset;
};

static const struct conf_key conf_keys[] = {
#define GG_CONF(type, name, def, min, max)                                    \
    {#name, CONF_##type, def, min, max, offsetof(struct gg_config, name)},
#include "core/config.def"
#undef GG_CONF
};

static const struct conf_key *
conf_find(const char *name)
{
    for (size_t i = 0; i < GG_ARRAY_LEN(conf_keys); i++)
        if (!strcmp(conf_keys[i].name, name))
            return &conf_keys[i];
    return NULL;
}

static int
conf_apply(struct gg_config *c, const struct conf_key *k, const char *value,
           struct gg_err *err)
{
    char *field = (char *)c + k->offset;
    int64_t v;
    int b;

    switch (k->type) {
    case CONF_STR:
        if (strlen(value) >= GG_CONF_STR_MAX ||
            gg_has_controls(value, strlen(value), 0))
            return gg_failf(err, GG_EINVAL, k->name, MSG_CONFIG_VALUE, "%s",
                            k->name);
        snprintf(field, GG_CONF_STR_MAX, "%s", value);
        return 0;
    case CONF_INT:
        if (gg_parse_i64(value, k->min, k->max, &v))
            return gg_failf(err, GG_EINVAL, k->name, MSG_CONFIG_VALUE,
                            "%s = %s (%" PRId64 "..%" PRId64 ")", k->name,
                            value, k->min, k->max);
        memcpy(field, &v, sizeof(v));
        return 0;
    case CONF_BOOL:
        if (gg_parse_bool(value, &b))
            return gg_failf(err, GG_EINVAL, k->name, MSG_CONFIG_VALUE,
                            "%s = %s", k->name, value);
        memcpy(field, &b, sizeof(b));
        return 0;
    }
    return GG_EINTERNAL;
}

void
gg_config_defaults(struct gg_config *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < GG_ARRAY_LEN(conf_keys); i++)
        if (conf_apply(c, &conf_keys[i], conf_keys[i].def, NULL))
            abort(); /* a default out of its own bounds is a bug */
}

int
gg_config_set(struct gg_config *c, const char *key, const char *value,
              struct gg_err *err)
{
    const struct conf_key *k = conf_find(key);
    if (!k)
        return gg_failf(err, GG_EINVAL, "", MSG_CONFIG_KEY, "%.100s", key);
    return conf_apply(c, k, value, err);
}

static char *
trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
                     e[-1] == '\r'))
        *--e = '\0';
    return s;
}

int
gg_config_load(struct gg_config *c, const char *path, struct gg_err *err)
{
    FILE *f = fopen(path, "r");
    char line[GG_CONF_STR_MAX + 128];
    int lineno = 0, rc = 0;

    if (!f)
        return gg_failf(err, GG_EINVAL, "config", MSG_CONFIG_READ, "%s (%s)",
                        path, strerror(errno));
    while (fgets(line, sizeof(line), f)) {
        char *s, *eq, *key, *value;

        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = gg_failf(err, GG_EINVAL, "config", MSG_CONFIG_SYNTAX, "%d",
                          lineno);
            break;
        }
        s = trim(line);
        if (!*s || *s == '#')
            continue;
        eq = strchr(s, '=');
        if (!eq) {
            rc = gg_failf(err, GG_EINVAL, "config", MSG_CONFIG_SYNTAX, "%d",
                          lineno);
            break;
        }
        *eq = '\0';
        key = trim(s);
        value = trim(eq + 1);
        rc = gg_config_set(c, key, value, err);
        if (rc)
            break;
    }
    if (!rc && ferror(f))
        rc = gg_failf(err, GG_EINVAL, "config", MSG_CONFIG_READ, "%s", path);
    fclose(f);
    return rc;
}

int
gg_config_finish(struct gg_config *c, struct gg_err *err)
{
    enum gg_log_level level;

    if (gg_log_parse_level(c->log_level, &level))
        return gg_failf(err, GG_EINVAL, "log_level", MSG_CONFIG_VALUE,
                        "log_level = %s (error|warn|info|debug)", c->log_level);
    if (!c->key_file[0]) {
        if (strlen(c->db) + 5 > GG_CONF_STR_MAX)
            return gg_failf(err, GG_EINVAL, "db", MSG_CONFIG_VALUE, "db");
        snprintf(c->key_file, GG_CONF_STR_MAX, "%.1018s.key", c->db);
    }
    if (!c->threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        c->threads = n > 0 ? (n > 64 ? 64 : n) : 2;
    }
    if (c->session_idle_s > c->session_max_s)
        return gg_failf(err, GG_EINVAL, "session_idle_s", MSG_CONFIG_VALUE,
                        "session_idle_s > session_max_s");
    return 0;
}

void
gg_config_print(const struct gg_config *c, FILE *out)
{
    for (size_t i = 0; i < GG_ARRAY_LEN(conf_keys); i++) {
        const struct conf_key *k = &conf_keys[i];
        const char *field = (const char *)c + k->offset;
        int64_t v;
        int b;

        switch (k->type) {
        case CONF_STR:
            fprintf(out, "%s = %s\n", k->name, field);
            break;
        case CONF_INT:
            memcpy(&v, field, sizeof(v));
            fprintf(out, "%s = %" PRId64 "\n", k->name, v);
            break;
        case CONF_BOOL:
            memcpy(&b, field, sizeof(b));
            fprintf(out, "%s = %s\n", k->name, b ? "true" : "false");
            break;
        }
    }
}
