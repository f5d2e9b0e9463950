#include "core/gg.h"
#include "core/gg_crypto.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#define KDF_CONTEXT "gridgov_"
enum { SUBKEY_SEAL = 1, SUBKEY_BLIND = 2, SUBKEY_AUDIT = 3 };

const struct gg_pwhash_cost gg_pwhash_interactive = {
    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};

int
gg_crypto_init(void)
{
    return sodium_init() < 0 ? GG_EINTERNAL : 0;
}

int
gg_key_create(const char *path, struct gg_err *err)
{
    unsigned char key[GG_KEY_BYTES];
    char hex[GG_KEY_BYTES * 2 + 2];
    int fd, rc = 0;
    size_t len;

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return gg_failf(err, GG_EINVAL, "key_file", MSG_KEY_FILE, "%s (%s)",
                        path, strerror(errno));
    randombytes_buf(key, sizeof(key));
    sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
    len = strlen(hex);
    hex[len++] = '\n';
    if (write(fd, hex, len) != (ssize_t)len || fsync(fd) < 0)
        rc = gg_failf(err, GG_EINTERNAL, "key_file", MSG_KEY_FILE, "%s (%s)",
                      path, strerror(errno));
    close(fd);
    sodium_memzero(key, sizeof(key));
    sodium_memzero(hex, sizeof(hex));
    if (rc)
        unlink(path);
    return rc;
}

int
gg_key_load(const char *path, struct gg_keys *keys, struct gg_err *err)
{
    unsigned char master[GG_KEY_BYTES];
    char hex[GG_KEY_BYTES * 2 + 8];
    struct stat st;
    size_t bin_len = 0;
    ssize_t n;
    int fd, rc = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return gg_failf(err, GG_EINVAL, "key_file", MSG_KEY_FILE, "%s (%s)",
                        path, strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return gg_failf(err, GG_EINVAL, "key_file", MSG_KEY_FILE, "%s", path);
    }
    if (st.st_mode & 077) {
        close(fd);
        return gg_failf(err, GG_EINVAL, "key_file", MSG_KEY_FILE_MODE, "%s",
                        path);
    }
    n = read(fd, hex, sizeof(hex) - 1);
    close(fd);
    if (n < GG_KEY_BYTES * 2)
        return gg_failf(err, GG_EINVAL, "key_file", MSG_KEY_FILE, "%s", path);
    hex[n] = '\0';
    if (sodium_hex2bin(master, sizeof(master), hex, (size_t)n, "\n", &bin_len,
                       NULL) < 0 ||
        bin_len != sizeof(master)) {
        rc = gg_failf(err, GG_EINVAL, "key_file", MSG_KEY_FILE, "%s", path);
        goto out;
    }
    crypto_kdf_derive_from_key(keys->seal, sizeof(keys->seal), SUBKEY_SEAL,
                               KDF_CONTEXT, master);
    crypto_kdf_derive_from_key(keys->blind, sizeof(keys->blind), SUBKEY_BLIND,
                               KDF_CONTEXT, master);
    crypto_kdf_derive_from_key(keys->audit, sizeof(keys->audit), SUBKEY_AUDIT,
                               KDF_CONTEXT, master);
out:
    sodium_memzero(master, sizeof(master));
    sodium_memzero(hex, sizeof(hex));
    return rc;
}

void
gg_keys_wipe(struct gg_keys *keys)
{
    sodium_memzero(keys, sizeof(*keys));
}

void
gg_seal(const struct gg_keys *k, const char *ad, const void *plain, size_t len,
        unsigned char *out)
{
    /* Nonces are random (192 bits: no counter to keep), drawn from a
     * per-thread pool refilled 32 at a time: one system call instead of one
     * per seal, which an import of a million persons feels. */
    enum { NPUB = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES };
    static __thread unsigned char pool[32 * NPUB];
    static __thread size_t left;
    unsigned char *nonce = out;

    if (!left) {
        randombytes_buf(pool, sizeof(pool));
        left = sizeof(pool);
    }
    memcpy(nonce, pool + sizeof(pool) - left, NPUB);
    sodium_memzero(pool + sizeof(pool) - left, NPUB);
    left -= NPUB;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, plain, len,
        (const unsigned char *)ad, strlen(ad), NULL, nonce, k->seal);
}

int
gg_unseal(const struct gg_keys *k, const char *ad, const unsigned char *in,
          size_t len, char *out)
{
    unsigned long long plain_len = 0;

    if (len < GG_SEAL_OVERHEAD)
        return GG_EINTERNAL;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            (unsigned char *)out, &plain_len, NULL,
            in + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
            len - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
            (const unsigned char *)ad, strlen(ad), in, k->seal) < 0)
        return GG_EINTERNAL;
    out[plain_len] = '\0';
    return 0;
}

void
gg_blind(const struct gg_keys *k, const char *domain, const void *plain,
         size_t len, unsigned char out[GG_BLIND_BYTES])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, k->blind, sizeof(k->blind), GG_BLIND_BYTES);
    crypto_generichash_update(&st, (const unsigned char *)domain,
                              strlen(domain) + 1);
    crypto_generichash_update(&st, plain, len);
    crypto_generichash_final(&st, out, GG_BLIND_BYTES);
}

void
gg_random_bytes(void *out, size_t n)
{
    randombytes_buf(out, n);
}

uint32_t
gg_random_uniform(uint32_t upper)
{
    return randombytes_uniform(upper);
}

void
gg_wipe(void *p, size_t n)
{
    sodium_memzero(p, n);
}

void
gg_token_new(char out[GG_TOKEN_CHARS + 1])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, GG_TOKEN_CHARS + 1, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

void
gg_token_hash(const char *token, char out[GG_TOKEN_HASH_HEX + 1])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)token,
                       strlen(token), NULL, 0);
    sodium_bin2hex(out, GG_TOKEN_HASH_HEX + 1, h, sizeof(h));
}

void
gg_mac_parts(const unsigned char key[GG_KEY_BYTES], const char *const *parts,
             size_t n, char out[GG_TOKEN_HASH_HEX + 1])
{
    crypto_generichash_state st;
    unsigned char h[32];

    crypto_generichash_init(&st, key, GG_KEY_BYTES, sizeof(h));
    for (size_t i = 0; i < n; i++) {
        const char *p = parts[i] ? parts[i] : "";
        uint64_t len = strlen(p);
        unsigned char le[8];
        for (int b = 0; b < 8; b++)
            le[b] = (unsigned char)(len >> (8 * b));
        crypto_generichash_update(&st, le, sizeof(le));
        crypto_generichash_update(&st, (const unsigned char *)p, len);
    }
    crypto_generichash_final(&st, h, sizeof(h));
    sodium_bin2hex(out, GG_TOKEN_HASH_HEX + 1, h, sizeof(h));
}

int
gg_str_equal_ct(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return 0;
    return sodium_memcmp(a, b, la) == 0;
}

int
gg_password_hash(const char *password, const struct gg_pwhash_cost *cost,
                 char out[GG_PWHASH_MAX])
{
    if (crypto_pwhash_str_alg(out, password, strlen(password), cost->ops,
                              cost->mem, crypto_pwhash_ALG_ARGON2ID13) < 0)
        return GG_EINTERNAL;
    return 0;
}

int
gg_password_verify(const char *stored, const char *password)
{
    return crypto_pwhash_str_verify(stored, password, strlen(password)) == 0
               ? 0
               : GG_EUNAUTH;
}
