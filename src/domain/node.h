/*
 * node.h - the codes of the governance hierarchy (区划与网格编码).
 *
 * A code's length gives its level and its prefix gives its ancestry:
 * 2 province, 4 city, 6 county (GB/T 2260), 9 street, 12 community (the
 * statistics division code), 15 grid (community + 3 digits), 18 micro-grid
 * (grid + 3 digits). Pure functions; thread-safe.
 */
#ifndef DOMAIN_NODE_H
#define DOMAIN_NODE_H

#include "core/gg_err.h"
#include "store/store.h"

#define NODE_CODE_MAX 18

/* The level a code of this shape has; GG_EINVAL for no valid shape. */
int node_code_level(const char *code, enum store_node_level *out)
    __attribute__((warn_unused_result));
/* Checks a code and, when parent is given, that it sits right under it.
 * field names the input in the error. */
int node_code_check(const char *code, const char *parent, const char *field,
                    struct gg_err *err) __attribute__((warn_unused_result));
/* Length of the parent's code (0 at the top). */
size_t node_parent_len(enum store_node_level level);
/* Length of a child's code (0 below the micro-grid). */
size_t node_child_len(enum store_node_level level);

#endif
