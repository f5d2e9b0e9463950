/* test_domain.c - ID numbers, credit codes, node codes, masks, roles. */
#include "unit.h"

#include "domain/account.h"
#include "domain/creditcode.h"
#include "domain/idcard.h"
#include "domain/node.h"
#include "domain/person.h"
#include "domain/pii.h"
#include "domain/registry.h"

static void
idcard_known_numbers(void **state)
{
    struct idcard_info info;
    struct gg_err err;
    (void)state;
    /* The example number printed in GB 11643 itself. */
    assert_int_equal(idcard_check("11010519491231002X", 20261123, &info,
                                  "id_no", &err),
                     0);
    assert_string_equal(info.birth_date, "1949-12-31");
    assert_int_equal(info.sex, '2');
    assert_int_equal(idcard_check_digit("11010519491231002"), 'X');
    assert_int_equal(idcard_check("110105194912310021", 20261123, NULL,
                                  "id_no", &err),
                     GG_EINVAL);
    assert_int_equal(err.msg, MSG_IDCARD_CHECK);
    assert_string_equal(err.field, "id_no");
    assert_int_equal(idcard_check("11010519491231002x", 20261123, NULL,
                                  "id_no", &err),
                     GG_EINVAL);
    assert_int_equal(err.msg, MSG_IDCARD_SHAPE);
    assert_int_equal(idcard_check("1101051949123100", 20261123, NULL, "id_no",
                                  &err),
                     GG_EINVAL);
}

static void
idcard_dates(void **state)
{
    char id[IDCARD_LEN + 1];
    struct gg_err err;
    (void)state;
    idcard_make("350702", 2000, 2, 29, 123, id); /* a leap day */
    assert_int_equal(idcard_check(id, 20261123, NULL, "id", &err), 0);
    idcard_make("350702", 1900, 2, 29, 123, id); /* not a leap year */
    assert_int_equal(idcard_check(id, 20261123, NULL, "id", &err), GG_EINVAL);
    assert_int_equal(err.msg, MSG_IDCARD_BIRTH);
    idcard_make("350702", 2027, 1, 1, 1, id); /* in the future */
    assert_int_equal(idcard_check(id, 20261123, NULL, "id", &err), GG_EINVAL);
    idcard_make("050702", 1980, 1, 1, 1, id);
    assert_int_equal(idcard_check(id, 20261123, NULL, "id", &err), GG_EINVAL);
    assert_int_equal(err.msg, MSG_IDCARD_REGION);
    assert_true(date_valid(2024, 2, 29));
    assert_false(date_valid(2023, 2, 29));
    assert_false(date_valid(2023, 4, 31));
    assert_false(date_valid(2023, 13, 1));
}

static void
idcard_every_check_digit(void **state)
{
    char id[IDCARD_LEN + 1];
    struct gg_err err;
    int seen[11] = {0};
    (void)state;
    /* Walk sequences until all 11 check characters occurred; each made
     * number validates and each single-digit change of it fails. */
    for (int seq = 0; seq < 200; seq++) {
        idcard_make("370902", 1985, 6, 15, seq, id);
        assert_int_equal(idcard_check(id, 20261123, NULL, "id", &err), 0);
        seen[id[17] == 'X' ? 10 : id[17] - '0'] = 1;
        id[15] = id[15] == '9' ? '0' : (char)(id[15] + 1);
        assert_int_equal(idcard_check(id, 20261123, NULL, "id", &err),
                         GG_EINVAL);
    }
    for (int i = 0; i < 11; i++)
        assert_true(seen[i]);
}

static void
credit_codes(void **state)
{
    char code[CREDITCODE_LEN + 1];
    struct gg_err err;
    (void)state;
    for (unsigned i = 0; i < 500; i++) {
        creditcode_make('9', '1', "350702", 71530000 + i * 37, code);
        assert_int_equal(creditcode_check(code, "credit_code", &err), 0);
        code[10] = code[10] == '9' ? '0' : (char)(code[10] + 1);
        assert_int_equal(creditcode_check(code, "credit_code", &err),
                         GG_EINVAL);
    }
    assert_int_equal(creditcode_check("91350702MA2XYZ123", "c", &err),
                     GG_EINVAL); /* 17 characters */
    assert_int_equal(creditcode_check("91350702IA2XYZ1234", "c", &err),
                     GG_EINVAL); /* I is not in the alphabet */
    assert_string_equal(err.field, "c");
}

