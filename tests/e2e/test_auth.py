"""Accounts and security over HTTP: lockout, rate limits, first-login
password change, the second factor, duty separation, sessions, API keys,
the audited reveal of personal data, and the audit log's chain."""
import os
import sqlite3
import unittest

from harness import (Client, Server, error_of, run, totp, ID_NO_RE, PHONE_RE,
                     id_numbers_in)


class Security(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(demo=True, config={"login_rate_max": 1000}).start()
        # Administrators must enrol a second factor before anything else.
        cls.sec = Client(cls.s)
        assert cls.sec.login("secadmin").status == 200
        cls.sec_secret = cls.sec.enrol_totp()
        cls.aud = Client(cls.s)
        assert cls.aud.login("auditor").status == 200
        cls.aud_secret = cls.aud.enrol_totp()

    @classmethod
    def tearDownClass(cls):
        cls.s.cleanup()

    def audit_actions(self):
        r = self.aud.request("GET", "/api/v1/audit?limit=200")
        self.assertEqual(r.status, 200, r.body)
        return [i["action"] for i in r.json()["items"]]

    def create_account(self, username, roles, home="370902001007"):
        r = self.sec.request("POST", "/api/v1/accounts", json_body={
            "username": username, "display_name": "测试" + username,
            "home_node": home, "roles": roles})
        self.assertEqual(r.status, 201, r.body)
        return r.json()

    def test_admin_needs_second_factor_first(self):
        c = Client(self.s)
        self.assertEqual(c.login("sysadmin").status, 200)
        me = c.request("GET", "/api/v1/me").json()
        self.assertTrue(me["totp_required"])
        self.assertFalse(me["totp_enabled"])
        r = c.request("GET", "/api/v1/nodes")
        self.assertEqual(r.status, 403)
        self.assertEqual(error_of(r)["code"], "totp_setup_required")
        secret = c.enrol_totp()
        self.assertEqual(c.request("GET", "/api/v1/nodes").status, 200)
        # Next time the code is asked for, and must be right.
        d = Client(self.s)
        r = d.login("sysadmin")
        self.assertEqual(r.status, 401)
        self.assertEqual(error_of(r)["code"], "totp_required")
        self.assertEqual(error_of(r)["field"], "totp_code")
        r = d.request("POST", "/api/v1/session", json_body={
            "username": "sysadmin", "password": "Gridgov@Demo2026",
            "totp_code": "000000" if totp(secret) != "000000" else "111111"})
        self.assertEqual(error_of(r)["code"], "totp_required")
        self.assertEqual(d.login("sysadmin", totp_secret=secret).status, 200)
        # A used code does not work twice.
        e = Client(self.s)
        r = e.request("POST", "/api/v1/session", json_body={
            "username": "sysadmin", "password": "Gridgov@Demo2026",
            "totp_code": totp(secret)})
        self.assertEqual(r.status, 401)
        # Administrators cannot turn it off.
        r = d.request("DELETE", "/api/v1/me/totp",
                      json_body={"password": "Gridgov@Demo2026"})
        self.assertEqual(r.status, 403)
        # The system administrator reads neither the audit log nor
        # personal data.
        self.assertEqual(d.request("GET", "/api/v1/audit").status, 403)
        self.assertEqual(d.request(
            "GET", "/api/v1/persons?node=370902001007").status, 403)

    def test_lockout_after_five_failures(self):
        c = Client(self.s)
        for _ in range(5):
            self.assertEqual(c.login("dh_grid07", "wrong-password-1").status,
                             401)
        r = c.login("dh_grid07")  # the right password, too late
        self.assertEqual(r.status, 403)
        self.assertEqual(error_of(r)["code"], "locked")
        self.assertIn("UTC", error_of(r)["message"])
        self.assertIn("login.locked", self.audit_actions())
        # The security administrator unlocks it.
        acct = [a for a in self.sec.request(
            "GET", "/api/v1/accounts?q=dh_grid07").json()["items"]
            if a["username"] == "dh_grid07"][0]
        self.assertIsNotNone(acct["locked_until"])
        r = self.sec.request("POST", "/api/v1/accounts/%d/unlock" % acct["id"])
        self.assertEqual(r.status, 204)
        self.assertEqual(c.login("dh_grid07").status, 200)

    def test_new_account_changes_its_password_first(self):
        made = self.create_account("test_new1", [
            {"role": "grid_worker", "node_code": "370902001007002"}])
        pw = made["initial_password"]
        self.assertEqual(len(pw), 16)
        self.assertTrue(made["account"]["must_change_password"])
        c = Client(self.s)
        self.assertEqual(c.login("test_new1", pw).status, 200)
        r = c.request("GET", "/api/v1/nodes")
        self.assertEqual(error_of(r)["code"], "password_change_required")
        for bad, field in [("short", "new_password"),
                           ("qwertyuiop123", "new_password"),
                           ("lowercaseonlyletters", "new_password"),
                           (pw, "new_password")]:
            r = c.request("PUT", "/api/v1/me/password", json_body={
                "old_password": pw, "new_password": bad})
            self.assertEqual(r.status, 400, bad)
            self.assertEqual(error_of(r)["field"], field, bad)
        r = c.request("PUT", "/api/v1/me/password", json_body={
            "old_password": "not-it", "new_password": "Dong-Hu-Grid-2"})
        self.assertEqual(error_of(r)["field"], "old_password")
        r = c.request("PUT", "/api/v1/me/password", json_body={
            "old_password": pw, "new_password": "Dong-Hu-Grid-2"})
        self.assertEqual(r.status, 204, r.body)
        self.assertEqual(c.request("GET", "/api/v1/nodes").status, 200)
        self.assertEqual(Client(self.s).login("test_new1", pw).status, 401)
        self.assertEqual(Client(self.s).login("test_new1",
                                              "Dong-Hu-Grid-2").status, 200)

    def test_duties_are_separate(self):
        for roles in ([{"role": "sys_admin", "node_code": "370902"},
                       {"role": "audit_admin", "node_code": "370902"}],
                      [{"role": "sec_admin", "node_code": "370902"},
                       {"role": "grid_worker", "node_code": "370902001007001"}]):
            r = self.sec.request("POST", "/api/v1/accounts", json_body={
                "username": "test_dual", "display_name": "x",
                "home_node": "370902", "roles": roles})
            self.assertEqual(r.status, 400)
            self.assertEqual(error_of(r)["field"], "roles")
        # Nor outside the administrator's scope, nor at a wrong level.
        for roles in ([{"role": "grid_worker", "node_code": "110101001001001"}],
                      [{"role": "street_center", "node_code": "370902001007"}],
                      [{"role": "root", "node_code": "370902"}]):
            r = self.sec.request("POST", "/api/v1/accounts", json_body={
                "username": "test_dual", "display_name": "x",
                "home_node": "370902", "roles": roles})
            self.assertEqual(r.status, 400, roles)
        # The auditor changes nothing.
        r = self.aud.request("POST", "/api/v1/accounts", json_body={
            "username": "test_aud", "display_name": "x",
            "home_node": "370902", "roles": []})
        self.assertEqual(r.status, 403)

    def test_account_linked_to_a_person(self):
        con = sqlite3.connect(self.s.db)
        pid = con.execute("select id from persons where node_code like "
                          "'370902001007%' limit 1").fetchone()[0]
        con.close()
        r = self.sec.request("POST", "/api/v1/accounts", json_body={
            "username": "test_linked", "display_name": "居民账号",
            "home_node": "370902001007", "person_id": pid,
            "roles": [{"role": "resident", "node_code": "370902001007001"}]})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json()["account"]["person_id"], pid)
        for bad in (99999999, "12", 0):
            r = self.sec.request("POST", "/api/v1/accounts", json_body={
                "username": "test_linked2", "display_name": "x",
                "home_node": "370902001007", "person_id": bad, "roles": []})
            self.assertEqual(r.status, 400, bad)
            self.assertEqual(error_of(r)["field"], "person_id")

    def test_account_admin_round_trip(self):
        made = self.create_account("test_adm", [
            {"role": "grid_worker", "node_code": "370902001007003"}])
        aid, ver = made["account"]["id"], made["account"]["version"]
        r = self.sec.request("PATCH", "/api/v1/accounts/%d" % aid,
                             json_body={"version": ver,
                                        "display_name": "改名了"})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["display_name"], "改名了")
        r = self.sec.request("PATCH", "/api/v1/accounts/%d" % aid,
                             json_body={"version": ver, "disabled": True})
        self.assertEqual(r.status, 409)  # stale version
        ver = self.sec.request("GET", "/api/v1/accounts/%d" % aid).json()[
            "version"]
        r = self.sec.request("PUT", "/api/v1/accounts/%d/roles" % aid,
                             json_body={"version": ver, "roles": [
                                 {"role": "grid_chief",
                                  "node_code": "370902001007003"}]})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual([g["role"] for g in r.json()["roles"]],
                         ["grid_chief"])
        r = self.sec.request("POST", "/api/v1/accounts/%d/password-reset"
                             % aid)
        self.assertEqual(r.status, 200)
        self.assertEqual(len(r.json()["initial_password"]), 16)
        self.assertEqual(self.sec.request(
            "DELETE", "/api/v1/accounts/%d/sessions" % aid).status, 204)
        self.assertEqual(self.sec.request(
            "GET", "/api/v1/accounts/999999").status, 404)
        actions = self.audit_actions()
        for a in ("account.create", "account.update", "account.roles",
                  "password.reset", "session.revoke"):
            self.assertIn(a, actions)

    def test_sessions_list_and_revoke(self):
        a, b = Client(self.s), Client(self.s)
        self.assertEqual(a.login("dh_grid08").status, 200)
        self.assertEqual(b.login("dh_grid08").status, 200)
        items = a.request("GET", "/api/v1/me/sessions").json()["items"]
        self.assertGreaterEqual(len(items), 2)
        self.assertEqual(sum(i["current"] for i in items), 1)
        other = [i for i in items if not i["current"]][0]["id"]
        self.assertEqual(a.request("DELETE", "/api/v1/me/sessions/"
                                   + other).status, 204)
        self.assertEqual(b.request("GET", "/api/v1/me").status, 401)
        self.assertEqual(a.request("GET", "/api/v1/me").status, 200)
        self.assertEqual(a.request("DELETE", "/api/v1/me/sessions/"
                                   "0123456789abcdef").status, 404)

    def test_reveal_is_audited_and_scoped(self):
        c = Client(self.s)
        self.assertEqual(c.login("dh_grid01").status, 200)
        grid = c.request("GET", "/api/v1/me").json()["roles"][0]["node_code"]
        r = c.request("GET", "/api/v1/persons?node=" + grid)
        self.assertEqual(r.status, 200)
        items = r.json()["items"]
        self.assertTrue(items)
        self.assertIsNone(ID_NO_RE.search(r.body))
        self.assertIsNone(PHONE_RE.search(r.body))
        pid = items[0]["id"]
        r = c.request("POST", "/api/v1/persons/%d/reveal" % pid,
                      json_body={"fields": ["id_no", "phone"],
                                 "reason": "入户走访核对"})
        self.assertEqual(r.status, 200, r.body)
        full = r.json()
        self.assertEqual(full["id_no"][:4], items[0]["id_no_masked"][:4])
        self.assertEqual(full["id_no"][-4:], items[0]["id_no_masked"][-4:])
        self.assertEqual(id_numbers_in(full["id_no"].encode()),
                         {full["id_no"].encode()})
        # A person in another grid is not there for this grid worker.
        con = sqlite3.connect(self.s.db)
        other = con.execute("select id from persons where node_code like "
                            "'350702%' limit 1").fetchone()[0]
        con.close()
        r = c.request("POST", "/api/v1/persons/%d/reveal" % other,
                      json_body={"fields": ["id_no"], "reason": "x"})
        self.assertEqual(r.status, 404)
        for body in ({"fields": [], "reason": "x"},
                     {"fields": ["name"], "reason": "x"},
                     {"fields": ["id_no"]}):
            r = c.request("POST", "/api/v1/persons/%d/reveal" % pid,
                          json_body=body)
            self.assertEqual(r.status, 400, body)
        log = [i for i in self.aud.request(
            "GET", "/api/v1/audit?action=pii.reveal").json()["items"]]
        self.assertTrue(any(i["target"] == "person:%d" % pid and
                            i["actor"] == "dh_grid01" for i in log))
        # The audit log holds who looked, not what they saw.
        r = self.aud.request("GET", "/api/v1/audit?limit=200")
        self.assertNotIn(full["id_no"].encode(), r.body)
        self.assertNotIn(full["phone"].encode(), r.body)

    def test_api_keys(self):
        r = self.sec.request("POST", "/api/v1/api-keys", json_body={
            "name": "消防物联平台", "scopes": ["registry.read"],
            "node_code": "370902001", "expires_at": "2099-01-01T00:00:00Z"})
        self.assertEqual(r.status, 201, r.body)
        key, kid = r.json()["key"], r.json()["api_key"]["id"]
        self.assertTrue(key.startswith("gg_"))
        listed = self.sec.request("GET", "/api/v1/api-keys").json()["items"]
        self.assertNotIn(key.encode(), str(listed).encode())
        bearer = {"Authorization": "Bearer " + key}
        m = Client(self.s)
        r = m.request("GET", "/api/v1/persons?node=370902001007", headers=bearer)
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(r.json()["items"])
        r = m.request("GET", "/api/v1/persons?node=350702", headers=bearer)
        self.assertEqual(r.json()["items"], [])
        # Only routes that take keys, only with the right scope.
        self.assertEqual(m.request("GET", "/api/v1/accounts",
                                   headers=bearer).status, 401)
        self.assertEqual(m.request("GET", "/api/v1/persons?node=370902",
                                   headers={"Authorization": "Bearer gg_x"}
                                   ).status, 401)
        for bad in ({"scopes": ["everything"]},
                    {"expires_at": "2001-01-01T00:00:00Z"},
                    {"expires_at": "tomorrow"},
                    {"node_code": "110101"}):
            body = {"name": "x", "scopes": ["open311"],
                    "node_code": "370902001",
                    "expires_at": "2099-01-01T00:00:00Z"}
            body.update(bad)
            r = self.sec.request("POST", "/api/v1/api-keys", json_body=body)
            self.assertEqual(r.status, 400, bad)
        self.assertEqual(self.sec.request(
            "DELETE", "/api/v1/api-keys/%d" % kid).status, 204)
        self.assertEqual(m.request("GET", "/api/v1/persons?node=370902",
                                   headers=bearer).status, 401)
        actions = self.audit_actions()
        self.assertIn("apikey.create", actions)
        self.assertIn("apikey.revoke", actions)

    def test_zz_audit_chain_holds_and_breaks(self):
        r = self.aud.request("GET", "/api/v1/audit/verify")
        self.assertEqual(r.json()["ok"], True, r.body)
        self.assertGreater(r.json()["checked"], 10)
        r = self.aud.request("GET", "/api/v1/audit?action=login.fail&limit=5")
        self.assertTrue(all(i["action"] == "login.fail"
                            for i in r.json()["items"]))
        # Times as people write them, with an offset or Z.
        r = self.aud.request("GET", "/api/v1/audit?from=2020-01-01T08:00:00"
                             "%2B08:00&to=2099-01-01T00:00:00.000Z")
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(r.json()["items"])
        r = self.aud.request("GET", "/api/v1/audit?from=2099-01-01")
        self.assertEqual(r.json()["items"], [])
        r = self.aud.request("GET", "/api/v1/audit?from=yesterday")
        self.assertEqual(error_of(r)["field"], "from")
        # Someone with the database file, but not the key, edits a record.
        con = sqlite3.connect(self.s.db)
        con.execute("DROP TRIGGER audit_log_no_update")
        con.execute("UPDATE audit_log SET actor = 'nobody' WHERE seq = 3")
        con.commit()
        con.close()
        r = self.aud.request("GET", "/api/v1/audit/verify")
        self.assertEqual(r.json(), {"ok": False, "checked": 2,
                                    "first_broken": 3})
        rc, out, _ = run(["audit", "verify", "--db", self.s.db])
        self.assertEqual(rc, 1)
        self.assertIn("3", out)


