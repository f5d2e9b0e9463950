/* test_core.c - buffers, arenas, parsing, JSON, messages, configuration. */
#include "unit.h"

#include "core/gg_buf.h"
#include "core/gg_config.h"
#include "core/gg_crypto.h"
#include "core/gg_json.h"
#include "core/gg_mem.h"
#include "core/gg_msg.h"
#include "core/gg_parse.h"

#include <sys/stat.h>
#include <unistd.h>

static void
buf_respects_cap(void **state)
{
    struct gg_buf b = GG_BUF_INIT(8);
    (void)state;
    assert_string_equal(b.data, "");
    assert_int_equal(gg_buf_adds(&b, "1234"), 0);
    assert_int_equal(gg_buf_addf(&b, "%d", 5678), 0);
    assert_string_equal(b.data, "12345678");
    assert_int_equal(gg_buf_adds(&b, "9"), GG_ETOOBIG);
    assert_string_equal(b.data, "12345678"); /* unchanged on failure */
    gg_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(gg_buf_addf(&b, "%s", "abcdefghi"), GG_ETOOBIG);
    gg_buf_release(&b);
}

static void
buf_grows_past_format_scratch(void **state)
{
    struct gg_buf b = GG_BUF_INIT(1 << 20);
    char big[1000];
    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(gg_buf_addf(&b, "<%s>", big), 0);
    assert_int_equal(b.len, 1001);
    assert_int_equal(b.data[1000], '>');
    gg_buf_release(&b);
}

static int hook_runs;

static void
hook(void *arg)
{
    hook_runs += *(int *)arg;
}

static void
arena_allocates_and_cleans_up(void **state)
{
    struct gg_arena *a = gg_arena_new(256);
    static int one = 1;
    char *big;
    (void)state;
    for (int i = 0; i < 1000; i++) {
        int *p = gg_arena_alloc(a, sizeof(int) * 3);
        assert_int_equal(p[0] | p[1] | p[2], 0);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
    }
    big = gg_arena_alloc(a, 100000);
    big[99999] = 'x';
    assert_string_equal(gg_arena_printf(a, "%s-%d", "a", 7), "a-7");
    assert_string_equal(gg_arena_strndup(a, "abcdef", 3), "abc");
    hook_runs = 0;
    gg_arena_on_free(a, hook, &one);
    gg_arena_on_free(a, hook, &one);
    gg_arena_free(a);
    assert_int_equal(hook_runs, 2);
    gg_arena_free(NULL);
}

