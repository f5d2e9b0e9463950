"""Logging in and out, who am I, CSRF, and node scope over HTTP."""
import unittest

from harness import Server, error_of, ID_NO_RE, PHONE_RE


class Session(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(demo=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.s.cleanup()

    def setUp(self):
        self.s.cookies.clear()
        self.s.client.csrf = None

    def test_wrong_password_and_unknown_user_read_alike(self):
        a = self.s.login("dh_admin", "wrong-password")
        b = self.s.login("nobody_here", "wrong-password")
        for r in (a, b):
            self.assertEqual(r.status, 401)
            e = error_of(r)
            self.assertEqual(e["code"], "unauthenticated")
            self.assertEqual(e["field"], "password")
            self.assertEqual(e["message"], "用户名或密码错误")
        self.assertEqual(a.body, b.body)
        self.assertEqual(self.s.cookies, {})

    def test_login_me_logout(self):
        r = self.s.login("dh_admin")
        self.assertEqual(r.status, 200)
        cookie = r.header("Set-Cookie")
        self.assertIn("gg_session=", cookie)
        for attr in ("HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(attr, cookie)
        body = r.json()
        self.assertEqual(body["me"]["username"], "dh_admin")
        self.assertEqual(body["me"]["display_name"], "王建国")
        self.assertEqual(body["me"]["roles"], [{
            "role": "street_center", "node_code": "370902001",
            "node_name": "岱庙街道", "node_level": "street"}])
        csrf = body["csrf_token"]
        me = self.s.request("GET", "/api/v1/me")
        self.assertEqual(me.status, 200)
        self.assertEqual(me.json()["csrf_token"], csrf)

        # Writes need the CSRF header, and the right one.
        self.s.client.csrf = None
        r = self.s.request("DELETE", "/api/v1/session")
        self.assertEqual(r.status, 403)
        self.assertEqual(error_of(r)["field"], "X-CSRF-Token")
        r = self.s.request("DELETE", "/api/v1/session",
                           headers={"X-CSRF-Token": csrf[:-1] +
                                    ("A" if csrf[-1] != "A" else "B")})
        self.assertEqual(r.status, 403)
        token = self.s.cookies["gg_session"]
        r = self.s.request("DELETE", "/api/v1/session",
                           headers={"X-CSRF-Token": csrf})
        self.assertEqual(r.status, 204)
        self.assertIn("Max-Age=0", r.header("Set-Cookie"))
        # The old token is dead even if a client keeps it.
        self.s.cookies["gg_session"] = token
        self.assertEqual(self.s.request("GET", "/api/v1/me").status, 401)

    def test_without_session(self):
        for path in ("/api/v1/me", "/api/v1/nodes", "/api/v1/nodes/370902"):
            r = self.s.request("GET", path)
            self.assertEqual(r.status, 401, path)
            self.assertEqual(error_of(r)["code"], "unauthenticated")
        self.s.cookies["gg_session"] = "x" * 43
        self.assertEqual(self.s.request("GET", "/api/v1/me").status, 401)
        self.s.cookies["gg_session"] = "short"
        self.assertEqual(self.s.request("GET", "/api/v1/me").status, 401)

    def test_login_input_is_checked(self):
        r = self.s.request("POST", "/api/v1/session",
                           json_body={"username": "dh_admin"})
        self.assertEqual(error_of(r)["field"], "password")
        r = self.s.request("POST", "/api/v1/session",
                           json_body={"username": "", "password": "x"})
        self.assertEqual(error_of(r)["field"], "username")
        r = self.s.request("POST", "/api/v1/session",
                           json_body={"username": "a" * 65, "password": "x"})
        self.assertEqual(r.status, 400)
        r = self.s.request("POST", "/api/v1/session",
                           json_body={"username": "a", "password": "x" * 257})
        self.assertEqual(error_of(r)["field"], "password")

    def test_street_scope(self):
        self.assertEqual(self.s.login("dh_admin").status, 200)
        r = self.s.request("GET", "/api/v1/nodes")
        self.assertEqual([n["code"] for n in r.json()["items"]], ["370902001"])
        r = self.s.request("GET", "/api/v1/nodes?parent=370902001")
        names = [n["name"] for n in r.json()["items"]]
        self.assertIn("东湖社区", names)
        dh = [n for n in r.json()["items"] if n["name"] == "东湖社区"][0]
        self.assertEqual(dh["child_count"], 6)
        r = self.s.request("GET", "/api/v1/nodes?parent=" + dh["code"])
        self.assertEqual(len(r.json()["items"]), 6)
        self.assertTrue(all(n["level"] == "grid" for n in r.json()["items"]))
        # Outside the street: exactly like not there.
        for code in ("350702", "350702004005", "370902", "370902002"):
            r = self.s.request("GET", "/api/v1/nodes/" + code)
            self.assertEqual(r.status, 404, code)
        r = self.s.request("GET", "/api/v1/nodes?parent=370902")
        self.assertEqual([n["code"] for n in r.json()["items"]], ["370902001"])
        r = self.s.request("GET", "/api/v1/nodes?parent=350702004")
        self.assertEqual(r.json()["items"], [])

    def test_grid_worker_sees_only_the_grid(self):
        self.assertEqual(self.s.login("cs_grid01").status, 200)
        me = self.s.request("GET", "/api/v1/me").json()
        self.assertEqual(len(me["roles"]), 1)
        grid = me["roles"][0]["node_code"]
        self.assertEqual(me["roles"][0]["role"], "grid_worker")
        self.assertEqual(len(grid), 15)
        self.assertEqual(self.s.request("GET", "/api/v1/nodes/" + grid).status,
                         200)
        r = self.s.request("GET", "/api/v1/nodes?parent=" + grid[:12])
        self.assertEqual([n["code"] for n in r.json()["items"]], [grid])
        self.assertEqual(self.s.request("GET", "/api/v1/nodes/" +
                                        grid[:12]).status, 404)

    def test_bad_codes(self):
        self.assertEqual(self.s.login("dh_admin").status, 200)
        for code in ("abc", "3709020", "37090200100a", "0" * 15):
            r = self.s.request("GET", "/api/v1/nodes/" + code)
            self.assertEqual(r.status, 400, code)
            self.assertEqual(error_of(r)["field"], "code")
        r = self.s.request("GET", "/api/v1/nodes?parent=12345")
        self.assertEqual(error_of(r)["field"], "parent")
        r = self.s.request("GET", "/api/v1/nodes?parent=%ff")
        self.assertEqual(r.status, 400)

    def test_english(self):
        r = self.s.request("POST", "/api/v1/session",
                           json_body={"username": "dh_admin", "password": "x"},
                           headers={"Accept-Language": "en"})
        self.assertEqual(error_of(r)["message"], "Wrong username or password")

    def test_zz_logs_hold_no_personal_data(self):
        log = self.s.read_log()
        self.assertIn(b"event=http.request", log)
        self.assertIsNone(ID_NO_RE.search(log))
        self.assertIsNone(PHONE_RE.search(log))
        self.assertNotIn(b"Gridgov@Demo2026", log)
        self.assertNotIn(b"gg_session", log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