class RateLimit(unittest.TestCase):
    def test_an_address_that_tries_too_often_waits(self):
        s = Server(demo=True, config={"login_rate_max": 3}).start()
        try:
            for _ in range(3):
                self.assertEqual(s.login("dh_admin", "nope-nope-nope").status,
                                 401)
            r = s.login("dh_admin")
            self.assertEqual(r.status, 429)
            self.assertEqual(error_of(r)["code"], "rate_limited")
            self.assertEqual(r.header("Retry-After"), "300")
        finally:
            s.cleanup()


class InitAdmin(unittest.TestCase):
    def test_init_creates_a_security_administrator_once(self):
        s = Server()
        try:
            rc, out, err = run(["init", "--db", s.db, "--admin", "secadmin",
                                "--region", "370902", "--region-name",
                                "泰山区"])
            self.assertEqual(rc, 0, err)
            pw = out.strip().splitlines()[-1].split("：")[-1].strip()
            self.assertEqual(len(pw), 16)
            s.start()
            c = Client(s)
            self.assertEqual(c.login("secadmin", pw).status, 200)
            me = c.request("GET", "/api/v1/me").json()
            self.assertTrue(me["must_change_password"])
            self.assertEqual(me["capabilities"], ["accounts.manage"])
            # Running it again never replaces the administrator.
            rc, _, err = run(["init", "--db", s.db, "--admin", "secadmin",
                              "--region", "370902", "--region-name", "泰山区"])
            self.assertEqual(rc, 1)
            rc, _, err = run(["init", "--db", s.db, "--admin", "x"])
            self.assertEqual(rc, 2)
            rc, out, _ = run(["audit", "verify", "--db", s.db])
            self.assertEqual(rc, 0, out)
            rc, out, _ = run(["audit", "archive", "--db", s.db])
            self.assertEqual(rc, 0, out)
            rc, _, _ = run(["audit", "archive", "--db", s.db,
                            "--before-days", "7"])
            self.assertEqual(rc, 2)  # less than the retention
            rc, _, _ = run(["audit", "nonsense", "--db", s.db])
            self.assertEqual(rc, 2)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
