"""The gridgov command line: help, exit codes, init, demo, check."""
import json
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import unittest

from harness import run, SOURCE, PHONE_RE, id_numbers_in

COMMANDS = ["serve", "init", "demo", "check", "audit", "cases", "bench",
            "version"]


def ring_of(geojson):
    """The outer ring of a stored GeoJSON Polygon."""
    g = json.loads(geojson)
    assert g["type"] == "Polygon", g["type"]
    ring = g["coordinates"][0]
    assert len(ring) >= 4 and ring[0] == ring[-1]
    return ring


def inside(ring, x, y):
    """Ray casting: whether (x, y) lies inside the ring."""
    hit = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            hit = not hit
    return hit


def planar_area(ring):
    """Shoelace area in square degrees: tiles add up exactly."""
    return abs(sum(x0 * y1 - x1 * y0
                   for (x0, y0), (x1, y1) in zip(ring, ring[1:]))) / 2


class Cli(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="gridgov-cli-")
        self.db = os.path.join(self.dir, "g.db")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_help_everywhere(self):
        rc, out, _ = run(["--help"])
        self.assertEqual(rc, 0)
        for c in COMMANDS:
            self.assertIn(c, out)
        for c in COMMANDS:
            rc, out, _ = run([c, "--help"])
            self.assertEqual(rc, 0, c)
            self.assertIn("--help", out)
        rc, out, _ = run(["serve", "--help"])
        for opt in ("--db", "--listen", "--web", "--config"):
            self.assertIn(opt, out)
        rc, out, _ = run(["--help"], env={"GRIDGOV_LANG": "en"})
        self.assertIn("Usage: gridgov", out)
        rc, out, _ = run([])
        self.assertEqual(rc, 2)

    def test_usage_errors_exit_2(self):
        for args in (["nope"], ["serve", "--nope"], ["serve", "--db"],
                     ["init", "extra"], ["serve", "--listen"],
                     ["version", "x"]):
            rc, _, err = run(args)
            self.assertEqual(rc, 2, args)
            self.assertTrue(err.startswith("gridgov"), args)

    def test_case_flow_diagrams_are_the_docs(self):
        """docs/cases.md shows the workflow tables as `gridgov cases flows`
        prints them: regenerate the block when case_flow.def changes."""
        rc, out, _ = run(["cases", "flows"])
        self.assertEqual(rc, 0)
        self.assertIn("stateDiagram-v2", out)
        with open(os.path.join(SOURCE, "docs", "cases.md")) as f:
            doc = f.read()
        block = doc.split("```mermaid\n", 1)[1].split("```", 1)[0]
        self.assertEqual(block, out)
        self.assertEqual(run(["cases", "flows", "--family", "nope"])[0], 2)
        self.assertEqual(run(["cases", "nope"])[0], 2)

    def test_bench_hash(self):
        rc, out, _ = run(["bench", "hash"])
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"^argon2_ms=\d+\.\d ops=\d+ mem_mb=\d+")
        self.assertEqual(run(["bench", "nope"])[0], 2)

    def test_version(self):
        rc, out, _ = run(["version"])
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"^gridgov \d+\.\d+\.\d+")

    def test_serve_with_wrong_db_fails_in_one_line(self):
        run(["init", "--db", self.db])
        missing = os.path.join(self.dir, "missing.db")
        rc, out, err = run(["serve", "--db", missing,
                            "--key-file", self.db + ".key"])
        self.assertEqual(rc, 1)
        lines = [l for l in err.splitlines() if l.startswith("gridgov:")]
        self.assertEqual(len(lines), 1, err)
        self.assertIn(missing, lines[0])
        self.assertIn("gridgov init", lines[0])

    def test_serve_with_unreadable_config(self):
        rc, _, err = run(["serve", "--config", os.path.join(self.dir, "no")])
        self.assertEqual(rc, 1)
        self.assertIn("配置文件", err)
        conf = os.path.join(self.dir, "bad.conf")
        with open(conf, "w") as f:
            f.write("listen = 127.0.0.1:0\nthreads = lots\n")
        rc, _, err = run(["serve", "--config", conf])
        self.assertEqual(rc, 1)
        self.assertIn("threads", err)

    def test_serve_with_missing_web_dir(self):
        run(["init", "--db", self.db])
        rc, _, err = run(["serve", "--db", self.db, "--web", self.dir])
        self.assertEqual(rc, 1)
        self.assertIn("index.html", err)

    def test_serve_on_a_file_that_is_not_a_database(self):
        with open(self.db, "w") as f:
            f.write("not a database " * 100)
        run(["init", "--db", os.path.join(self.dir, "other.db"),
             "--key-file", self.db + ".key"])
        rc, _, err = run(["serve", "--db", self.db])
        self.assertEqual(rc, 1)
        self.assertIn(self.db, err)

    def test_init_is_idempotent_and_makes_a_private_key(self):
        rc, out, _ = run(["init", "--db", self.db])
        self.assertEqual(rc, 0)
        key = self.db + ".key"
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
        with open(key) as f:
            first = f.read()
        rc, out, _ = run(["init", "--db", self.db])
        self.assertEqual(rc, 0)
        with open(key) as f:
            self.assertEqual(f.read(), first)  # never replaced
        os.chmod(key, 0o644)
        rc, _, err = run(["check", "--db", self.db])
        self.assertEqual(rc, 1)
        self.assertIn("0600", err + _)

    def test_demo_matches_the_domain(self):
        rc, out, err = run(["demo", "--db", self.db])
        self.assertEqual(rc, 0, err)
        self.assertIn("Gridgov@Demo2026", out)
        con = sqlite3.connect(self.db)
        q = lambda sql, *a: con.execute(sql, a).fetchone()[0]
        cs = "350702004005"  # 长沙社区
        self.assertEqual(q("select name from nodes where code=?", cs), "长沙社区")
        self.assertEqual(q("select count(*) from buildings where node_code like ?",
                           cs + "%"), 38)
        self.assertEqual(q("select count(*) from households where node_code like ?",
                           cs + "%"), 582)
        self.assertEqual(q("select count(*) from persons where household_id is "
                           "not null and node_code like ?", cs + "%"), 970)
        self.assertEqual(q("select count(*) from organisations where kind="
                           "'enterprise' and node_code like ?", cs + "%"), 30)
        over70 = q("select count(*) from persons where household_id is not null "
                   "and node_code like ? and birth_date <= date('now','-70 years')",
                   cs + "%")
        self.assertGreater(over70, 970 / 2)  # "most are over 70"
        dh = "370902001007"  # 东湖社区
        self.assertEqual(q("select count(*) from nodes where level='grid' and "
                           "parent_code=?", dh), 6)
        self.assertEqual(q("select count(*) from roster where post like "
                           "'grid_worker%' and node_code like ?", dh + "%"), 24)
        self.assertEqual(q("select count(*) from nodes where code in "
                           "('350702','370902')"), 2)
        summary = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", out))
        communities = (cs, dh)
        grids = {c: [r[0] for r in con.execute(
            "select code from nodes where parent_code = ? and level = 'grid' "
            "order by code", (c,))] for c in communities}

        # Boundaries: both communities and every 东湖 grid are drawn; 长沙's
        # last grid is not, so the coverage report has a gap to show.
        shapes, boxes = {}, {}
        for code, text, area, *box in con.execute(
                "select node_code, geojson, area_m2, min_lon, min_lat, "
                "max_lon, max_lat from node_geometry"):
            ring = shapes[code] = ring_of(text)
            boxes[code] = box
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            for got, want in zip(box, (min(xs), min(ys), max(xs), max(ys))):
                self.assertAlmostEqual(got, want, places=9, msg=code)
            self.assertTrue(box[0] < box[2] and box[1] < box[3], code)
            self.assertGreater(area, 10000, code)  # m², a few hectares
        self.assertEqual(summary["geometries"], len(shapes))
        self.assertEqual([g for g in grids[dh] if g not in shapes], [])
        self.assertEqual([g for g in grids[cs] if g not in shapes],
                         [cs + "004"])
        for c in communities:
            self.assertIn(c, shapes)
            drawn = [g for g in grids[c] if g in shapes]
            for g in drawn:  # inside the community's box
                self.assertTrue(boxes[c][0] <= boxes[g][0] and
                                boxes[c][1] <= boxes[g][1] and
                                boxes[g][2] <= boxes[c][2] and
                                boxes[g][3] <= boxes[c][3], g)
            # Siblings share borders: a lattice of points over the
            # community lies each in one grid at most (in exactly one
            # where every grid is drawn), and none outside it.
            x0, y0, x1, y1 = boxes[c]
            for i in range(40):
                for j in range(40):
                    x = x0 + (x1 - x0) * (i + 0.4142) / 40
                    y = y0 + (y1 - y0) * (j + 0.7321) / 40
                    n = sum(inside(shapes[g], x, y) for g in drawn)
                    if not inside(shapes[c], x, y):
                        self.assertEqual(n, 0, (c, x, y))
                    elif len(drawn) == len(grids[c]):
                        self.assertEqual(n, 1, (c, x, y))
                    else:
                        self.assertLessEqual(n, 1, (c, x, y))
        self.assertAlmostEqual(sum(planar_area(shapes[g]) for g in grids[dh]),
                               planar_area(shapes[dh]), places=12)
        self.assertLess(sum(planar_area(shapes[g]) for g in grids[cs]
                            if g in shapes), planar_area(shapes[cs]) * 0.9)
        # Every building and organisation with a location lies inside its
        # own grid and no other (an undrawn grid's: in its community only).
        located = con.execute(
            "select node_code, lon, lat from buildings where lon is not null "
            "union all select node_code, lon, lat from organisations where "
            "lon is not null").fetchall()
        self.assertEqual(len([r for r in located if r[0].startswith(dh)]),
                         36 + 16 + 3)  # + the service providers
        for node, x, y in located:
            c = node[:12]
            self.assertTrue(inside(shapes[c], x, y), node)
            self.assertEqual([g for g in grids[c]
                              if g in shapes and inside(shapes[g], x, y)],
                             [node] if node in shapes else [], (node, x, y))

        # The party tree (多网合一): a 党委 per community, a 党支部 per grid
        # under it with a secretary, one or two 党小组 per branch; members
        # are persons tagged 党员, some of them 党员中心户.
        for c in communities:
            committee = con.execute(
                "select id from party_orgs where node_code = ? and kind = "
                "'committee' and parent_id is null", (c,)).fetchall()
            self.assertEqual(len(committee), 1, c)
            branches = con.execute(
                "select id, node_code from party_orgs where parent_id = ? "
                "and kind = 'branch' order by node_code",
                (committee[0][0],)).fetchall()
            self.assertEqual([b[1] for b in branches], grids[c])
            self.assertEqual(q("select count(*) from party_members where "
                               "party_org_id = ? and duty = 'secretary'",
                               committee[0][0]), 1)
            for bid, grid in branches:
                self.assertEqual(q("select count(*) from party_members where "
                                   "party_org_id = ? and duty = 'secretary'",
                                   bid), 1, grid)
                self.assertGreaterEqual(q("select count(*) from party_members "
                                          "where party_org_id = ?", bid), 10)
                self.assertIn(q("select count(*) from party_orgs where "
                                "parent_id = ? and kind = 'group' and "
                                "node_code = ?", bid, grid), (1, 2), grid)
        self.assertEqual(q("select count(*) from party_members m where not "
                           "exists (select 1 from person_tags t where "
                           "t.person_id = m.person_id and t.tag = '党员')"), 0)
        self.assertGreater(q("select count(*) from party_members where "
                             "center_household = 1"), 10)
        self.assertEqual(q("select count(*) from party_orgs"),
                         summary["party_orgs"])
        self.assertEqual(q("select count(distinct person_id) from "
                           "party_members"), summary["party_members"])

        # The roster (一网多员) of every grid, and its care card (关爱卡):
        # chiefs, workers, police and household-link chiefs have service
        # numbers, none of them a mobile number.
        self.assertEqual(q("select count(*) from roster"),
                         summary["roster_posts"])
        # Police and officers from outside are persons of a grid they serve,
        # like the grid staff: the statistics by grid count everyone.
        self.assertEqual(q("select count(*) from persons where "
                           "length(node_code) != 15"), 0)
        every = {"grid_chief", "household_chief", "building_chief",
                 "unit_chief", "publicity", "safety", "mediation", "patrol",
                 "police", "law_enforcement", "sanitation", "urban_management"}
        for grid in grids[cs] + grids[dh]:
            posts = con.execute("select post, work_phone from roster where "
                                "node_code = ?", (grid,)).fetchall()
            self.assertEqual(every - {p for p, _ in posts}, set(), grid)
            phones = [(p, w) for p, w in posts if p in (
                "grid_chief", "grid_worker_full", "grid_worker_part",
                "police", "household_chief")]
            self.assertTrue(all(re.fullmatch(r"0\d{2,3}-\d{7,8}", w or "")
                                for _, w in phones), phones)
        for rid, grid, n, elsewhere in con.execute(
                "select r.id, r.node_code, count(*), sum(h.node_code != "
                "r.node_code) from roster r join roster_households l on "
                "l.roster_id = r.id join households h on h.id = "
                "l.household_id group by r.id"):
            self.assertTrue(5 <= n <= 10 and not elsewhere, (grid, n))
        self.assertEqual(q("select count(*) from roster r join buildings b "
                           "on b.id = r.building_id where b.node_code != "
                           "r.node_code"), 0)

        # Organisations: merchants, a property company and a social
        # organisation per community, two 共建单位 per street.
        for c in communities:
            kinds = dict(con.execute(
                "select kind, count(*) from organisations where node_code "
                "like ? group by kind", (c + "%",)).fetchall())
            self.assertEqual((kinds["property"], kinds["social"],
                              kinds["cobuild"]), (1, 1, 2), c)
            self.assertGreater(kinds["merchant"], 2, c)
        self.assertEqual(q("select count(*) from organisations where kind = "
                           "'cobuild' and not agreement_from < agreement_to"),
                         0)
        # ID numbers: sealed, masked, and none stored in the clear.
        masks = [r[0] for r in con.execute("select id_no_mask from persons")]
        self.assertTrue(all(re.fullmatch(r"\d{4}\*{10}\d{3}[\dX]", m)
                            for m in masks))
        self.assertTrue(all(m.startswith(("3507", "3709")) for m in masks))
        credit = {r[0].encode() for r in
                  con.execute("select credit_code from organisations")}
        con.close()
        with open(self.db, "rb") as f:
            data = f.read()
        # Credit codes are public and may look like ID numbers.
        leaks = id_numbers_in(data) - credit
        self.assertEqual(leaks, set())
        self.assertIsNone(PHONE_RE.search(data))

    def test_demo_twice_refuses(self):
        self.assertEqual(run(["demo", "--db", self.db])[0], 0)
        rc, _, err = run(["demo", "--db", self.db])
        self.assertEqual(rc, 1)
        self.assertIn("已有数据", err)

    def test_check(self):
        run(["demo", "--db", self.db])
        rc, out, err = run(["check", "--db", self.db])
        self.assertEqual(rc, 0, out + err)
        self.assertNotIn("未通过", out)
        os.unlink(self.db + ".key")
        rc, out, _ = run(["check", "--db", self.db], env={"GRIDGOV_LANG": "en"})
        self.assertEqual(rc, 1)
        self.assertIn("FAILED key file", out)
        self.assertIn("1 problem(s) found", out)

    def test_every_config_key_is_documented(self):
        rc, out, _ = run(["check", "--print-config", "--db", self.db])
        keys = [l.split(" = ")[0] for l in out.splitlines() if " = " in l]
        self.assertGreater(len(keys), 10)
        with open(os.path.join(SOURCE, "docs", "configuration.md")) as f:
            doc = f.read()
        for k in keys:
            self.assertIn("`%s`" % k, doc, k)


if __name__ == "__main__":
    unittest.main(verbosity=2)
