"""Changing the hierarchy over HTTP: create, rename, chief, move (a whole
subtree and everything in it follows) and retire, with its history."""
import sqlite3
import unittest

from harness import Client, Server, error_of


class Hierarchy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(demo=True).start()
        cls.street = Client(cls.s)  # 岱庙街道 command centre
        assert cls.street.login("dh_admin").status == 200

    @classmethod
    def tearDownClass(cls):
        cls.s.cleanup()

    def node(self, code):
        return self.street.request("GET", "/api/v1/nodes/" + code)

    def test_create_rename_and_chief(self):
        r = self.street.request("POST", "/api/v1/nodes", json_body={
            "code": "370902001007007", "parent_code": "370902001007",
            "name": "东湖第七网格"})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json()["level"], "grid")
        v = r.json()["version"]
        for bad, field in [({"code": "370902001008001",
                             "parent_code": "370902001007"}, "code"),
                           ({"code": "37090200100700", "parent_code":
                             "370902001007"}, "code"),
                           ({"code": "350702004005009", "parent_code":
                             "350702004005"}, "parent_code"),
                           ({"code": "370902001007007x", "parent_code":
                             "370902001007"}, "code")]:
            body = dict(bad, name="x")
            r = self.street.request("POST", "/api/v1/nodes", json_body=body)
            self.assertEqual(r.status, 400, bad)
            self.assertEqual(error_of(r)["field"], field, bad)
        r = self.street.request("POST", "/api/v1/nodes", json_body={
            "code": "370902001007007", "parent_code": "370902001007",
            "name": "again"})
        self.assertEqual(r.status, 409)
        r = self.street.request("PATCH", "/api/v1/nodes/370902001007007",
                                json_body={"version": v, "name": "东湖七网格"})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["name"], "东湖七网格")
        r = self.street.request("PATCH", "/api/v1/nodes/370902001007007",
                                json_body={"version": v, "name": "stale"})
        self.assertEqual(r.status, 409)
        con = sqlite3.connect(self.s.db)
        pid = con.execute("select id from persons where node_code like "
                          "'370902001007%' limit 1").fetchone()[0]
        outside = con.execute("select id from persons where node_code like "
                              "'350702%' limit 1").fetchone()[0]
        con.close()
        v = self.node("370902001007007").json()["version"]
        r = self.street.request("PATCH", "/api/v1/nodes/370902001007007",
                                json_body={"version": v,
                                           "chief_person_id": outside})
        self.assertEqual(error_of(r)["field"], "chief_person_id")
        r = self.street.request("PATCH", "/api/v1/nodes/370902001007007",
                                json_body={"version": v,
                                           "chief_person_id": pid})
        self.assertEqual(r.json()["chief_person_id"], pid)
        h = self.street.request(
            "GET", "/api/v1/nodes/370902001007007/history").json()["items"]
        self.assertEqual([i["action"] for i in h],
                         ["chief", "rename", "create"])
        self.assertEqual(h[1]["before"]["name"], "东湖第七网格")
        self.assertEqual(h[1]["after"]["name"], "东湖七网格")
        self.assertEqual(self.street.request(
            "GET", "/api/v1/nodes/370902001001/history").json()["items"], [])
        self.assertEqual(self.street.request(
            "GET", "/api/v1/nodes/350702/history").status, 404)

    def test_move_takes_everything_along(self):
        con = sqlite3.connect(self.s.db)
        count = lambda p: con.execute(
            "select (select count(*) from persons where node_code like ?1), "
            "(select count(*) from buildings where node_code like ?1), "
            "(select count(*) from households where node_code like ?1), "
            "(select count(*) from roster where node_code like ?1), "
            "(select count(*) from role_grants where node_code like ?1)",
            (p + "%",)).fetchone()
        old = "370902001007006"
        new = "370902001001001"  # 东湖第六网格 goes to 岱宗社区
        before = count(old)
        self.assertTrue(all(before[:4]))
        v = self.node(old).json()["version"]
        r = self.street.request("POST", "/api/v1/nodes/%s/move" % old,
                                json_body={"version": v,
                                           "parent_code": "370902001001",
                                           "new_code": new})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["parent_code"], "370902001001")
        self.assertEqual(count(new), before)
        self.assertEqual(count(old), (0, 0, 0, 0, 0))
        self.assertEqual(con.execute("PRAGMA foreign_key_check").fetchall(),
                         [])
        con.close()
        self.assertEqual(self.node(old).status, 404)
        self.assertEqual(self.node(new).json()["name"], "东湖第六网格")
        # Its grid worker's grant moved with it: they still see their grid.
        worker = Client(self.s)
        self.assertEqual(worker.login("dh_grid21").status, 200)
        roles = worker.request("GET", "/api/v1/me").json()["roles"]
        self.assertEqual(roles[0]["node_code"], new)
        self.assertEqual(len(worker.request(
            "GET", "/api/v1/persons?node=" + new).json()["items"]) > 0, True)
        hist = self.street.request("GET", "/api/v1/nodes/%s/history"
                                   % new).json()["items"]
        self.assertEqual(hist[0]["action"], "move")
        self.assertEqual(hist[0]["before"]["code"], old)
        # Refused: another level, a parent outside my scope, a stale
        # version, a code that is taken.
        v = self.node(new).json()["version"]
        move = lambda body: self.street.request(
            "POST", "/api/v1/nodes/%s/move" % new, json_body=body)
        r = move({"version": v, "parent_code": "370902001001",
                  "new_code": "370902001001"})
        self.assertEqual(r.status, 400)
        r = move({"version": v, "parent_code": "350702004005",
                  "new_code": "350702004005009"})
        self.assertEqual(error_of(r)["field"], "parent_code")
        r = move({"version": v + 1, "parent_code": "370902001001",
                  "new_code": "370902001001002"})
        self.assertEqual(r.status, 409)
        r = move({"version": v, "parent_code": "370902001007",
                  "new_code": "370902001007001"})
        self.assertEqual(r.status, 409)
        # Renumbering under the same parent is a move too.
        r = move({"version": v, "parent_code": "370902001001",
                  "new_code": "370902001001002"})
        self.assertEqual(r.status, 200, r.body)

    def test_retire_only_when_empty(self):
        v = self.node("370902001007001").json()["version"]
        r = self.street.request("POST", "/api/v1/nodes/370902001007001/retire",
                                json_body={"version": v})
        self.assertEqual(r.status, 409)
        self.assertEqual(error_of(r)["code"], "bad_state")
        r = self.street.request("POST", "/api/v1/nodes", json_body={
            "code": "370902001007099", "parent_code": "370902001007",
            "name": "临时网格"})
        self.assertEqual(r.status, 201)
        r = self.street.request("POST", "/api/v1/nodes/370902001007099/retire",
                                json_body={"version": r.json()["version"]})
        self.assertEqual(r.status, 204, r.body)
        self.assertEqual(self.node("370902001007099").status, 404)
        # Nothing is deleted: the history keeps it.
        h = self.street.request("GET", "/api/v1/nodes/370902001007099/"
                                "history").json()["items"]
        self.assertEqual(h[0]["action"], "retire")
        # Nor may anyone retire the node their own role is at.
        v = self.node("370902001").json()["version"]
        r = self.street.request("POST", "/api/v1/nodes/370902001/retire",
                                json_body={"version": v})
        self.assertEqual(r.status, 403)

    def test_grid_worker_cannot_change_the_hierarchy(self):
        c = Client(self.s)
        self.assertEqual(c.login("dh_grid01").status, 200)
        r = c.request("POST", "/api/v1/nodes", json_body={
            "code": "370902001007050", "parent_code": "370902001007",
            "name": "x"})
        self.assertEqual(r.status, 403)


if __name__ == "__main__":
    unittest.main(verbosity=2)
