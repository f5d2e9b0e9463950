/* test_store.c - the store interface on a real SQLite file. */
#include "unit.h"

#include "core/gg_crypto.h"
#include "domain/pii.h"
#include "store/store.h"

#include <unistd.h>

struct fixture {
    char path[64];
    struct store *s;
    struct gg_arena *a;
};

static int
setup(void **state)
{
    struct fixture *f = gg_xcalloc(1, sizeof(*f));
    struct gg_err err;
    int from, to, fd;

    snprintf(f->path, sizeof(f->path), "/tmp/gg_store_XXXXXX");
    fd = mkstemp(f->path);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(f->path);
    if (store_open(&f->s, f->path, STORE_OPEN_CREATE, NULL, &err) ||
        store_migrate(f->s, &from, &to, &err))
        return -1;
    f->a = gg_arena_new(4096);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char path[80];

    store_close(&f->s);
    gg_arena_free(f->a);
    unlink(f->path);
    snprintf(path, sizeof(path), "%s-wal", f->path);
    unlink(path);
    snprintf(path, sizeof(path), "%s-shm", f->path);
    unlink(path);
    free(f);
    return 0;
}

static void
add_node(struct store *s, const char *code, const char *parent,
         enum store_node_level level, const char *name)
{
    struct store_node n = {0};
    struct gg_err err;
    n.code = code;
    n.parent_code = parent;
    n.level = level;
    n.name = name;
    assert_int_equal(store_node_insert(s, &n, 1700000000, &err), 0);
}

static void
missing_file_is_not_created(void **state)
{
    struct store *s = NULL;
    struct gg_err err;
    (void)state;
    assert_int_equal(store_open(&s, "/tmp/gg_no_such_dir/x.db", 0, NULL, &err),
                     GG_ENOTFOUND);
    assert_int_equal(err.msg, MSG_DB_NOT_FOUND);
    assert_null(s);
    store_close(&s); /* NULL-safe */
}

static void
migrations_are_idempotent(void **state)
{
    struct fixture *f = *state;
    struct gg_err err;
    struct gg_buf report = GG_BUF_INIT(4096);
    int from, to, v;

    assert_int_equal(store_migrate(f->s, &from, &to, &err), 0);
    assert_int_equal(from, to);
    assert_int_equal(store_schema_version(f->s, &v, &err), 0);
    assert_int_equal(v, store_schema_latest(f->path));
    assert_int_equal(store_check(f->s, &report, &err), 0);
    assert_int_equal(report.len, 0);
    gg_buf_release(&report);
}

static void
scope_is_a_prefix(void **state)
{
    struct fixture *f = *state;
    struct gg_err err;
    struct store_node *n, *kids;
    size_t count;
    const char *street[] = {"370902001"};
    const char *grid[] = {"370902001007001"};
    const char *none[] = {"x' OR 1=1 --"};
    struct store_scope street_scope = {street, 1}, grid_scope = {grid, 1},
                       bad_scope = {none, 1};

    add_node(f->s, "370902", NULL, NODE_DISTRICT, "泰山区");
    add_node(f->s, "370902001", "370902", NODE_STREET, "岱庙街道");
    add_node(f->s, "370902002", "370902", NODE_STREET, "财源街道");
    add_node(f->s, "370902001007", "370902001", NODE_COMMUNITY, "东湖社区");
    add_node(f->s, "370902001007001", "370902001007", NODE_GRID, "一网格");
    add_node(f->s, "370902001007002", "370902001007", NODE_GRID, "二网格");

    assert_int_equal(store_node_get(f->s, &street_scope, "370902001007", f->a,
                                    &n, &err),
                     0);
    assert_string_equal(n->name, "东湖社区");
    assert_int_equal(n->child_count, 2);
    /* Outside scope reads exactly like missing. */
    assert_int_equal(store_node_get(f->s, &street_scope, "370902002", f->a, &n,
                                    &err),
                     GG_ENOTFOUND);
    assert_int_equal(store_node_get(f->s, &street_scope, "370902", f->a, &n,
                                    &err),
                     GG_ENOTFOUND);
    assert_int_equal(store_node_children(f->s, &street_scope, "370902", f->a,
                                         &kids, &count, &err),
                     0);
    assert_int_equal(count, 1);
    assert_string_equal(kids[0].code, "370902001");
    assert_int_equal(store_node_children(f->s, &grid_scope, "370902001007",
                                         f->a, &kids, &count, &err),
                     0);
    assert_int_equal(count, 1);
    assert_string_equal(kids[0].code, "370902001007001");
    assert_int_equal(store_node_children(f->s, &bad_scope, "370902", f->a,
                                         &kids, &count, &err),
                     0);
    assert_int_equal(count, 0);
    /* The schema refuses a child that does not extend its parent's code. */
    {
        struct store_node bad = {.code = "370903001",
                                 .parent_code = "370902",
                                 .level = NODE_STREET,
                                 .name = "x"};
        assert_int_equal(store_node_insert(f->s, &bad, 1, &err), GG_EINVAL);
        struct store_node dup = {.code = "370902001",
                                 .parent_code = "370902",
                                 .level = NODE_STREET,
                                 .name = "dup"};
        assert_int_equal(store_node_insert(f->s, &dup, 1, &err), GG_ECONFLICT);
    }
}

