"""Finding people in the registry: by exact ID or phone number (through the
blind index), name prefix and tag, in pages; and counts by tag and node."""
import sqlite3
import unittest
from urllib.parse import quote

from harness import Client, Server, error_of, id_numbers_in, PHONE_RE


class Search(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(demo=True).start()
        cls.c = Client(cls.s)  # 岱庙街道 command centre
        assert cls.c.login("dh_admin").status == 200
        # A real ID and phone number from the demo, as a worker would type
        # them, found through the audited reveal.
        cls.con = sqlite3.connect(cls.s.db)
        cls.pid, cls.node, cls.name = cls.con.execute(
            "select id, node_code, name from persons where node_code like "
            "'370902001007%' and phone_mask is not null order by id limit 1"
        ).fetchone()
        r = cls.c.request("POST", "/api/v1/persons/%d/reveal" % cls.pid,
                          json_body={"fields": ["id_no", "phone"],
                                     "reason": "测试查询"})
        assert r.status == 200, r.body
        cls.id_no, cls.phone = r.json()["id_no"], r.json()["phone"]

    @classmethod
    def tearDownClass(cls):
        cls.con.close()
        cls.s.cleanup()

    def find(self, query):
        r = self.c.request("GET", "/api/v1/persons?" + query)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(id_numbers_in(r.body), set())
        self.assertIsNone(PHONE_RE.search(r.body))
        return r.json()

    def test_exact_id_number_and_phone(self):
        for q in ("node=370902&id_no=" + self.id_no,
                  "node=370902&id_no=" + self.id_no.replace("X", "x"),
                  "node=370902001007&phone=" + self.phone):
            items = self.find(q)["items"]
            self.assertEqual([i["id"] for i in items], [self.pid], q)
        # Outside the node asked for, or outside my scope: nothing.
        self.assertEqual(self.find("node=370902001001&id_no=" +
                                   self.id_no)["items"], [])
        self.assertEqual(self.find("node=350702&id_no=" + self.id_no)["items"],
                         [])
        # A number that is not a valid ID is a 400, not an empty search.
        bad = self.id_no[:17] + ("0" if self.id_no[17] != "0" else "1")
        r = self.c.request("GET", "/api/v1/persons?node=370902&id_no=" + bad)
        self.assertEqual(error_of(r)["field"], "id_no")
        for phone in ("1234", "23800138000", "138001380001"):
            r = self.c.request("GET", "/api/v1/persons?node=370902&phone="
                               + phone)
            self.assertEqual(error_of(r)["field"], "phone", phone)

    def test_name_prefix_tag_and_pages(self):
        items = self.find("node=370902001007&q=" + quote(self.name[:1]))["items"]
        self.assertTrue(items)
        self.assertTrue(all(i["name"].startswith(self.name[:1])
                            for i in items))
        old = self.find("node=370902001007&tag=" + quote("高龄"))["items"]
        self.assertTrue(old)
        self.assertTrue(all("高龄" in i["tags"] for i in old))
        seen, after = [], 0
        while True:
            page = self.find("node=370902001007&after=%d" % after)
            seen += [i["id"] for i in page["items"]]
            if page["next"] is None:
                break
            after = page["next"]
        self.assertEqual(seen, sorted(set(seen)))
        total = self.con.execute("select count(*) from persons where "
                                 "node_code like '370902001007%'").fetchone()[0]
        self.assertEqual(len(seen), total)

    def test_counts(self):
        r = self.c.request("GET", "/api/v1/persons/stats?node=370902001007")
        self.assertEqual(r.status, 200, r.body)
        st = r.json()
        total = self.con.execute("select count(*) from persons where "
                                 "node_code like '370902001007%'").fetchone()[0]
        self.assertEqual(st["total"], total)
        self.assertEqual(sum(c["count"] for c in st["by_child"]), total)
        self.assertEqual(len(st["by_child"]), 6)
        self.assertTrue(all(c["name"].startswith("东湖") for c in st["by_child"]))
        tags = {t["tag"]: t["count"] for t in st["by_tag"]}
        want = self.con.execute("select count(*) from person_tags where tag = "
                                "'高龄' and node_code like '370902001007%'"
                                ).fetchone()[0]
        self.assertEqual(tags["高龄"], want)
        r = self.c.request("GET", "/api/v1/persons/stats?node=350702")
        self.assertEqual(r.json()["total"], 0)  # outside my scope
        r = self.c.request("GET", "/api/v1/persons/stats")
        self.assertEqual(error_of(r)["field"], "node")


def valid_id(prefix17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(prefix17, weights))
    return prefix17 + "10X98765432"[total % 11]


class Records(unittest.TestCase):
    """Creating and changing a person's record, every change kept."""

    @classmethod
    def setUpClass(cls):
        cls.s = Server(demo=True).start()
        cls.c = Client(cls.s)  # 东湖社区 secretary: registry.write
        assert cls.c.login("dh_secretary").status == 200

    @classmethod
    def tearDownClass(cls):
        cls.s.cleanup()

    def base(self, **kw):
        body = {"node_code": "370902001007002", "name": "张晓燕",
                "residence": "floating", "id_no": valid_id("37090219900512042"),
                "phone": "13912345678", "ethnic": "15", "political": "13",
                "tags": ["党员"]}
        body.update(kw)
        return body

    def test_create_change_and_history(self):
        r = self.c.request("POST", "/api/v1/persons", json_body=self.base())
        self.assertEqual(r.status, 201, r.body)
        p = r.json()
        # Sex and birth date come from the ID number; numbers come masked.
        self.assertEqual(p["sex"], "2")
        self.assertEqual(p["birth_date"], "1990-05-12")
        self.assertEqual(p["id_no_masked"][:4], "3709")
        self.assertEqual(p["phone_masked"], "139****5678")
        self.assertEqual(id_numbers_in(r.body), set())
        # The same ID number twice is refused.
        r = self.c.request("POST", "/api/v1/persons",
                           json_body=self.base(name="另一人"))
        self.assertEqual(r.status, 409)
        self.assertEqual(error_of(r)["field"], "id_no")
        # A change keeps the ID and phone numbers when they are not sent.
        body = self.base(name="张晓艳", tags=["党员", "慢性病"],
                         version=p["version"])
        del body["id_no"], body["phone"]
        r = self.c.request("PUT", "/api/v1/persons/%d" % p["id"],
                           json_body=body)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["id_no_masked"], p["id_no_masked"])
        self.assertEqual(sorted(r.json()["tags"]), sorted(["慢性病", "党员"]))
        r = self.c.request("PUT", "/api/v1/persons/%d" % p["id"],
                           json_body=body)  # the same version again
        self.assertEqual(r.status, 409)
        self.assertEqual(error_of(r)["field"], "version")
        h = self.c.request("GET", "/api/v1/persons/%d/history" % p["id"])
        self.assertEqual(h.status, 200)
        items = h.json()["items"]
        self.assertEqual([i["action"] for i in items], ["update", "create"])
        self.assertEqual(items[0]["before"]["name"], "张晓燕")
        self.assertEqual(items[0]["after"]["name"], "张晓艳")
        self.assertEqual(id_numbers_in(h.body), set())
        self.assertIsNone(PHONE_RE.search(h.body))
        # Found again by the ID number.
        r = self.c.request("GET", "/api/v1/persons?node=370902001007&id_no="
                           + self.base()["id_no"])
        self.assertEqual([i["id"] for i in r.json()["items"]], [p["id"]])

    def test_bad_input_names_the_field(self):
        cases = [({"name": ""}, "name"),
                 ({"node_code": "350702004005001"}, "node_code"),
                 ({"node_code": "abc"}, "node_code"),
                 ({"residence": "somewhere"}, "residence"),
                 ({"id_no": valid_id("37090219900512042")[:-1] + "0"
                   if valid_id("37090219900512042")[-1] != "0" else
                   valid_id("37090219900512042")[:-1] + "1"}, "id_no"),
                 ({"sex": "2"}, "sex"),  # the ID number says 1
                 ({"birth_date": "1985-01-02"}, "birth_date"),
                 ({"birth_date": "2990-01-01", "id_no": None}, "birth_date"),
                 ({"ethnic": "60"}, "ethnic"),
                 ({"political": "00"}, "political"),
                 ({"phone": "12345"}, "phone"),
                 ({"tags": ["富豪"]}, "tags"),
                 ({"tags": ["党员", "党员"]}, "tags"),
                 ({"household_id": 999999}, "household_id"),
                 ({"moved_in": "2024-02-30"}, "moved_in"),
                 ({"extra": 1}, "extra")]
        for change, field in cases:
            body = self.base(id_no=valid_id("37090219850101031"))
            body.update(change)
            body = {k: v for k, v in body.items() if v is not None}
            r = self.c.request("POST", "/api/v1/persons", json_body=body)
            self.assertEqual(r.status, 400, (change, r.body))
            self.assertEqual(error_of(r)["field"], field, change)

    def test_grid_worker_reads_but_does_not_write(self):
        w = Client(self.s)
        self.assertEqual(w.login("dh_grid01").status, 200)
        r = w.request("POST", "/api/v1/persons",
                      json_body=self.base(node_code="370902001007001"))
        self.assertEqual(r.status, 403)


if __name__ == "__main__":
    unittest.main(verbosity=2)
