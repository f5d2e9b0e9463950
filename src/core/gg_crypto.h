/*
 * gg_crypto.h - libsodium behind the few operations gridgov needs.
 *
 * Keys: one 32-byte master key kept in a file outside the database (hex,
 * mode 0600); sub-keys for encryption and for blind indexes are derived from
 * it. Personal data is sealed with XChaCha20-Poly1305 (random nonce) and
 * found again by a keyed BLAKE2b "blind index" of its normalised value.
 * Passwords use Argon2id. Everything here is thread-safe after gg_crypto_init.
 */
#ifndef GG_CRYPTO_H
#define GG_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "core/gg_buf.h"
#include "core/gg_err.h"

#define GG_KEY_BYTES 32
#define GG_BLIND_BYTES 16
#define GG_SEAL_OVERHEAD (24 + 16)
#define GG_TOKEN_CHARS 43      /* 32 random bytes, base64url, no padding */
#define GG_TOKEN_HASH_HEX 64
#define GG_PWHASH_MAX 128

struct gg_keys {
    unsigned char seal[GG_KEY_BYTES];
    unsigned char blind[GG_KEY_BYTES];
    unsigned char audit[GG_KEY_BYTES]; /* keys the audit log's hash chain */
};

int gg_crypto_init(void) __attribute__((warn_unused_result));
/* Creates a new random key file (fails if it exists). */
int gg_key_create(const char *path, struct gg_err *err)
    __attribute__((warn_unused_result));
/* Loads the key file; refuses files readable by group or others. */
int gg_key_load(const char *path, struct gg_keys *keys, struct gg_err *err)
    __attribute__((warn_unused_result));
void gg_keys_wipe(struct gg_keys *keys);

/* out receives nonce || ciphertext || tag (len + GG_SEAL_OVERHEAD bytes).
 * ad binds the ciphertext to its place (e.g. "person.id_no"). */
void gg_seal(const struct gg_keys *k, const char *ad, const void *plain,
             size_t len, unsigned char *out);
/* out must hold len - GG_SEAL_OVERHEAD bytes (+1 for the NUL written). */
int gg_unseal(const struct gg_keys *k, const char *ad, const unsigned char *in,
              size_t len, char *out) __attribute__((warn_unused_result));
void gg_blind(const struct gg_keys *k, const char *domain, const void *plain,
              size_t len, unsigned char out[GG_BLIND_BYTES]);

void gg_random_bytes(void *out, size_t n);
uint32_t gg_random_uniform(uint32_t upper); /* in [0, upper) */
void gg_wipe(void *p, size_t n);             /* not optimised away */
/* 32 random bytes as base64url into out[GG_TOKEN_CHARS + 1]. */
void gg_token_new(char out[GG_TOKEN_CHARS + 1]);
/* Hex of a BLAKE2b-256 of a token, for storing session/API tokens. */
void gg_token_hash(const char *token, char out[GG_TOKEN_HASH_HEX + 1]);
/* Keyed BLAKE2b-256 over a sequence of length-prefixed parts (so that no
 * two different sequences hash alike), as hex into out[65]. */
void gg_mac_parts(const unsigned char key[GG_KEY_BYTES],
                  const char *const *parts, size_t n,
                  char out[GG_TOKEN_HASH_HEX + 1]);
/* Constant-time comparison of equal-length strings. */
int gg_str_equal_ct(const char *a, const char *b);

struct gg_pwhash_cost {
    unsigned long long ops;
    size_t mem;
};
extern const struct gg_pwhash_cost gg_pwhash_interactive;
int gg_password_hash(const char *password, const struct gg_pwhash_cost *cost,
                     char out[GG_PWHASH_MAX])
    __attribute__((warn_unused_result));
/* 0 if it matches, GG_EUNAUTH if not. */
int gg_password_verify(const char *stored, const char *password)
    __attribute__((warn_unused_result));

#endif
