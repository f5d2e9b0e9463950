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


if __name__ == "__main__":
    unittest.main(verbosity=2)
