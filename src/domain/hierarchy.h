/*
 * hierarchy.h - changing the governance hierarchy (区划与网格调整): create,
 * rename, set the responsible chief (四级网格长), move and retire nodes.
 *
 * Callers pass who is asking with the scope of registry.write. Every change
 * is written, with a before and after snapshot, to the node's history in
 * the same transaction. A node that still holds people, buildings,
 * organisations, roster posts or live sub-nodes is never retired; nothing
 * is ever deleted. A move gives the node and its whole subtree new codes
 * (a code is its ancestry) in every table that names a node.
 */
#ifndef DOMAIN_HIERARCHY_H
#define DOMAIN_HIERARCHY_H

#include "domain/account.h"

/* Each returns the node as it is afterwards in *out (in ctx->a). */
int hierarchy_create(const struct account_ctx *ctx,
                     const struct account_who *who, const char *code,
                     const char *parent, const char *name,
                     struct store_node **out, struct gg_err *err)
    __attribute__((warn_unused_result));
/* name NULL keeps it; chief < 0 keeps it, 0 clears it. */
int hierarchy_update(const struct account_ctx *ctx,
                     const struct account_who *who, const char *code,
                     int64_t version, const char *name, int64_t chief,
                     struct store_node **out, struct gg_err *err)
    __attribute__((warn_unused_result));
int hierarchy_move(const struct account_ctx *ctx,
                   const struct account_who *who, const char *code,
                   int64_t version, const char *new_parent,
                   const char *new_code, struct store_node **out,
                   struct gg_err *err) __attribute__((warn_unused_result));
int hierarchy_retire(const struct account_ctx *ctx,
                     const struct account_who *who, const char *code,
                     int64_t version, struct gg_err *err)
    __attribute__((warn_unused_result));

#endif