static void
node_codes(void **state)
{
    enum store_node_level level;
    struct gg_err err;
    (void)state;
    assert_int_equal(node_code_level("350702", &level), 0);
    assert_int_equal(level, NODE_DISTRICT);
    assert_int_equal(node_code_level("350702004005001", &level), 0);
    assert_int_equal(level, NODE_GRID);
    assert_int_equal(node_code_level("35070200400", &level), GG_EINVAL);
    assert_int_equal(node_code_level("350702000", &level), GG_EINVAL);
    assert_int_equal(node_code_level("35070a", &level), GG_EINVAL);
    assert_int_equal(node_code_level("", &level), GG_EINVAL);
    assert_int_equal(node_code_check("350702004005", "350702004", "code",
                                     &err),
                     0);
    assert_int_equal(node_code_check("350702004005", "350702005", "code",
                                     &err),
                     GG_EINVAL);
    assert_int_equal(node_code_check("350702004005", "350702", "code", &err),
                     GG_EINVAL); /* skips a level */
    assert_string_equal(err.field, "code");
}

static void
masks(void **state)
{
    char out[32];
    (void)state;
    pii_mask(PII_ID_NO, "11010519491231002X", out, sizeof(out));
    assert_string_equal(out, "1101**********002X");
    pii_mask(PII_PHONE, "13812345678", out, sizeof(out));
    assert_string_equal(out, "138****5678");
    pii_mask(PII_PHONE, "05996123456", out, sizeof(out));
    assert_string_equal(out, "059****3456");
    pii_mask(PII_PHONE, "12345", out, sizeof(out));
    assert_string_equal(out, "*2345");
    pii_mask(PII_PHONE, "123", out, sizeof(out));
    assert_string_equal(out, "***");
}

static void
roles(void **state)
{
    enum role_id r;
    (void)state;
    assert_int_equal(role_parse("grid_worker", &r), 0);
    assert_int_equal(r, ROLE_grid_worker);
    assert_string_equal(role_name(ROLE_audit_admin), "audit_admin");
    assert_int_equal(role_parse("root", &r), GG_EINVAL);
}

/* The person snapshot is written by hand: it must stay valid JSON with any
 * text a name may hold. */
static void
person_snapshot_json(void **state)
{
    const char *tags[] = {"高龄", "独\"居"};
    struct store_person p = {0};
    json_t *j, *t;

    (void)state;
    p.node_code = "370902001007001";
    p.name = "王\"小\\明";
    p.sex = "1";
    p.residence = "permanent";
    p.household_id = 42;
    p.tags = tags;
    p.n_tags = 2;
    j = person_json(&p);
    assert_string_equal(json_string_value(json_object_get(j, "name")),
                        "王\"小\\明");
    assert_int_equal(json_integer_value(json_object_get(j, "household_id")),
                     42);
    assert_true(json_is_null(json_object_get(j, "birth_date")));
    t = json_object_get(j, "tags");
    assert_int_equal(json_array_size(t), 2);
    assert_string_equal(json_string_value(json_array_get(t, 1)), "独\"居");
    json_decref(j);
}

/* Registry fields: codes or Chinese labels, limits, dates, credit codes. */
static void
registry_fields(void **state)
{
    const struct reg_kind *b = registry_kind("buildings");
    const struct reg_kind *o = registry_kind("organisations");
    struct gg_arena *a = gg_arena_new(4096);
    struct store_record r = {0};
    struct gg_err err;

    (void)state;
    assert_non_null(b);
    assert_null(registry_kind("cats"));
    assert_int_equal(registry_set(&b->fields[2], "商住混合", a, &r, &err), 0);
    assert_string_equal(r.v[STORE_F_BUILDING_kind].s, "mixed");
    assert_string_equal(registry_text(&b->fields[2], &r, a), "商住混合");
    assert_int_equal(registry_set(&b->fields[2], "castle", a, &r, &err),
                     GG_EINVAL);
    assert_string_equal(err.field, "kind");
    assert_int_equal(registry_set(&b->fields[3], " 18 ", a, &r, &err), 0);
    assert_int_equal(r.v[STORE_F_BUILDING_floors].i, 18);
    assert_int_equal(registry_set(&b->fields[3], "201", a, &r, &err),
                     GG_EINVAL);
    assert_int_equal(registry_set(&b->fields[3], "2.5", a, &r, &err),
                     GG_EINVAL);
    assert_int_equal(registry_set(&b->fields[5], "181", a, &r, &err),
                     GG_EINVAL);
    assert_int_equal(registry_set(&b->fields[3], "", a, &r, &err), 0);
    assert_false(r.v[STORE_F_BUILDING_floors].set);
    assert_int_equal(registry_set(&o->fields[7], "2026-02-29", a, &r, &err),
                     GG_EINVAL);
    assert_int_equal(registry_set(&o->fields[7], "2028-02-29", a, &r, &err),
                     0);
    assert_int_equal(registry_set(&o->fields[2], "91370902MA3C4XYZ12", a, &r,
                                  &err),
                     GG_EINVAL);
    gg_arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(idcard_known_numbers),
        cmocka_unit_test(idcard_dates),
        cmocka_unit_test(idcard_every_check_digit),
        cmocka_unit_test(credit_codes),
        cmocka_unit_test(node_codes),
        cmocka_unit_test(masks),
        cmocka_unit_test(roles),
        cmocka_unit_test(person_snapshot_json),
        cmocka_unit_test(registry_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