static void
accounts_and_sessions(void **state)
{
    struct fixture *f = *state;
    struct gg_err err;
    struct store_account acct = {0}, *got;
    struct store_session sess = {0}, *sg;
    struct store_role *roles;
    size_t n;
    int64_t id;

    add_node(f->s, "350702", NULL, NODE_DISTRICT, "延平区");
    acct.username = "cs_admin";
    acct.display_name = "陈美玲";
    acct.password_hash = "$argon2id$placeholder";
    assert_int_equal(store_account_insert(f->s, &acct, 10, &id, &err), 0);
    assert_int_equal(store_account_insert(f->s, &acct, 10, &id, &err),
                     GG_ECONFLICT);
    assert_int_equal(store_role_grant(f->s, id, "district_admin", "350702", 10,
                                      &err),
                     0);
    assert_int_equal(store_role_grant(f->s, id, "district_admin", "999999", 10,
                                      &err),
                     GG_EINVAL); /* foreign key: no such node */
    assert_int_equal(store_account_by_username(f->s, "cs_admin", f->a, &got,
                                               &err),
                     0);
    assert_string_equal(got->display_name, "陈美玲");
    assert_int_equal(store_account_by_username(f->s, "nobody", f->a, &got,
                                               &err),
                     GG_ENOTFOUND);
    assert_int_equal(store_account_roles(f->s, id, f->a, &roles, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(roles[0].node_name, "延平区");
    assert_int_equal(roles[0].node_level, NODE_DISTRICT);

    sess.token_hash = "aa";
    sess.account_id = id;
    sess.csrf_token = "csrf";
    sess.created_at = 100;
    sess.last_seen_at = 100;
    sess.expires_at = 200;
    assert_int_equal(store_session_insert(f->s, &sess, &err), 0);
    assert_int_equal(store_session_get(f->s, "aa", 150, f->a, &sg, &err), 0);
    assert_int_equal(sg->account_id, id);
    assert_int_equal(store_session_get(f->s, "aa", 200, f->a, &sg, &err),
                     GG_ENOTFOUND); /* expired */
    assert_int_equal(store_session_touch(f->s, "aa", 160, &err), 0);
    assert_int_equal(store_session_get(f->s, "aa", 170, f->a, &sg, &err), 0);
    assert_int_equal(sg->last_seen_at, 160);
    assert_int_equal(store_session_delete(f->s, "aa", &err), 0);
    assert_int_equal(store_session_get(f->s, "aa", 150, f->a, &sg, &err),
                     GG_ENOTFOUND);
}

static void
persons_are_sealed_and_unique(void **state)
{
    struct fixture *f = *state;
    struct gg_err err;
    struct gg_keys keys;
    struct store_person p = {0};
    const char *tags[] = {"高龄", "独居"};
    char key_path[80];
    int64_t id, nodes, persons;

    snprintf(key_path, sizeof(key_path), "%s.key", f->path);
    assert_int_equal(gg_key_create(key_path, &err), 0);
    assert_int_equal(gg_key_load(key_path, &keys, &err), 0);
    unlink(key_path);

    add_node(f->s, "350702", NULL, NODE_DISTRICT, "延平区");
    p.node_code = "350702";
    p.name = "林秀英";
    p.sex = "2";
    p.residence = "permanent";
    p.tags = tags;
    p.n_tags = 2;
    pii_seal(&keys, PII_ID_NO, "11010519491231002X", f->a, &p.id_no);
    pii_seal(&keys, PII_PHONE, "13812345678", f->a, &p.phone);
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_person_insert(f->s, &p, 1, &id, &err), 0);
    assert_int_equal(store_commit(f->s, &err), 0);
    /* The same ID number again is a conflict, through the blind index. */
    pii_seal(&keys, PII_ID_NO, "11010519491231002X", f->a, &p.id_no);
    assert_int_equal(store_person_insert(f->s, &p, 1, &id, &err),
                     GG_ECONFLICT);
    assert_int_equal(store_count_roots(f->s, &nodes, &persons, &err), 0);
    assert_int_equal(persons, 1);
    /* A rolled-back transaction leaves nothing behind. */
    assert_int_equal(store_begin(f->s, &err), 0);
    pii_seal(&keys, PII_ID_NO, "110105194912310029", f->a, &p.id_no);
    assert_int_equal(store_person_insert(f->s, &p, 1, &id, &err), 0);
    assert_int_equal(store_rollback(f->s, &err), 0);
    assert_int_equal(store_count_roots(f->s, &nodes, &persons, &err), 0);
    assert_int_equal(persons, 1);
    gg_keys_wipe(&keys);
}

static void
file_holds_no_plain_personal_data(void **state)
{
    struct fixture *f = *state;
    FILE *fp;
    char *data;
    long size;
    (void)state;

    persons_are_sealed_and_unique(state);
    store_close(&f->s); /* checkpoint the WAL into the file */
    fp = fopen(f->path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    data = gg_xmalloc((size_t)size);
    assert_int_equal(fread(data, 1, (size_t)size, fp), (size_t)size);
    fclose(fp);
    assert_null(memmem(data, (size_t)size, "11010519491231002X", 18));
    assert_null(memmem(data, (size_t)size, "13812345678", 11));
    assert_non_null(memmem(data, (size_t)size, "138****5678", 11));
    free(data);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(missing_file_is_not_created),
        cmocka_unit_test_setup_teardown(migrations_are_idempotent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(scope_is_a_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(accounts_and_sessions, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(persons_are_sealed_and_unique, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(file_holds_no_plain_personal_data,
                                        setup, teardown),
    };
    if (gg_crypto_init())
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
