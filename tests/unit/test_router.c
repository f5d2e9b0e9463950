/* test_router.c - route matching, parameters and the Allow list. */
#include "unit.h"

#include "http/http_internal.h"

static int
handler(struct http_req *req, struct http_resp *resp, struct gg_err *err)
{
    (void)req;
    (void)resp;
    (void)err;
    return 0;
}

static const struct http_route routes[] = {
    {HTTP_GET, "/api/v1/health", handler, 0, HTTP_BODY_NONE, "health"},
    {HTTP_GET, "/api/v1/nodes/{code}", handler, 0, HTTP_BODY_NONE, "get"},
    {HTTP_PUT, "/api/v1/nodes/{code}", handler, 0, HTTP_BODY_JSON, "put"},
    {HTTP_GET, "/api/v1/nodes/{code}/children/{kind}", handler, 0,
     HTTP_BODY_NONE, "kids"},
    {HTTP_POST, "/api/v1/session", handler, 0, HTTP_BODY_JSON, "login"},
};

static void
matches(void **state)
{
    struct router r;
    struct gg_err err;
    struct http_req req;
    unsigned allowed;
    const struct http_route *hit;
    (void)state;

    memset(&req, 0, sizeof(req));
    req.arena = gg_arena_new(1024);
    assert_int_equal(router_init(&r, routes, GG_ARRAY_LEN(routes), &err), 0);

    hit = router_match(&r, HTTP_GET, "/api/v1/health", &req, &allowed);
    assert_ptr_equal(hit, &routes[0]);
    hit = router_match(&r, HTTP_HEAD, "/api/v1/health", &req, &allowed);
    assert_ptr_equal(hit, &routes[0]);
    hit = router_match(&r, HTTP_GET, "/api/v1/health/", &req, &allowed);
    assert_ptr_equal(hit, &routes[0]); /* a trailing slash is the same */

    hit = router_match(&r, HTTP_GET, "/api/v1/nodes/370902", &req, &allowed);
    assert_ptr_equal(hit, &routes[1]);
    assert_string_equal(http_param(&req, "code"), "370902");
    assert_null(http_param(&req, "cod"));

    hit = router_match(&r, HTTP_GET, "/api/v1/nodes/35/children/grid", &req,
                       &allowed);
    assert_ptr_equal(hit, &routes[3]);
    assert_string_equal(http_param(&req, "code"), "35");
    assert_string_equal(http_param(&req, "kind"), "grid");

    hit = router_match(&r, HTTP_DELETE, "/api/v1/nodes/35", &req, &allowed);
    assert_null(hit);
    assert_int_equal(allowed, (1u << HTTP_GET) | (1u << HTTP_HEAD) |
                                  (1u << HTTP_PUT));

    hit = router_match(&r, HTTP_GET, "/api/v1/nodes//x", &req, &allowed);
    assert_null(hit);
    hit = router_match(&r, HTTP_GET, "/api/v1/nodes", &req, &allowed);
    assert_null(hit);
    assert_int_equal(allowed, 0);
    hit = router_match(&r, HTTP_GET, "/api/v1/session", &req, &allowed);
    assert_null(hit);
    assert_int_equal(allowed, 1u << HTTP_POST);
    hit = router_match(&r, HTTP_GET, "nope", &req, &allowed);
    assert_null(hit);
    hit = router_match(&r, HTTP_GET, "/a/b/c/d/e/f/g/h/i/j/k/l/m/n", &req,
                       &allowed);
    assert_null(hit);

    router_release(&r);
    gg_arena_free(req.arena);
}

static void
status_mapping(void **state)
{
    (void)state;
    assert_int_equal(http_status_for(GG_EINVAL), 400);
    assert_int_equal(http_status_for(GG_EUNAUTH), 401);
    assert_int_equal(http_status_for(GG_EFORBIDDEN), 403);
    assert_int_equal(http_status_for(GG_ENOTFOUND), 404);
    assert_int_equal(http_status_for(GG_EMETHOD), 405);
    assert_int_equal(http_status_for(GG_ECONFLICT), 409);
    assert_int_equal(http_status_for(GG_EBADSTATE), 409);
    assert_int_equal(http_status_for(GG_ETOOBIG), 413);
    assert_int_equal(http_status_for(GG_EMEDIA), 415);
    assert_int_equal(http_status_for(GG_EBUSY), 503);
    assert_int_equal(http_status_for(GG_ESTORE), 503);
    assert_int_equal(http_status_for(GG_EINTERNAL), 500);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches),
        cmocka_unit_test(status_mapping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
