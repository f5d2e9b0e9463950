"""The gridgov command line: help, exit codes, init, demo, check."""
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import unittest

from harness import run, SOURCE, PHONE_RE, id_numbers_in

COMMANDS = ["serve", "init", "demo", "check", "audit", "bench", "version"]


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