static void
utf8_validation(void **state)
{
    (void)state;
    assert_true(gg_utf8_valid("网格abc", strlen("网格abc")));
    assert_false(gg_utf8_valid("\xc0\xaf", 2));         /* overlong */
    assert_false(gg_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(gg_utf8_valid("\xe7\xbd", 2));         /* truncated */
    assert_false(gg_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_true(gg_utf8_valid("\xf0\x9f\x98\x80", 4));  /* emoji */
    assert_int_equal(gg_utf8_len("网格a", strlen("网格a")), 3);
    assert_true(gg_has_controls("a\x01", 2, 1));
    assert_false(gg_has_controls("a\nb", 3, 1));
    assert_true(gg_has_controls("a\nb", 3, 0));
}

static void
integers_are_strict(void **state)
{
    int64_t v;
    int b;
    (void)state;
    assert_int_equal(gg_parse_i64("42", 0, 100, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(gg_parse_i64("-3", -5, 5, &v), 0);
    assert_int_equal(gg_parse_i64("101", 0, 100, &v), GG_EINVAL);
    assert_int_equal(gg_parse_i64("12x", 0, 100, &v), GG_EINVAL);
    assert_int_equal(gg_parse_i64(" 1", 0, 100, &v), GG_EINVAL);
    assert_int_equal(gg_parse_i64("", 0, 100, &v), GG_EINVAL);
    assert_int_equal(gg_parse_i64("99999999999999999999", 0, INT64_MAX, &v),
                     GG_EINVAL);
    assert_int_equal(gg_parse_bool("on", &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(gg_parse_bool("maybe", &b), GG_EINVAL);
}

static void
accept_headers(void **state)
{
    (void)state;
    assert_int_equal(gg_lang_from_accept(NULL), GG_LANG_ZH);
    assert_int_equal(gg_lang_from_accept("en"), GG_LANG_EN);
    assert_int_equal(gg_lang_from_accept("en-US,en;q=0.9"), GG_LANG_EN);
    assert_int_equal(gg_lang_from_accept("zh-CN,zh;q=0.9,en;q=0.8"),
                     GG_LANG_ZH);
    assert_int_equal(gg_lang_from_accept("en;q=0.5, zh-CN"), GG_LANG_ZH);
    assert_int_equal(gg_lang_from_accept("fr, en;q=0.3"), GG_LANG_EN);
    assert_int_equal(gg_lang_from_accept("fr"), GG_LANG_ZH);
    assert_int_equal(gg_lang_from_accept("english"), GG_LANG_ZH);
    assert_int_equal(gg_accept_q("gzip, deflate, br", "gzip"), 1000);
    assert_int_equal(gg_accept_q("gzip;q=0", "gzip"), 0);
    assert_int_equal(gg_accept_q("deflate", "gzip"), -1);
    assert_int_equal(gg_accept_q("gzip;q=0.25", "gzip"), 250);
}

static void
json_limits(void **state)
{
    json_t *j = NULL;
    struct gg_err err;
    const char *s;
    static const char *const allowed[] = {"a", NULL};
    (void)state;

    assert_int_equal(gg_json_depth("[[[]]]", 6), 3);
    assert_int_equal(gg_json_depth("{\"[[[\":1}", 9), 1); /* strings skipped */
    assert_int_equal(gg_json_parse("[[[1]]]", 7, 2, &j, &err), GG_EINVAL);
    assert_int_equal(err.msg, MSG_JSON_TOO_DEEP);
    assert_int_equal(gg_json_parse("{\"a\":1,\"a\":2}", 13, 8, &j, &err),
                     GG_EINVAL);
    assert_int_equal(gg_json_parse("{\"a\":\"\\u0000\"}", 14, 8, &j, &err),
                     GG_EINVAL);
    assert_int_equal(gg_json_parse("{\"a\":\"\xff\"}", 9, 8, &j, &err),
                     GG_EINVAL);
    assert_int_equal(gg_json_parse("{} x", 4, 8, &j, &err), GG_EINVAL);
    assert_int_equal(gg_json_parse("{\"a\":\"网格\"}", 14, 8, &j, &err), 0);
    assert_int_equal(gg_json_get_str(j, "a", 2, GG_JSON_REQUIRED, &s, &err),
                     0);
    assert_string_equal(s, "网格");
    assert_int_equal(gg_json_get_str(j, "a", 1, GG_JSON_REQUIRED, &s, &err),
                     GG_EINVAL);
    assert_string_equal(err.field, "a");
    assert_int_equal(gg_json_get_str(j, "b", 9, GG_JSON_REQUIRED, &s, &err),
                     GG_EINVAL);
    assert_int_equal(err.msg, MSG_FIELD_REQUIRED);
    assert_int_equal(gg_json_get_str(j, "b", 9, GG_JSON_OPTIONAL, &s, &err),
                     0);
    assert_null(s);
    assert_int_equal(gg_json_only_keys(j, allowed, &err), 0);
    json_decref(j);
    assert_int_equal(gg_json_parse("{\"a\":1,\"zz\":2}", 14, 8, &j, &err), 0);
    assert_int_equal(gg_json_only_keys(j, allowed, &err), GG_EINVAL);
    assert_string_equal(err.field, "zz");
    assert_int_equal(gg_json_get_str(j, "a", 9, GG_JSON_REQUIRED, &s, &err),
                     GG_EINVAL);
    assert_int_equal(err.msg, MSG_FIELD_STRING);
    json_decref(j);
}

static void
messages_complete(void **state)
{
    char out[256];
    (void)state;
    for (int id = 1; id < MSG__COUNT; id++) {
        assert_true(strlen(gg_msg(GG_LANG_ZH, (enum gg_msg_id)id)) > 0);
        assert_true(strlen(gg_msg(GG_LANG_EN, (enum gg_msg_id)id)) > 0);
        /* Both languages take the same arguments. */
        assert_int_equal(
            strstr(gg_msg(GG_LANG_ZH, (enum gg_msg_id)id), "{}") != NULL,
            strstr(gg_msg(GG_LANG_EN, (enum gg_msg_id)id), "{}") != NULL);
    }
    gg_msg_format(out, sizeof(out), GG_LANG_EN, MSG_BODY_TOO_LARGE, "10");
    assert_string_equal(out, "The request body exceeds the limit of 10 bytes");
    gg_msg_format(out, 8, GG_LANG_EN, MSG_BODY_TOO_LARGE, "10");
    assert_int_equal(strlen(out), 7);
}

static void
error_field_never_splits_utf8(void **state)
{
    struct gg_err err;
    char field[200] = "";
    (void)state;
    for (int i = 0; i < 40; i++)
        snprintf(field + strlen(field), sizeof(field) - strlen(field), "网");
    gg_fail(&err, GG_EINVAL, field, MSG_FIELD_UNKNOWN);
    assert_true(gg_utf8_valid(err.field, strlen(err.field)));
    assert_true(strlen(err.field) > 0);
    assert_string_equal(gg_code_name(GG_ENOTFOUND), "not_found");
    assert_string_equal(gg_code_name(42), "internal");
}

static void
config_values_are_checked(void **state)
{
    struct gg_config c;
    struct gg_err err;
    char path[] = "/tmp/gg_conf_XXXXXX";
    int fd;
    FILE *f;
    (void)state;

    gg_config_defaults(&c);
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_int_equal(gg_config_set(&c, "threads", "4", &err), 0);
    assert_int_equal(c.threads, 4);
    assert_int_equal(gg_config_set(&c, "threads", "-1", &err), GG_EINVAL);
    assert_int_equal(gg_config_set(&c, "nope", "1", &err), GG_EINVAL);
    assert_int_equal(err.msg, MSG_CONFIG_KEY);
    assert_int_equal(gg_config_set(&c, "access_log", "no", &err), 0);
    assert_int_equal(c.access_log, 0);

    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fputs("# comment\n  db = /tmp/x.db  \n\nmax_body_bytes=2048\n", f);
    fclose(f);
    assert_int_equal(gg_config_load(&c, path, &err), 0);
    assert_string_equal(c.db, "/tmp/x.db");
    assert_int_equal(c.max_body_bytes, 2048);
    assert_int_equal(gg_config_finish(&c, &err), 0);
    assert_string_equal(c.key_file, "/tmp/x.db.key");
    f = fopen(path, "w");
    fputs("db = a\nthis line is wrong\n", f);
    fclose(f);
    assert_int_equal(gg_config_load(&c, path, &err), GG_EINVAL);
    assert_int_equal(err.msg, MSG_CONFIG_SYNTAX);
    assert_string_equal(err.arg, "2");
    unlink(path);
    assert_int_equal(gg_config_load(&c, path, &err), GG_EINVAL);
    assert_int_equal(err.msg, MSG_CONFIG_READ);
    assert_int_equal(gg_config_set(&c, "session_idle_s", "90000", &err),
                     GG_EINVAL);
}

static void
crypto_round_trip(void **state)
{
    char path[] = "/tmp/gg_key_XXXXXX";
    struct gg_keys k;
    struct gg_err err;
    unsigned char sealed[64], b1[GG_BLIND_BYTES], b2[GG_BLIND_BYTES];
    char plain[32], token[GG_TOKEN_CHARS + 1], hash[GG_PWHASH_MAX];
    int fd;
    (void)state;

    fd = mkstemp(path);
    close(fd);
    unlink(path);
    assert_int_equal(gg_key_create(path, &err), 0);
    assert_int_equal(gg_key_create(path, &err), GG_EINVAL); /* exists */
    assert_int_equal(gg_key_load(path, &k, &err), 0);
    gg_seal(&k, "person.phone", "13800138000", 11, sealed);
    assert_int_equal(gg_unseal(&k, "person.phone", sealed,
                               11 + GG_SEAL_OVERHEAD, plain),
                     0);
    assert_string_equal(plain, "13800138000");
    /* bound to its place: another field's label does not open it */
    assert_int_not_equal(gg_unseal(&k, "person.id_no", sealed,
                                   11 + GG_SEAL_OVERHEAD, plain),
                         0);
    gg_blind(&k, "person.phone", "13800138000", 11, b1);
    gg_blind(&k, "person.phone", "13800138000", 11, b2);
    assert_memory_equal(b1, b2, GG_BLIND_BYTES);
    gg_blind(&k, "person.id_no", "13800138000", 11, b2);
    assert_memory_not_equal(b1, b2, GG_BLIND_BYTES);
    chmod(path, 0644);
    assert_int_equal(gg_key_load(path, &k, &err), GG_EINVAL);
    assert_int_equal(err.msg, MSG_KEY_FILE_MODE);
    unlink(path);

    gg_token_new(token);
    assert_int_equal(strlen(token), GG_TOKEN_CHARS);
    assert_true(gg_str_equal_ct(token, token));
    assert_false(gg_str_equal_ct(token, "x"));
    {
        struct gg_pwhash_cost cheap = {1, 8192};
        assert_int_equal(gg_password_hash("correct horse", &cheap, hash), 0);
        assert_int_equal(gg_password_verify(hash, "correct horse"), 0);
        assert_int_equal(gg_password_verify(hash, "wrong"), GG_EUNAUTH);
        assert_non_null(strstr(hash, "$argon2id$"));
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_respects_cap),
        cmocka_unit_test(buf_grows_past_format_scratch),
        cmocka_unit_test(arena_allocates_and_cleans_up),
        cmocka_unit_test(utf8_validation),
        cmocka_unit_test(integers_are_strict),
        cmocka_unit_test(accept_headers),
        cmocka_unit_test(json_limits),
        cmocka_unit_test(messages_complete),
        cmocka_unit_test(error_field_never_splits_utf8),
        cmocka_unit_test(config_values_are_checked),
        cmocka_unit_test(crypto_round_trip),
    };
    if (gg_crypto_init())
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
