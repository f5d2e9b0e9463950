"""The authorization matrix, generated from the route table and the role
table: every route x every role x an object in the role's scope and one
outside it. A role without the route's capability gets 403; with it, the
object in scope answers and the one outside is exactly as if it did not
exist. No answer may carry a full ID or phone number, except an allowed
reveal. A route with no fixture here fails the test: add one with it."""
import json
import os
import re
import sqlite3
import struct
import time
import unittest
import zlib

from harness import (Client, Response, Server, SOURCE, ID_NO_RE, PHONE_RE,
                     error_of, id_numbers_in)

# One demo account for every role.
ACCOUNTS = {
    "grid_worker": "dh_grid01", "grid_chief": "dh_chief1",
    "household_chief": "dh_household", "community_worker": "dh_worker",
    "community_secretary": "dh_secretary", "street_center": "dh_admin",
    "district_admin": "ts_district", "department_staff": "ts_department",
    "resident": "dh_resident", "volunteer": "dh_volunteer",
    "sys_admin": "sysadmin", "sec_admin": "secadmin", "audit_admin": "auditor",
}
OUTSIDE = "110101"  # 东城区: a district no demo role reaches
STREAM = object()   # a fixture body: the route answers an endless stream


def png(seed):
    """A small valid PNG whose bytes (so hash) differ with seed."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    raw = b"".join(b"\x00" + bytes([seed & 255, (seed >> 8) & 255,
                                     (seed >> 16) & 255, y])
                   for y in range(2))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 2, 8, 6, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def read_tables():
    with open(os.path.join(SOURCE, "src", "api", "routes.def")) as f:
        routes = re.findall(r'^ROUTE\((\w+), "([^"]+)", (\w+), (\w+), (\w+), '
                            r'(\w+)\)', f.read(), re.M)
    with open(os.path.join(SOURCE, "src", "domain", "roles.def")) as f:
        roles = {}
        for name, caps in re.findall(r'^ROLE\((\w+), \w+, \w+, (.*)\)',
                                     f.read(), re.M):
            roles[name] = set(re.findall(r"CAP\((\w+)\)", caps))
    return routes, roles


class Matrix(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(demo=True, config={"login_rate_max": 100000}).start()
        cls.routes, cls.roles = read_tables()
        con = sqlite3.connect(cls.s.db)
        con.executescript("""
            INSERT INTO nodes(code, parent_code, level, name, created_at, updated_at)
              VALUES ('11', NULL, 'province', '北京市', 0, 0),
                     ('1101', '11', 'city', '市辖区', 0, 0),
                     ('110101', '1101', 'district', '东城区', 0, 0);
            INSERT INTO persons(node_code, name, sex, residence, created_at, updated_at)
              VALUES ('110101', '外区居民', '1', 'permanent', 0, 0);
            INSERT INTO accounts(username, display_name, password_hash, home_node,
                                 created_at, updated_at)
              VALUES ('outsider', '外区账号', 'x', '110101', 0, 0);
            INSERT INTO api_keys(name, prefix, key_hash, scopes, node_code,
                                 expires_at, created_at)
              VALUES ('外区密钥', 'gg_x', 'x', 'open311', '110101', 4102444800, 0);
            -- Grids to change the hierarchy under: renamed (901), with
            -- micro-grids to move (901 -> 902) and to retire (903).
            INSERT INTO nodes(code, parent_code, level, name, created_at, updated_at)
              VALUES ('370902001007901', '370902001007', 'grid', '矩阵一', 0, 0),
                     ('370902001007902', '370902001007', 'grid', '矩阵二', 0, 0),
                     ('370902001007903', '370902001007', 'grid', '矩阵三', 0, 0);
        """)
        cls.out_person = con.execute(
            "select id from persons where node_code = ?", (OUTSIDE,)).fetchone()[0]
        cls.out_account = con.execute(
            "select id from accounts where username = 'outsider'").fetchone()[0]
        cls.out_key = con.execute(
            "select id from api_keys where node_code = ?", (OUTSIDE,)).fetchone()[0]
        cls.con = con
        cls.clients = {}
        for role, user in ACCOUNTS.items():
            c = Client(cls.s)
            r = c.login(user)
            assert r.status == 200, (user, r.body)
            if c.request("GET", "/api/v1/me").json()["totp_required"]:
                c.enrol_totp()
            me = c.request("GET", "/api/v1/me").json()
            c.node = me["roles"][0]["node_code"]
            c.account_id = me["id"]
            cls.clients[role] = c
        sec = cls.clients["sec_admin"]
        r = sec.request("POST", "/api/v1/accounts", json_body={
            "username": "matrix_target", "display_name": "矩阵目标",
            "home_node": "370902001007",
            "roles": [{"role": "grid_worker", "node_code": "370902001007001"}]})
        assert r.status == 201, r.body
        cls.in_account = r.json()["account"]["id"]
        r = sec.request("POST", "/api/v1/api-keys", json_body={
            "name": "矩阵", "scopes": ["registry.read"],
            "node_code": "370902001", "expires_at": "2099-01-01"})
        assert r.status == 201, r.body
        cls.in_key = r.json()["api_key"]["id"]
        cls.serial = cls.case_serial = 0
        # Photos nobody else may see: uploaded, in no case.
        cls.foreign_photo = {}
        for role in ("resident", "volunteer"):
            r = cls.clients[role].request(
                "POST", "/api/v1/photos", body=png(900000 + len(role)),
                headers={"Content-Type": "image/png"})
            assert r.status == 201, r.body
            cls.foreign_photo[role] = r.json()["hash"]
        # A notification of someone else's.
        cls.out_note = con.execute(
            "INSERT INTO notifications(account_id, at, kind) VALUES (?, 0, "
            "'case.closed')", (cls.out_account,)).lastrowid
        con.commit()

    @classmethod
    def tearDownClass(cls):
        cls.con.close()
        cls.s.cleanup()

    def person_in(self, node):
        return self.con.execute(
            "select id from persons where node_code >= ? and node_code < ? "
            "|| ':' order by id limit 1", (node, node)).fetchone()[0]

    def micro(self, grid, n):
        """A new empty micro-grid under one of the matrix grids."""
        code = "%s%03d" % (grid, n % 1000)
        self.con.execute("INSERT INTO nodes(code, parent_code, level, name, "
                         "created_at, updated_at) VALUES (?, ?, 'microgrid', "
                         "'矩阵', 0, 0)", (code, grid))
        self.con.commit()
        return code

    def person_body(self, node):
        """The current record of the first person under node, as a PUT."""
        pid, version, name, residence = self.con.execute(
            "select id, version, name, residence from persons where "
            "node_code >= ? and node_code < ? || ':' order by id limit 1",
            (node, node)).fetchone()
        return {"version": version, "node_code": node, "name": name,
                "residence": residence}

    # The registry records, as the tables they live in and the body a
    # create or an update sends.
    RECORDS = {
        "buildings": ("buildings", "INSERT INTO buildings(node_code, name, "
                      "address, kind, created_at, updated_at) VALUES (?, "
                      "'矩阵楼', '矩阵路1号', 'residential', 0, 0)",
                      {"name": "矩阵楼", "address": "矩阵路", "kind": "other"}),
        "organisations": ("organisations", "INSERT INTO organisations("
                          "node_code, kind, name, created_at, updated_at) "
                          "VALUES (?, 'merchant', '矩阵商户', 0, 0)",
                          {"kind": "merchant", "name": "矩阵商户"}),
        "party_orgs": ("party_orgs", "INSERT INTO party_orgs(node_code, "
                       "kind, name, created_at, updated_at) VALUES (?, "
                       "'committee', '矩阵党委', 0, 0)",
                       {"kind": "committee", "name": "矩阵党委"}),
    }

    def record(self, kind, node):
        """A new record of kind under node, straight into the database."""
        if kind == "households":
            b = self.record("buildings", node)
            cur = self.con.execute(
                "INSERT INTO households(node_code, building_id, room, "
                "created_at, updated_at) VALUES (?, ?, '101', 0, 0)",
                (node, b))
        else:
            cur = self.con.execute(self.RECORDS[kind][1], (node,))
        self.con.commit()
        return cur.lastrowid

    def grid_under(self, node):
        """A node that may hold records: node itself from the community
        down, else its first grid."""
        if len(node) >= 12:
            return node
        return self.con.execute(
            "select code from nodes where level = 'grid' and code > ? and "
            "code < ? || ':' order by code limit 1", (node, node)).fetchone()[0]

    def new_person(self, node):
        cur = self.con.execute(
            "INSERT INTO persons(node_code, name, sex, residence, created_at, "
            "updated_at) VALUES (?, '矩阵人员', '1', 'permanent', 0, 0)", (node,))
        self.con.commit()
        return cur.lastrowid

    def record_fixtures(self, n, node):
        """Fixtures of the list/get/create/update/history routes of every
        registry record kind."""
        f = {}
        grid = self.grid_under(node)
        out_grid = OUTSIDE
        for kind in ("buildings", "households", "organisations",
                     "party_orgs"):
            path = "/api/v1/" + kind.replace("_", "-")
            f["api_%s_list" % kind] = [
                ("in", path + "?node=" + node, None, 200),
                ("out", path + "?node=" + OUTSIDE, None, 200)]
            f["api_%s_get" % kind] = [
                ("in", "%s/%d" % (path, self.record(kind, node)), None, 200),
                ("out", "%s/%d" % (path, self.record(kind, OUTSIDE)), None,
                 404)]
            f["api_%s_history" % kind] = [
                ("in", "%s/%d/history" % (path, self.record(kind, node)),
                 None, 200),
                ("out", "%s/%d/history" % (path, self.record(kind, OUTSIDE)),
                 None, 404)]
            if kind == "households":
                body_in = {"building_id": self.record("buildings", grid),
                           "room": "R%d" % n}
                body_out = {"building_id": self.record("buildings", OUTSIDE),
                            "room": "R%d" % n}
                update = {"version": 1, "room": "U%d" % n}
            else:
                body_in = dict(self.RECORDS[kind][2], node_code=grid)
                body_out = dict(self.RECORDS[kind][2], node_code=out_grid)
                update = {"version": 1, "name": "改名%d" % n}
            f["api_%s_create" % kind] = [("in", path, body_in, 201),
                                         ("out", path, body_out, 400)]
            f["api_%s_update" % kind] = [
                ("in", "%s/%d" % (path, self.record(kind, grid)), update, 200),
                ("out", "%s/%d" % (path, self.record(kind, OUTSIDE)), update,
                 404)]
        posts = ["publicity", "safety", "mediation", "patrol", "police",
                 "law_enforcement", "sanitation", "urban_management"]
        roster_node = grid
        f["api_roster_add"] = [
            ("in", "/api/v1/nodes/%s/roster" % roster_node,
             {"person_id": self.new_person(roster_node),
              "post": posts[n % len(posts)]}, 201),
            ("out", "/api/v1/nodes/%s/roster" % OUTSIDE,
             {"person_id": self.out_person, "post": "police"}, 404)]
        rid = self.con.execute(
            "INSERT INTO roster(node_code, person_id, post, since) VALUES "
            "(?, ?, 'patrol', 0)", (node, self.new_person(node))).lastrowid
        out_rid = self.con.execute(
            "INSERT INTO roster(node_code, person_id, post, since) VALUES "
            "(?, ?, 'patrol', 0)", (OUTSIDE, self.new_person(OUTSIDE))
        ).lastrowid
        self.con.commit()
        f["api_roster_remove"] = [
            ("in", "/api/v1/roster/%d" % rid, None, 204),
            ("out", "/api/v1/roster/%d" % out_rid, None, 404)]
        for handler, tail in (("api_roster_list", "roster"),
                              ("api_roster_care_card", "care-card"),
                              ("api_nodes_overview", "overview")):
            f[handler] = [
                ("in", "/api/v1/nodes/%s/%s" % (node, tail), None, 200),
                ("out", "/api/v1/nodes/%s/%s" % (OUTSIDE, tail), None, 404)]
        member = "/api/v1/party-orgs/%d/members/%d"
        f["api_party_member_put"] = [
            ("in", member % (self.record("party_orgs", node),
                             self.person_in(node)), {"duty": "member"}, 200),
            ("out", member % (self.record("party_orgs", OUTSIDE),
                              self.out_person), {"duty": "member"}, 404)]
        org, out_org = (self.record("party_orgs", node),
                        self.record("party_orgs", OUTSIDE))
        for o, nd in ((org, node), (out_org, OUTSIDE)):
            self.con.execute(
                "INSERT INTO party_members(party_org_id, person_id, "
                "node_code, duty, since) VALUES (?, ?, ?, 'member', 0)",
                (o, self.new_person(nd), nd))
        self.con.commit()
        pm = lambda o: self.con.execute(
            "select person_id from party_members where party_org_id = ?",
            (o,)).fetchone()[0]
        f["api_party_member_delete"] = [
            ("in", member % (org, pm(org)), None, 204),
            ("out", member % (out_org, pm(out_org)), None, 404)]
        # Boundaries: a community of the role's own (a fresh one under the
        # street when the role sits higher), drawn or cleared.
        geo = node if len(node) == 12 else self.community(n)
        square = {"type": "Polygon", "coordinates": [[
            [116, 36], [116.01, 36], [116.01, 36.01], [116, 36.01],
            [116, 36]]]}
        f["api_map_geometry_put"] = [
            ("in", "/api/v1/nodes/%s/geometry" % geo,
             {"version": self.version(geo), "geometry": square}, 200),
            ("out", "/api/v1/nodes/%s/geometry" % OUTSIDE,
             {"version": 1, "geometry": square}, 404)]
        drawn = geo
        self.con.execute(
            "INSERT OR REPLACE INTO node_geometry VALUES (?, ?, 1e6, 116, 36, "
            "116.01, 36.01, 1, 0)", (drawn, json.dumps(square)))
        self.con.commit()
        f["api_map_geometry_delete"] = [
            ("in", "/api/v1/nodes/%s/geometry?version=%d"
             % (drawn, self.version(drawn)), None, 204),
            ("out", "/api/v1/nodes/%s/geometry?version=1" % OUTSIDE, None,
             404)]
        # Roles below a community have none to report on: a grid is a 400.
        covered = node if len(node) >= 12 else self.community(n + 250)
        self.con.execute(
            "INSERT OR REPLACE INTO node_geometry VALUES (?, ?, 1e6, 116, 36, "
            "116.01, 36.01, 1, 0)", (covered, json.dumps(square)))
        self.con.commit()
        f["api_map_coverage"] = [
            ("in", "/api/v1/nodes/%s/coverage" % covered, None,
             200 if len(covered) == 12 else 400),
            ("out", "/api/v1/nodes/%s/coverage" % OUTSIDE, None, 404)]
        f["api_map_get"] = [("in", "/api/v1/map?node=" + node, None, 200),
                            ("out", "/api/v1/map?node=" + OUTSIDE, None, 404)]
        f["api_map_locate"] = [
            ("in", "/api/v1/locate?lon=117.1&lat=36.2", None, 200),
            ("out", "/api/v1/locate?lon=116.3&lat=39.9", None, 200)]
        # Imports: a CSV upload, jobs in and out of scope, their reports.
        f["api_imports_create"] = [
            ("in", "/api/v1/imports?kind=persons&dry_run=1&node=" + node,
             "姓名,居住类型\n矩阵,常住\n".encode(), 202),
            ("out", "/api/v1/imports?kind=persons&node=" + OUTSIDE,
             "姓名\n".encode(), 404)]
        jobs = {}
        for label, nd in (("in", node), ("out", OUTSIDE)):
            jobs[label] = self.con.execute(
                "INSERT INTO import_jobs(kind, node_code, state, dry_run, "
                "mode, created_at) VALUES ('persons', ?, 'done', 1, 'all', "
                "0)", (nd,)).lastrowid
            updir = self.s.db + ".uploads"
            os.makedirs(updir, exist_ok=True)
            with open(os.path.join(updir, "job-%d-report.xlsx"
                                   % jobs[label]), "wb") as fh:
                fh.write(b"PK")
        self.con.commit()
        f["api_imports_get"] = [
            (label, "/api/v1/imports/%d" % jobs[label], None,
             200 if label == "in" else 404) for label in ("in", "out")]
        f["api_imports_report"] = [
            (label, "/api/v1/imports/%d/report" % jobs[label], None,
             200 if label == "in" else 404) for label in ("in", "out")]
        f["api_imports_template"] = [
            ("in", "/api/v1/imports/templates/persons", None, 200),
            ("out", "/api/v1/imports/templates/cats", None, 404)]
        f["api_exports_get"] = [
            ("in", "/api/v1/exports/buildings?node=" + node, None, 200),
            ("out", "/api/v1/exports/persons?node=" + OUTSIDE, None, 200)]
        return f

    def community(self, n):
        """A community of its own under 岱庙街道 (every writing role's
        scope reaches it)."""
        code = "370902001%03d" % (100 + n % 800)
        self.con.execute(
            "INSERT OR IGNORE INTO nodes(code, parent_code, level, name, "
            "created_at, updated_at) VALUES (?, '370902001', 'community', "
            "'矩阵社区', 0, 0)", (code,))
        self.con.commit()
        return code

    def version(self, code):
        return self.con.execute("select version from nodes where code = ?",
                                (code,)).fetchone()[0]

    # ---- the case engine's routes ----

    def department(self, node, n, member=None):
        """A department at node, straight into the database."""
        did = self.con.execute(
            "INSERT INTO departments(node_code, name, created_at, "
            "updated_at) VALUES (?, ?, 0, 0)", (node, "矩阵部门%d" % n)
        ).lastrowid
        if member:
            self.con.execute(
                "INSERT INTO department_members(department_id, account_id, "
                "since) VALUES (?, ?, 0)", (did, member))
        self.con.commit()
        return did

    def service(self, node, n):
        sid = self.con.execute(
            "INSERT INTO services(node_code, category, name, created_at, "
            "updated_at) VALUES (?, 'meals', ?, 0, 0)",
            (node, "矩阵服务%d" % n)).lastrowid
        self.con.commit()
        return sid

    def case(self, node, reporter):
        """A reported issue at node, straight into the database."""
        now = int(time.time())
        cid = self.con.execute(
            "INSERT INTO cases(family, category, source, urgency, state, "
            "title, node_code, level_code, reporter_id, reported_at, "
            "updated_at) VALUES ('issue', 'greening', 'resident', 1, "
            "'reported', '矩阵案件', ?, ?, ?, ?, ?)",
            (node, node[:15], reporter, now, now)).lastrowid
        self.con.commit()
        return cid

    def case_in(self, role, c):
        """A case the role may see: under its node for staff (reported by
        someone else), its own report for everyone else."""
        if "CASE_HANDLE" in self.roles[role]:
            return self.case(self.grid_under(c.node), self.in_account)
        return self.case(self.grid_under(c.node), c.account_id)

    CASE_HANDLERS = {
        "api_departments_list", "api_departments_create",
        "api_departments_get", "api_departments_update",
        "api_departments_history", "api_department_members",
        "api_department_member_put", "api_department_member_delete",
        "api_services_list", "api_services_create", "api_services_get",
        "api_services_update", "api_services_history", "api_catalogue",
        "api_cases_list", "api_cases_create", "api_cases_stats",
        "api_cases_departments", "api_cases_get", "api_cases_log",
        "api_cases_assignees", "api_cases_act", "api_case_flows",
        "api_case_rules_list", "api_case_rules_put", "api_calendar_get",
        "api_calendar_put", "api_photos_create", "api_photos_get",
        "api_points_ranking", "api_points_ledger", "api_me_notifications",
        "api_me_notifications_read", "api_me_events"}

    def case_fixture(self, handler, role, c, n):
        """The fixtures of the case engine's routes, built only for the
        route asked for (they write cases, departments and photos)."""
        node = c.node
        caps = self.roles[role]
        grid = self.grid_under(node)
        if handler.startswith("api_department"):
            path = "/api/v1/departments"
            if handler == "api_departments_list":
                return [("in", path + "?node=" + node, None, 200),
                        ("out", path + "?node=" + OUTSIDE, None, 200)]
            if handler == "api_departments_create":
                # A department belongs to a district or street: roles
                # below a street have none in scope to put it at.
                return [("in", path, {"node_code": node, "name": "部门%d" % n,
                                      "phone": "0538-6227788"},
                         201 if len(node) <= 9 else 400),
                        ("out", path, {"node_code": OUTSIDE, "name": "x"},
                         400)]
            inside, outside = self.department(node, n), \
                self.department(OUTSIDE, n)
            one = path + "/%d"
            if handler == "api_departments_get":
                return [("in", one % inside, None, 200),
                        ("out", one % outside, None, 404)]
            if handler == "api_departments_update":
                body = {"version": 1, "duty": "矩阵职责%d" % n}
                return [("in", one % inside, body,
                         200 if len(node) <= 9 else 400),
                        ("out", one % outside, body, 404)]
            if handler == "api_departments_history":
                return [("in", one % inside + "/history", None, 200),
                        ("out", one % outside + "/history", None, 404)]
            if handler == "api_department_members":
                return [("in", one % inside + "/members", None, 200),
                        ("out", one % outside + "/members", None, 404)]
            member = one + "/members/%d"
            if handler == "api_department_member_put":
                return [("in", member % (inside, self.in_account), None, 204),
                        ("out", member % (outside, self.in_account), None,
                         404)]
            inside = self.department(node, n + 10000, self.in_account)
            outside = self.department(OUTSIDE, n + 10000, self.in_account)
            return [("in", member % (inside, self.in_account), None, 204),
                    ("out", member % (outside, self.in_account), None, 404)]
        if handler.startswith("api_services"):
            path = "/api/v1/services"
            if handler == "api_services_list":
                return [("in", path + "?node=" + node, None, 200),
                        ("out", path + "?node=" + OUTSIDE, None, 200)]
            if handler == "api_services_create":
                return [("in", path, {"node_code": grid, "category": "meals",
                                      "name": "助餐%d" % n,
                                      "price": "每餐10元"}, 201),
                        ("out", path, {"node_code": OUTSIDE,
                                       "category": "meals", "name": "x"},
                         400)]
            one = path + "/%d"
            inside, outside = self.service(grid, n), self.service(OUTSIDE, n)
            if handler == "api_services_get":
                return [("in", one % inside, None, 200),
                        ("out", one % outside, None, 404)]
            if handler == "api_services_update":
                body = {"version": 1, "name": "改名%d" % n, "active": 0}
                return [("in", one % inside, body, 200),
                        ("out", one % outside, body, 404)]
            return [("in", one % inside + "/history", None, 200),
                    ("out", one % outside + "/history", None, 404)]
        if handler == "api_catalogue":
            return [("self", "/api/v1/catalogue", None, 200)]
        # Staff see the cases under their nodes and 404 a node outside;
        # everyone else filters only their own cases.
        handles = "CASE_HANDLE" in caps
        if handler == "api_cases_list":
            return [("in", "/api/v1/cases?node=" + node, None, 200),
                    ("out", "/api/v1/cases?node=" + OUTSIDE, None,
                     404 if handles else 200)]
        if handler == "api_cases_create":
            return [("in", "/api/v1/cases",
                     {"family": "issue", "category": "greening",
                      "title": "矩阵%d" % n, "node_code": grid}, 201),
                    ("out", "/api/v1/cases",
                     {"family": "issue", "category": "greening",
                      "title": "矩阵%d" % n, "node_code": OUTSIDE}, 400)]
        if handler in ("api_cases_stats", "api_points_ranking",
                       "api_points_ledger"):
            path = {"api_cases_stats": "/api/v1/cases/stats?group=state&",
                    "api_points_ranking": "/api/v1/points/ranking?",
                    "api_points_ledger": "/api/v1/points/ledger?"}[handler]
            return [("in", path + "node=" + node, None, 200),
                    ("out", path + "node=" + OUTSIDE, None, 404)]
        if handler == "api_cases_departments":
            return [("self", "/api/v1/cases/departments", None, 200)]
        out_case = self.case(OUTSIDE, self.out_account)
        if handler in ("api_cases_get", "api_cases_log",
                       "api_cases_assignees"):
            tail = {"api_cases_get": "", "api_cases_log": "/log",
                    "api_cases_assignees": "/assignees"}[handler]
            return [("in", "/api/v1/cases/%d%s" % (self.case_in(role, c),
                                                   tail), None, 200),
                    ("out", "/api/v1/cases/%d%s" % (out_case, tail), None,
                     404)]
        if handler == "api_cases_act":
            # Staff accept a case in their grid; a reporter withdraws
            # their own, and may not accept it.
            act = "/api/v1/cases/%d/actions"
            f = [("out", act % out_case, {"action": "comment",
                                          "note": "矩阵"}, 404)]
            if handles:
                return f + [("in", act % self.case_in(role, c),
                             {"action": "accept", "version": 1}, 200)]
            return f + [("holder", act % self.case_in(role, c),
                         {"action": "accept"}, 403),
                        ("in", act % self.case_in(role, c),
                         {"action": "withdraw", "version": 1}, 200)]
        if handler == "api_case_flows":
            return [("self", "/api/v1/case-flows", None, 200)]
        if handler == "api_case_rules_list":
            return [("self", "/api/v1/case-rules", None, 200)]
        if handler == "api_case_rules_put":
            return [("self", "/api/v1/case-rules",
                     {"family": "hazard", "category": "gas", "urgency": 2,
                      "response_min": 30 + n % 30, "resolve_min": 480,
                      "clock": "work"}, 200)]
        if handler == "api_calendar_get":
            return [("self", "/api/v1/calendar?year=2031", None, 200)]
        if handler == "api_calendar_put":
            return [("in", "/api/v1/calendar/2031",
                     {"days": [{"day": "2031-10-0%d" % (1 + n % 7),
                                "work": False, "name": "国庆节"}]}, 200),
                    ("out", "/api/v1/calendar/1969", {"days": []}, 404)]
        if handler == "api_photos_create":
            return [("self", "/api/v1/photos", ("image/png", png(n)), 201)]
        if handler == "api_photos_get":
            other = self.foreign_photo[
                "volunteer" if role == "resident" else "resident"]
            mine = other
            if "CASE_REPORT" in caps:
                r = c.request("POST", "/api/v1/photos", body=png(500000 + n),
                              headers={"Content-Type": "image/png"})
                self.assertEqual(r.status, 201, r.body)
                mine = r.json()["hash"]
            return [("in", "/api/v1/photos/" + mine, None, 200),
                    ("out", "/api/v1/photos/" + other, None, 404)]
        if handler == "api_me_notifications":
            return [("self", "/api/v1/me/notifications", None, 200)]
        if handler == "api_me_notifications_read":
            return [("self", "/api/v1/me/notifications/read", {"up_to": 1},
                     200),
                    ("out", "/api/v1/me/notifications/read",
                     {"id": self.out_note}, 200)]
        if handler == "api_me_events":
            return [("self", "/api/v1/me/events", STREAM, 200)]
        return None

    def stream(self, c, url):
        """GET an event stream: the status and headers, not its body."""
        conn = self.s.connection(timeout=10)
        try:
            h = {"Cookie": "; ".join("%s=%s" % kv
                                     for kv in c.cookies.items())}
            conn.request("GET", url, headers=h)
            r = conn.getresponse()
            ctype = r.getheader("Content-Type") or ""
            body = b"" if ctype.startswith("text/event-stream") else r.read()
            return Response(r.status, r.getheaders(), body)
        finally:
            conn.close()

    def fixture(self, handler, role, c):
        """(method-specific) requests: a list of (label, path, body,
        expected status when allowed)."""
        if handler in self.CASE_HANDLERS:
            # A count of their own: the other fixtures' codes wrap at 1000.
            Matrix.case_serial += 1
            return self.case_fixture(handler, role, c, Matrix.case_serial)
        Matrix.serial += 1
        n = Matrix.serial
        node = c.node
        admin = role in ("sys_admin", "sec_admin", "audit_admin")
        f = self.record_fixtures(n, node)
        f.update({
            "api_me_password": [("self", "/api/v1/me/password",
                                 {"old_password": "nope-nope-nope",
                                  "new_password": "Whatever-2026!"}, 400)],
            "api_me_totp_begin": [("self", "/api/v1/me/totp", None, 200)],
            "api_me_totp_confirm": [("self", "/api/v1/me/totp/confirm",
                                     {"code": "12345x"}, 400)],
            "api_me_totp_disable": [("self", "/api/v1/me/totp",
                                     {"password": "nope"},
                                     403 if admin else 400)],
            "api_me_sessions": [("self", "/api/v1/me/sessions", None, 200)],
            "api_me_session_end": [("out", "/api/v1/me/sessions/"
                                    "0123456789abcdef", None, 404)],
            "api_me_get": [("self", "/api/v1/me", None, 200)],
            "api_session_delete": [],  # tested last, below
            "api_nodes_list": [("in", "/api/v1/nodes?parent=" + node[:-3]
                                if len(node) > 6 else "/api/v1/nodes", None,
                                200),
                               ("out", "/api/v1/nodes?parent=" + OUTSIDE,
                                None, 200)],
            "api_nodes_get": [("in", "/api/v1/nodes/" + node, None, 200),
                              ("out", "/api/v1/nodes/" + OUTSIDE, None, 404)],
            "api_nodes_create": [
                ("in", "/api/v1/nodes", {"code": "370902001007%03d" % (
                    100 + n % 800), "parent_code": "370902001007",
                    "name": "矩阵%d" % n}, 201),
                ("out", "/api/v1/nodes", {"code": "110101001",
                                          "parent_code": OUTSIDE,
                                          "name": "x"}, 400)],
            "api_nodes_update": [
                ("in", "/api/v1/nodes/370902001007901",
                 {"version": self.version("370902001007901"),
                  "name": "矩阵%d" % n}, 200),
                ("out", "/api/v1/nodes/" + OUTSIDE,
                 {"version": 1, "name": "x"}, 404)],
            "api_nodes_move": [
                ("in", "/api/v1/nodes/%s/move" % self.micro(
                    "370902001007901", n),
                 {"version": 1, "parent_code": "370902001007902",
                  "new_code": "370902001007902%03d" % (n % 1000)}, 200),
                ("out", "/api/v1/nodes/%s/move" % OUTSIDE,
                 {"version": 1, "parent_code": "370902001007902",
                  "new_code": "370902001007902999"}, 404)],
            "api_nodes_retire": [
                ("in", "/api/v1/nodes/%s/retire" % self.micro(
                    "370902001007903", n), {"version": 1}, 204),
                ("out", "/api/v1/nodes/%s/retire" % OUTSIDE, {"version": 1},
                 404)],
            "api_nodes_history": [
                ("in", "/api/v1/nodes/%s/history" % node, None, 200),
                ("out", "/api/v1/nodes/%s/history" % OUTSIDE, None, 404)],
            "api_persons_list": [("in", "/api/v1/persons?node=" + node, None,
                                  200),
                                 ("out", "/api/v1/persons?node=" + OUTSIDE,
                                  None, 200)],
            "api_persons_create": [
                ("in", "/api/v1/persons",
                 {"node_code": "370902001007001", "name": "矩阵%d" % n,
                  "residence": "permanent"}, 201),
                ("out", "/api/v1/persons",
                 {"node_code": OUTSIDE, "name": "x",
                  "residence": "permanent"}, 400)],
            "api_persons_get": [
                ("in", "/api/v1/persons/%d" % self.person_in(node), None, 200),
                ("out", "/api/v1/persons/%d" % self.out_person, None, 404)],
            "api_persons_update": [
                ("in", "/api/v1/persons/%d" % self.person_in(
                    "370902001007001"),
                 dict(self.person_body("370902001007001"),
                      name="矩阵%d" % n), 200),
                ("out", "/api/v1/persons/%d" % self.out_person,
                 {"version": 1, "node_code": OUTSIDE, "name": "x",
                  "residence": "permanent"}, 404)],
            "api_persons_history": [
                ("in", "/api/v1/persons/%d/history" % self.person_in(node),
                 None, 200),
                ("out", "/api/v1/persons/%d/history" % self.out_person, None,
                 404)],
            "api_persons_stats": [
                ("in", "/api/v1/persons/stats?node=" + node, None, 200),
                ("out", "/api/v1/persons/stats?node=" + OUTSIDE, None, 200)],
            "api_persons_reveal": [
                ("in", "/api/v1/persons/%d/reveal" % self.person_in(node),
                 {"fields": ["id_no", "phone"], "reason": "矩阵测试"}, 200),
                ("out", "/api/v1/persons/%d/reveal" % self.out_person,
                 {"fields": ["id_no"], "reason": "矩阵测试"}, 404)],
            "api_accounts_list": [("in", "/api/v1/accounts", None, 200),
                                  ("out", "/api/v1/accounts?q=outsider",
                                   None, 200)],
            "api_accounts_create": [
                ("in", "/api/v1/accounts",
                 {"username": "mx_%d" % n, "display_name": "x",
                  "home_node": "370902001007", "roles": []}, 201),
                ("out", "/api/v1/accounts",
                 {"username": "mx_out_%d" % n, "display_name": "x",
                  "home_node": OUTSIDE, "roles": []}, 400)],
            "api_accounts_get": self.by_id("/api/v1/accounts/%d", None, 200),
            # The target is new (version 1): the update succeeds and moves
            # it on, so the roles change after it is stale.
            "api_accounts_update": self.by_id(
                "/api/v1/accounts/%d", {"version": 1, "display_name": "y"},
                200),
            "api_accounts_roles": self.by_id(
                "/api/v1/accounts/%d/roles", {"version": 1, "roles": []},
                409),
            "api_accounts_reset": self.by_id(
                "/api/v1/accounts/%d/password-reset", None, 200),
            "api_accounts_unlock": self.by_id(
                "/api/v1/accounts/%d/unlock", None, 204),
            "api_accounts_end_sessions": self.by_id(
                "/api/v1/accounts/%d/sessions", None, 204),
            "api_keys_list": [("in", "/api/v1/api-keys", None, 200)],
            "api_keys_create": [
                ("in", "/api/v1/api-keys",
                 {"name": "k%d" % n, "scopes": ["open311"],
                  "node_code": "370902001", "expires_at": "2099-01-01"}, 201),
                ("out", "/api/v1/api-keys",
                 {"name": "k%d" % n, "scopes": ["open311"],
                  "node_code": OUTSIDE, "expires_at": "2099-01-01"}, 400)],
            "api_keys_revoke": [("in", "/api/v1/api-keys/%d" % self.in_key,
                                 None, 204),
                                ("out", "/api/v1/api-keys/%d" % self.out_key,
                                 None, 404)],
            "api_audit_list": [("in", "/api/v1/audit", None, 200)],
            "api_audit_verify": [("in", "/api/v1/audit/verify", None, 200)],
        })
        return f.get(handler)

    def by_id(self, pattern, body, status):
        return [("in", pattern % self.in_account, body, status),
                ("out", pattern % self.out_account, body, 404)]

    def test_matrix(self):
        pairs = requests = 0
        problems = []
        for method, path, handler, perm, body, key in self.routes:
            if perm in ("PUBLIC", "LOCAL"):
                continue
            for role, c in self.clients.items():
                fx = self.fixture(handler, role, c)
                if fx is None:
                    self.fail("no fixture for route %s" % handler)
                pairs += 1
                allowed = perm in ("SELF", "SESSION") or \
                    perm in self.roles[role]
                for label, url, jb, want in fx:
                    requests += 1
                    if isinstance(jb, bytes):  # an upload
                        r = c.request(method, url, body=jb,
                                      headers={"Content-Type": "text/csv"})
                    elif isinstance(jb, tuple):  # (content type, bytes)
                        r = c.request(method, url, body=jb[1],
                                      headers={"Content-Type": jb[0]})
                    elif jb is STREAM:
                        r = self.stream(c, url)
                        if r.status == 200 and not r.header(
                                "Content-Type").startswith(
                                    "text/event-stream"):
                            problems.append((role, handler, label, 200,
                                             "not an event stream"))
                    else:
                        r = c.request(method, url, json_body=jb)
                    got = r.status
                    if not allowed:
                        if got != 403 or error_of(r)["code"] != "forbidden":
                            problems.append((role, handler, label, got,
                                             "expected 403"))
                        continue
                    if got != want:
                        problems.append((role, handler, label, got,
                                         "expected %d: %s" % (want,
                                                              r.body[:200])))
                    if handler in ("api_persons_list", "api_accounts_list",
                                   "api_nodes_list", "api_buildings_list",
                                   "api_households_list",
                                   "api_organisations_list",
                                   "api_party_orgs_list",
                                   "api_departments_list",
                                   "api_services_list",
                                   "api_cases_list") and label == "out" \
                            and got == 200:
                        items = r.json()["items"]
                        if items:
                            problems.append((role, handler, label, got,
                                             "outside objects listed"))
                    if handler == "api_persons_stats" and label == "out" \
                            and r.json()["total"]:
                        problems.append((role, handler, label, got,
                                         "outside persons counted"))
                    if handler == "api_me_notifications_read" and \
                            label == "out" and r.json()["changed"]:
                        problems.append((role, handler, label, got,
                                         "someone else's notification read"))
                    if handler == "api_keys_list":
                        if any(k["node_code"] == OUTSIDE
                               for k in r.json()["items"]):
                            problems.append((role, handler, label, got,
                                             "outside key listed"))
                    revealed = handler == "api_persons_reveal" and \
                        label == "in" and got == 200
                    # Micro-grid codes are 18 digits too: only a number
                    # with a real birth date and check digit counts.
                    if not revealed and (id_numbers_in(r.body) or
                                         PHONE_RE.search(r.body)):
                        problems.append((role, handler, label, got,
                                         "personal data in the answer"))
        # Last: everyone can log out, and is out after it.
        for role, c in self.clients.items():
            pairs += 1
            requests += 2
            if c.request("DELETE", "/api/v1/session").status != 204 or \
                    c.request("GET", "/api/v1/me").status != 401:
                problems.append((role, "api_session_delete", "self", 0, ""))
        print("\nauthorization matrix: %d route x role pairs, %d requests, "
              "%d problems" % (pairs, requests, len(problems)))
        self.maxDiff = None
        self.assertEqual(problems, [])
        self.assertGreater(pairs, 300)
        # Nothing personal reached the server's log either.
        log = self.s.read_log()
        self.assertIsNone(ID_NO_RE.search(log))
        self.assertIsNone(PHONE_RE.search(log))


if __name__ == "__main__":
    unittest.main(verbosity=2)
