/*
 * gg_sha1.h - SHA-1 and HMAC-SHA1, for TOTP (RFC 6238) only: authenticator
 * apps default to HMAC-SHA1 and libsodium has no SHA-1. Never use it for
 * anything else. Pure functions; thread-safe.
 */
#ifndef GG_SHA1_H
#define GG_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define GG_SHA1_BYTES 20

void gg_sha1(const void *data, size_t len, unsigned char out[GG_SHA1_BYTES]);
void gg_hmac_sha1(const void *key, size_t key_len, const void *msg,
                  size_t msg_len, unsigned char out[GG_SHA1_BYTES]);

#endif
