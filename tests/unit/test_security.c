/* test_security.c - SHA-1/HMAC and TOTP against the RFCs' vectors, the
 * password rule, base32, grants, and the audit chain on a real store. */
#include "unit.h"

#include "core/gg_crypto.h"
#include "core/gg_parse.h"
#include "core/gg_sha1.h"
#include "domain/account.h"
#include "domain/audit.h"
#include "domain/password.h"
#include "domain/totp.h"

#include <sys/stat.h>
#include <unistd.h>

static void
hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void
sha1_vectors(void **state)
{
    unsigned char d[GG_SHA1_BYTES];
    char h[41];
    (void)state;
    gg_sha1("abc", 3, d); /* FIPS 180 */
    hex(d, 20, h);
    assert_string_equal(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
    gg_sha1("", 0, d);
    hex(d, 20, h);
    assert_string_equal(h, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    gg_sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
    hex(d, 20, h);
    assert_string_equal(h, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    /* RFC 2202 test case 2 */
    gg_hmac_sha1("Jefe", 4, "what do ya want for nothing?", 28, d);
    hex(d, 20, h);
    assert_string_equal(h, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

static void
totp_rfc6238(void **state)
{
    static const unsigned char seed[] = "12345678901234567890";
    /* RFC 6238 appendix B, SHA1 column, last 6 digits. */
    static const struct {
        uint64_t t;
        uint32_t code;
    } v[] = {{59, 287082},         {1111111109, 81804},
             {1111111111, 50471},  {1234567890, 5924},
             {2000000000, 279037}, {20000000000ull, 353130}};
    char code[8];
    (void)state;
    for (size_t i = 0; i < GG_ARRAY_LEN(v); i++)
        assert_int_equal(totp_code(seed, 20, v[i].t / 30), v[i].code);
    snprintf(code, sizeof(code), "%06u", totp_code(seed, 20, 1234567890 / 30));
    assert_int_equal(totp_match(seed, 20, code, 1234567890, 0),
                     1234567890 / 30);
    /* one step either side is accepted, two is not */
    assert_int_equal(totp_match(seed, 20, code, 1234567890 + 30, 0),
                     1234567890 / 30);
    assert_int_equal(totp_match(seed, 20, code, 1234567890 + 60, 0), -1);
    /* a used step is never accepted again */
    assert_int_equal(totp_match(seed, 20, code, 1234567890, 1234567890 / 30),
                     -1);
    assert_int_equal(totp_match(seed, 20, "12345", 1234567890, 0), -1);
    assert_int_equal(totp_match(seed, 20, "12345a", 1234567890, 0), -1);
}

static void
base32_round_trip(void **state)
{
    unsigned char raw[20], back[32];
    char b32[40];
    (void)state;
    gg_base32_encode((const unsigned char *)"foobar", 6, b32, sizeof(b32));
    assert_string_equal(b32, "MZXW6YTBOI"); /* RFC 4648 */
    gg_random_bytes(raw, sizeof(raw));
    gg_base32_encode(raw, sizeof(raw), b32, sizeof(b32));
    assert_int_equal(strlen(b32), 32);
    assert_int_equal(gg_base32_decode(b32, back, sizeof(back)), 20);
    assert_memory_equal(raw, back, 20);
    assert_int_equal(gg_base32_decode("mzxw 6ytb oi", back, sizeof(back)), 6);
    assert_int_equal(gg_base32_decode("MZ1W", back, sizeof(back)), -1);
}

static void
password_rule(void **state)
{
    struct password_policy pol = {12, 3, 90};
    struct gg_err err;
    char gen[17];
    (void)state;
    assert_int_equal(password_check("Tai-Shan-2026", "wang", 1, &pol, "pw",
                                     &err),
                     0);
    assert_int_equal(password_check("short1A!", "wang", 1, &pol, "pw", &err),
                     GG_EINVAL);
    assert_int_equal(err.msg, MSG_PASSWORD_SHORT);
    assert_string_equal(err.field, "pw");
    assert_int_equal(password_check("Password@123", "x", 0, &pol, "pw", &err),
                     GG_EINVAL);
    assert_int_equal(err.msg, MSG_PASSWORD_COMMON);
    assert_int_equal(password_check("aaaaaaaaaaaaaaa", "x", 0, &pol, "pw",
                                    &err),
                     GG_EINVAL);
    assert_int_equal(password_check("1234567890123456", "x", 0, &pol, "pw",
                                    &err),
                     GG_EINVAL);
    assert_int_equal(password_check("my-wang.jianguo-pw", "wang.jianguo", 0,
                                    &pol, "pw", &err),
                     GG_EINVAL);
    assert_int_equal(err.msg, MSG_PASSWORD_USERNAME);
    /* a long lower-case passphrase suits a resident, not staff */
    assert_int_equal(password_check("dongnu shequ hao", "x", 0, &pol, "pw",
                                    &err),
                     0);
    assert_int_equal(password_check("dongnu shequ hao", "x", 1, &pol, "pw",
                                    &err),
                     GG_EINVAL);
    assert_int_equal(err.msg, MSG_PASSWORD_CLASSES);
    assert_int_equal(password_check("网格员的密码足够长了吗", "x", 0, &pol,
                                    "pw", &err),
                     GG_EINVAL); /* 11 characters, however many bytes */
    for (int i = 0; i < 200; i++) {
        password_generate(gen);
        assert_int_equal(strlen(gen), 16);
        assert_int_equal(password_check(gen, "x", 1, &pol, "pw", &err), 0);
    }
}

static void
grants_separate_admin_duties(void **state)
{
    struct gg_err err;
    struct account_grant ok[] = {{"grid_worker", "370902001007001"},
                                 {"community_worker", "370902001007"}};
    struct account_grant two_duties[] = {{"sys_admin", "370902"},
                                         {"audit_admin", "370902"}};
    struct account_grant mixed[] = {{"sec_admin", "370902"},
                                    {"grid_worker", "370902001007001"}};
    struct account_grant same_duty[] = {{"sec_admin", "370902"},
                                        {"sec_admin", "350702"}};
    struct account_grant low[] = {{"street_center", "370902001007"}};
    struct account_grant bad[] = {{"root", "370902"}};
    (void)state;
    assert_int_equal(account_grants_check(ok, 2, "roles", &err), 0);
    assert_int_equal(account_grants_check(two_duties, 2, "roles", &err),
                     GG_EINVAL);
    assert_int_equal(err.msg, MSG_ROLES_ADMIN_COMBINED);
    assert_int_equal(account_grants_check(mixed, 2, "roles", &err), GG_EINVAL);
    assert_int_equal(account_grants_check(same_duty, 2, "roles", &err), 0);
    assert_int_equal(account_grants_check(low, 1, "roles", &err), GG_EINVAL);
    assert_int_equal(err.msg, MSG_ROLE_LEVEL);
    assert_int_equal(account_grants_check(bad, 1, "roles", &err), GG_EINVAL);
    assert_int_equal(err.msg, MSG_ROLE_UNKNOWN);
}

struct fixture {
    char dir[64], db[96], key[96];
    struct store *s;
    struct gg_keys keys;
};

static int
setup(void **state)
{
    struct fixture *f = gg_xcalloc(1, sizeof(*f));
    struct gg_err err;
    int from, to;

    snprintf(f->dir, sizeof(f->dir), "/tmp/gg_audit_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->db, sizeof(f->db), "%s/a.db", f->dir);
    snprintf(f->key, sizeof(f->key), "%s/a.key", f->dir);
    if (store_open(&f->s, f->db, STORE_OPEN_CREATE, NULL, &err) ||
        store_migrate(f->s, &from, &to, &err) ||
        gg_key_create(f->key, &err) || gg_key_load(f->key, &f->keys, &err))
        return -1;
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[160];
    store_close(&f->s);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd))
        return -1;
    free(f);
    return 0;
}

static void
append(struct fixture *f, const char *action, int64_t at)
{
    struct audit_event ev = {7, "dh_admin", action, "account:7", "", "::1"};
    struct gg_err err;
    assert_int_equal(audit_record(f->s, &f->keys, &ev, at, &err), 0);
}

static void
audit_chain_detects_tampering(void **state)
{
    struct fixture *f = *state;
    struct gg_err err;
    int64_t checked, broken;
    struct gg_keys other;
    char path[128];

    for (int i = 0; i < 20; i++)
        append(f, "login.ok", 1000 + i);
    assert_int_equal(audit_verify(f->s, &f->keys, &checked, &broken, &err), 0);
    assert_int_equal(checked, 20);
    assert_int_equal(broken, 0);
    /* Another key cannot have written this chain. */
    snprintf(path, sizeof(path), "%s/b.key", f->dir);
    assert_int_equal(gg_key_create(path, &err), 0);
    assert_int_equal(gg_key_load(path, &other, &err), 0);
    assert_int_equal(audit_verify(f->s, &other, &checked, &broken, &err), 0);
    assert_int_equal(broken, 1);
    /* Edits are refused by the schema... */
    store_close(&f->s);
    {
        char cmd[256];
        snprintf(cmd, sizeof(cmd),
                 "sqlite3 '%s' \"UPDATE audit_log SET action='x' WHERE seq=5\" "
                 "2>/dev/null",
                 f->db);
        assert_int_not_equal(system(cmd), 0);
        /* ...and one who drops the guard is still caught by the chain. */
        snprintf(cmd, sizeof(cmd),
                 "sqlite3 '%s' \"DROP TRIGGER audit_log_no_update; UPDATE "
                 "audit_log SET actor='nobody' WHERE seq=5\"",
                 f->db);
        assert_int_equal(system(cmd), 0);
    }
    assert_int_equal(store_open(&f->s, f->db, 0, NULL, &err), 0);
    assert_int_equal(audit_verify(f->s, &f->keys, &checked, &broken, &err), 0);
    assert_int_equal(broken, 5);
    assert_int_equal(checked, 4);
}

static void
audit_archive_keeps_the_chain(void **state)
{
    struct fixture *f = *state;
    struct gg_err err;
    int64_t checked, broken, count;
    char path[256], line[1024];
    FILE *fp;
    int lines = 0;

    for (int i = 0; i < 30; i++)
        append(f, "login.ok", 1000 + i);
    /* Everything before t=1020 goes to a file, then leaves the database. */
    assert_int_equal(audit_archive(f->s, &f->keys, 1020, f->dir, &count, path,
                                   sizeof(path), &err),
                     0);
    assert_int_equal(count, 20);
    fp = fopen(path, "r");
    assert_non_null(fp);
    while (fgets(line, sizeof(line), fp))
        lines++;
    fclose(fp);
    assert_int_equal(lines, 20);
    assert_int_equal(audit_verify(f->s, &f->keys, &checked, &broken, &err), 0);
    assert_int_equal(checked, 10);
    assert_int_equal(broken, 0);
    /* New records continue the chain after the anchor. */
    append(f, "logout", 2000);
    assert_int_equal(audit_verify(f->s, &f->keys, &checked, &broken, &err), 0);
    assert_int_equal(checked, 11);
    assert_int_equal(broken, 0);
    /* Unarchived records cannot be deleted. */
    store_close(&f->s);
    {
        char cmd[256];
        snprintf(cmd, sizeof(cmd),
                 "sqlite3 '%s' \"DELETE FROM audit_log WHERE seq=25\" "
                 "2>/dev/null",
                 f->db);
        assert_int_not_equal(system(cmd), 0);
    }
    assert_int_equal(store_open(&f->s, f->db, 0, NULL, &err), 0);
    /* Archiving again with nothing old is a no-op. */
    assert_int_equal(audit_archive(f->s, &f->keys, 1020, f->dir, &count, path,
                                   sizeof(path), &err),
                     0);
    assert_int_equal(count, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha1_vectors),
        cmocka_unit_test(totp_rfc6238),
        cmocka_unit_test(base32_round_trip),
        cmocka_unit_test(password_rule),
        cmocka_unit_test(grants_separate_admin_duties),
        cmocka_unit_test_setup_teardown(audit_chain_detects_tampering, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(audit_archive_keeps_the_chain, setup,
                                        teardown),
    };
    if (gg_crypto_init())
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
