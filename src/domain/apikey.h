/*
 * apikey.h - API keys for machine clients (sensor platforms, Open311
 * clients): "gg_" + 43 random characters, shown once, stored as a hash,
 * with scopes, a node whose subtree they reach, and an expiry.
 */
#ifndef DOMAIN_APIKEY_H
#define DOMAIN_APIKEY_H

#include "domain/account.h"

enum apikey_scope {
    APIKEY_SCOPE_NONE = 0,
    APIKEY_SCOPE_REGISTRY_READ,  /* "registry.read" */
    APIKEY_SCOPE_DEVICES_INGEST, /* "devices.ingest" */
    APIKEY_SCOPE_OPEN311,        /* "open311" */
    APIKEY_SCOPE__COUNT
};

#define APIKEY_CHARS (3 + GG_TOKEN_CHARS)

const char *apikey_scope_name(enum apikey_scope s);
int apikey_scope_parse(const char *name, enum apikey_scope *out)
    __attribute__((warn_unused_result));

/* scopes: a NULL-terminated list of scope names. */
int apikey_create(const struct account_ctx *ctx,
                  const struct account_who *admin, const char *name,
                  const char *const *scopes, const char *node_code,
                  int64_t expires_at, int64_t *id,
                  char key[APIKEY_CHARS + 1], struct gg_err *err)
    __attribute__((warn_unused_result));
int apikey_revoke(const struct account_ctx *ctx,
                  const struct account_who *admin, int64_t id,
                  struct gg_err *err) __attribute__((warn_unused_result));
/* Resolves "Bearer KEY" for a route that needs scope `need`: GG_EUNAUTH
 * for a bad, expired or revoked key, GG_EFORBIDDEN for a missing scope.
 * The who has the key's node as its scope and no roles. */
int apikey_authenticate(const struct account_ctx *ctx, const char *header,
                        enum apikey_scope need, struct account_who **who,
                        struct gg_err *err) __attribute__((warn_unused_result));

#endif
