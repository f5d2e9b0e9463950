#include "core/gg.h"
#include "core/gg_parse.h"
#include "domain/node.h"

static const size_t level_len[NODE__COUNT] = {
    [NODE_PROVINCE] = 2, [NODE_CITY] = 4,       [NODE_DISTRICT] = 6,
    [NODE_STREET] = 9,   [NODE_COMMUNITY] = 12, [NODE_GRID] = 15,
    [NODE_MICROGRID] = 18,
};

int
node_code_level(const char *code, enum store_node_level *out)
{
    size_t len = strlen(code);

    if (!gg_all_digits(code, len))
        return GG_EINVAL;
    for (int i = 0; i < NODE__COUNT; i++) {
        if (level_len[i] == len) {
            /* The own part of a code (past the parent's) is never all 0. */
            size_t from = i ? level_len[i - 1] : 0;
            if (strspn(code + from, "0") == len - from)
                return GG_EINVAL;
            *out = (enum store_node_level)i;
            return 0;
        }
    }
    return GG_EINVAL;
}

size_t
node_parent_len(enum store_node_level level)
{
    return level == NODE_PROVINCE ? 0 : level_len[level - 1];
}

size_t
node_child_len(enum store_node_level level)
{
    return level + 1 < NODE__COUNT ? level_len[level + 1] : 0;
}

int
node_code_check(const char *code, const char *parent, const char *field,
                struct gg_err *err)
{
    enum store_node_level level, plevel;
    char shown[24];

    snprintf(shown, sizeof(shown), "%.20s", code);
    if (node_code_level(code, &level))
        return gg_failf(err, GG_EINVAL, field, MSG_NODE_CODE_INVALID, "%s",
                        shown);
    if (!parent)
        return 0;
    if (node_code_level(parent, &plevel) ||
        strlen(parent) != node_parent_len(level) ||
        strncmp(code, parent, strlen(parent)))
        return gg_failf(err, GG_EINVAL, field, MSG_NODE_CODE_INVALID, "%s",
                        shown);
    return 0;
}
