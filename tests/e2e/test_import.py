"""Imports and exports: CSV (UTF-8 and GB18030) and XLSX uploads run as
jobs with a dry run, all-or-nothing or skip-bad-rows, progress and a row
report; templates; exports of any list as XLSX (masked, audited); and the
same through `gridgov import` / `gridgov export`."""
import os
import sqlite3
import tempfile
import time
import unittest
from urllib.parse import quote

from harness import Client, Server, error_of, id_numbers_in, run

GRID = "370902001007001"
COMMUNITY = "370902001007"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_no(seq, sex=1, birth="19610302"):
    body = "370902%s%03d" % (birth, seq * 2 + sex)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, W)) % 11]


def persons_csv(rows, bad=(), first=100):
    lines = ["姓名,公民身份号码,性别,民族,政治面貌,联系电话,居住类型,所属网格,"
             "楼栋,单元,房号,与户主关系,人员标签"]
    for i in range(rows):
        lines.append("导入%d,%s,男,汉族,群众,1390538%04d,常住,%s,1号楼,1,%d,"
                     "户主,高龄、独居" % (i, id_no(first + i), i, GRID,
                                      900 + i % 7))
    lines.extend(bad)
    return ("\n".join(lines) + "\n")


class Imports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(demo=True, config={"max_upload_bytes": 200000}).start()
        cls.c = Client(cls.s)
        assert cls.c.login("dh_admin").status == 200
        cls.con = sqlite3.connect(cls.s.db)

    @classmethod
    def tearDownClass(cls):
        cls.con.close()
        cls.s.cleanup()

    def count(self, sql="select count(*) from persons where name like "
                        "'导入%'"):
        return self.con.execute(sql).fetchone()[0]

    def upload(self, data, query, ctype="text/csv", status=202):
        r = self.c.request("POST", "/api/v1/imports?" + query, body=data,
                           headers={"Content-Type": ctype})
        self.assertEqual(r.status, status, r.body)
        return r

    def wait(self, job):
        for _ in range(300):
            j = self.c.request("GET", "/api/v1/imports/%d" % job["id"]).json()
            if j["state"] in ("done", "failed"):
                return j
            time.sleep(0.05)
        self.fail("job did not finish")

    def test_dry_run_then_skip_then_all_or_nothing(self):
        bad = ["坏人一,370902196103020000,男,汉族,群众,,常住,%s,,,,," % GRID,
               "坏人二,,男,火星族,群众,,常住,%s,,,,," % GRID,
               "坏人三,,男,汉族,群众,,常住,110101001001001,,,,,"]
        data = persons_csv(20, bad).encode()
        job = self.upload(data, "kind=persons&node=%s&dry_run=1" % COMMUNITY)
        self.assertEqual(job.json()["state"], "queued")
        j = self.wait(job.json())
        self.assertEqual((j["state"], j["total"], j["bad"], j["ok"]),
                         ("done", 23, 3, 20))
        self.assertEqual([(e["line"], e["field"]) for e in j["errors"]],
                         [(22, "id_no"), (23, "ethnic"), (24, "node_code")])
        self.assertTrue(all(e["reason"] for e in j["errors"]))
        self.assertEqual(self.count(), 0)  # a dry run writes nothing
        # All-or-nothing with bad rows: nothing either.
        j = self.wait(self.upload(data, "kind=persons&node=%s&mode=all"
                                  % COMMUNITY).json())
        self.assertEqual((j["state"], j["bad"], j["ok"]), ("done", 3, 0))
        self.assertEqual(self.count(), 0)
        # Skipping bad rows keeps the good ones, with their households.
        j = self.wait(self.upload(data.decode().encode("gb18030"),
                                  "kind=persons&node=%s&mode=skip"
                                  % COMMUNITY).json())
        self.assertEqual((j["state"], j["ok"], j["bad"]), ("done", 20, 3))
        self.assertEqual(self.count(), 20)
        self.assertEqual(self.count(
            "select count(distinct household_id) from persons where name "
            "like '导入%'"), 7)
        self.assertEqual(self.count(
            "select count(*) from person_tags t join persons p on p.id = "
            "t.person_id where p.name like '导入%'"), 40)
        hist = self.count("select count(*) from record_history h join persons"
                          " p on p.id = h.record_id and h.kind = 'person' "
                          "where p.name like '导入%'")
        self.assertEqual(hist, 20)  # every person's creation is kept
        # The report, as XLSX.
        r = self.c.request("GET", "/api/v1/imports/%d/report" % j["id"])
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), XLSX)
        self.assertEqual(r.body[:2], b"PK")
        # The same file again: every row is a duplicate now.
        j = self.wait(self.upload(data, "kind=persons&node=%s&mode=skip"
                                  % COMMUNITY).json())
        self.assertEqual((j["ok"], j["bad"]), (0, 23))
        self.assertEqual(j["errors"][0]["field"], "id_no")
        # The uploads do not linger on disk.
        updir = self.s.db + ".uploads"
        left = [f for f in os.listdir(updir) if not f.endswith(".xlsx")]
        self.assertEqual(left, [])

    def test_bad_uploads(self):
        r = self.upload(b"x,y\n", "kind=persons&node=" + COMMUNITY,
                        ctype="application/json", status=415)
        self.assertEqual(error_of(r)["field"], "Content-Type")
        r = self.upload(b"a" * 300000, "kind=persons&node=" + COMMUNITY,
                        status=413)
        for q, field in (("kind=cats&node=" + COMMUNITY, "kind"),
                         ("kind=persons", "node"),
                         ("kind=persons&node=12a", "node"),
                         ("kind=persons&node=%s&mode=some" % COMMUNITY,
                          "mode")):
            r = self.upload(b"a,b\n", q, status=400)
            self.assertEqual(error_of(r)["field"], field, q)
        self.upload(b"a,b\n", "kind=persons&node=110101", status=404)
        # A file that is not a spreadsheet, or with an unknown column: the
        # job fails and says why.
        j = self.wait(self.upload(b"\x00\x01\x02" * 100,
                                  "kind=persons&node=" + COMMUNITY).json())
        self.assertEqual(j["state"], "failed")
        self.assertTrue(j["message"])
        j = self.wait(self.upload("姓名,星座\n张三,白羊\n".encode(),
                                  "kind=persons&node=" + COMMUNITY).json())
        self.assertEqual(j["state"], "failed")
        self.assertIn("星座", j["message"])
        # Read-only roles may not import.
        worker = Client(self.s)
        worker.login("dh_grid01")
        r = worker.request("POST", "/api/v1/imports?kind=persons&node=" + GRID,
                           body=b"a\n", headers={"Content-Type": "text/csv"})
        self.assertEqual(r.status, 403)

    def test_xlsx_round_trip_and_exports(self):
        # A template and an export are XLSX; an export of buildings imports
        # again (dry run) without a single bad row.
        r = self.c.request("GET", "/api/v1/imports/templates/buildings")
        self.assertEqual((r.status, r.body[:2]), (200, b"PK"))
        self.assertEqual(self.c.request(
            "GET", "/api/v1/imports/templates/cats").status, 404)
        r = self.c.request("GET", "/api/v1/exports/buildings?node=" + GRID)
        self.assertEqual(r.status, 200, r.body)
        self.assertIn("attachment", r.header("Content-Disposition"))
        j = self.wait(self.upload(r.body, "kind=buildings&node=%s&dry_run=1"
                                  % COMMUNITY, ctype=XLSX).json())
        n = self.count("select count(*) from buildings where node_code = '%s'"
                       % GRID)
        self.assertEqual((j["state"], j["total"], j["bad"]), ("done", n, 0),
                         j["errors"][:3])
        # Persons: masked, filtered, audited.
        r = self.c.request("GET", "/api/v1/exports/persons?node=%s&tag=%s"
                           % (COMMUNITY, quote("高龄")))
        self.assertEqual(r.status, 200, r.body)
        path = os.path.join(self.s.dir, "persons.xlsx")
        with open(path, "wb") as f:
            f.write(r.body)
        rc, out, err = run(["import", "persons", path, "--db", self.s.db,
                            "--node", COMMUNITY, "--dry-run"])
        # Masked ID numbers cannot come back in: every row says so.
        self.assertEqual(rc, 1, out + err)
        self.assertIn("id_no", out)
        audit = self.c.request("GET", "/api/v1/audit").status
        self.assertIn(audit, (403,))  # the street centre cannot read it...
        actions = [r[0] for r in self.con.execute(
            "select action from audit_log where action = 'registry.export'")]
        self.assertGreaterEqual(len(actions), 2)  # ...but it is written
        r = self.c.request("GET", "/api/v1/exports/persons?node=12a")
        self.assertEqual(error_of(r)["field"], "node")
        self.assertEqual(self.c.request(
            "GET", "/api/v1/exports/cats?node=" + GRID).status, 404)

    def test_cli(self):
        d = tempfile.mkdtemp(dir=self.s.dir)
        csv = os.path.join(d, "p.csv")
        rep = os.path.join(d, "r.xlsx")
        with open(csv, "w", encoding="gb18030") as f:
            f.write(persons_csv(5, ["坏,1,男,汉族,群众,,常住,%s,,,,," % GRID],
                                first=400).replace("导入", "命令"))
        rc, out, err = run(["import", "persons", csv, "--db", self.s.db,
                            "--node", COMMUNITY, "--dry-run", "--report", rep])
        self.assertEqual(rc, 1, out + err)
        self.assertIn("6 / 5 / 1", out)
        self.assertIn("GB18030", out)
        self.assertTrue(os.path.getsize(rep) > 0)
        rc, out, err = run(["import", "persons", csv, "--db", self.s.db,
                            "--node", COMMUNITY, "--skip-bad"])
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.count("select count(*) from persons where name "
                                    "like '命令%'"), 5)
        out_x = os.path.join(d, "e.xlsx")
        rc, out, err = run(["export", "persons", "--db", self.s.db,
                            "--node", GRID, "--out", out_x])
        self.assertEqual(rc, 0, out + err)
        with open(out_x, "rb") as f:
            data = f.read()
        self.assertEqual(data[:2], b"PK")
        rc, out, err = run(["import", "cats", csv, "--db", self.s.db,
                            "--node", COMMUNITY])
        self.assertEqual(rc, 2)
        rc, out, err = run(["import", "persons", csv, "--db", self.s.db])
        self.assertEqual(rc, 2)
        self.assertEqual(id_numbers_in((out + err).encode()), set())


if __name__ == "__main__":
    unittest.main()
