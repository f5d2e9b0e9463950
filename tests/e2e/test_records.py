"""The rest of the registry through HTTP: buildings, households,
organisations and party organisations (create, read, change with a version,
history), the roster of a grid and its care card, party members, and the
overview that shows a node's two trees together."""
import sqlite3
import unittest
from urllib.parse import quote

from harness import Client, Server, error_of

GRID = "370902001007001"  # 东湖社区第一网格
COMMUNITY = "370902001007"


class Records(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(demo=True).start()
        cls.c = Client(cls.s)  # 岱庙街道 command centre: registry.write
        assert cls.c.login("dh_admin").status == 200
        cls.worker = Client(cls.s)  # grid worker of grid 001: read only
        assert cls.worker.login("dh_grid01").status == 200
        cls.con = sqlite3.connect(cls.s.db)

    @classmethod
    def tearDownClass(cls):
        cls.con.close()
        cls.s.cleanup()

    def post(self, path, body, status=201):
        r = self.c.request("POST", path, json_body=body)
        self.assertEqual(r.status, status, r.body)
        return r.json()

    def put(self, path, body, status=200):
        r = self.c.request("PUT", path, json_body=body)
        self.assertEqual(r.status, status, r.body)
        return r.json()

    def person_in(self, node):
        return self.con.execute(
            "select id, name from persons where node_code = ? order by id "
            "limit 1", (node,)).fetchone()

    def test_building_lifecycle(self):
        b = self.post("/api/v1/buildings", {
            "node_code": GRID, "name": "新建9号楼", "address": "东湖路9号",
            "kind": "住宅", "floors": 18, "units": 3})
        self.assertEqual(b["kind"], "residential")  # label or code accepted
        self.assertEqual(b["node_code"], GRID)
        self.assertEqual(b["household_count"], 0)
        b2 = self.put("/api/v1/buildings/%d" % b["id"],
                      {"version": b["version"], "floors": 20})
        self.assertEqual((b2["floors"], b2["name"]), (20, "新建9号楼"))
        r = self.c.request("PUT", "/api/v1/buildings/%d" % b["id"],
                           json_body={"version": b["version"], "floors": 21})
        self.assertEqual(r.status, 409)
        h = self.post("/api/v1/households", {"building_id": b["id"],
                                             "unit_no": 1, "room": "101"})
        self.assertEqual(h["node_code"], GRID)
        self.assertEqual(h["building_name"], "新建9号楼")
        r = self.c.request("POST", "/api/v1/households", json_body={
            "building_id": b["id"], "unit_no": 1, "room": "101"})
        self.assertEqual((r.status, error_of(r)["field"]), (409, "room"))
        got = self.c.request("GET", "/api/v1/buildings/%d" % b["id"]).json()
        self.assertEqual([x["room"] for x in got["households"]], ["101"])
        # A building's households without naming the node; a room without
        # a unit is as unique as one with.
        items = self.c.request("GET", "/api/v1/households?building=%d"
                               % b["id"]).json()["items"]
        self.assertEqual([x["id"] for x in items], [h["id"]])
        self.post("/api/v1/households", {"building_id": b["id"],
                                         "room": "门面1"})
        r = self.c.request("POST", "/api/v1/households", json_body={
            "building_id": b["id"], "room": "门面1"})
        self.assertEqual((r.status, error_of(r)["field"]), (409, "room"))
        kinds = {x["kind"] for x in self.c.request(
            "GET", "/api/v1/buildings?node=%s&kind=residential"
            % COMMUNITY).json()["items"]}
        self.assertEqual(kinds, {"residential"})
        hist = self.c.request("GET", "/api/v1/buildings/%d/history"
                              % b["id"]).json()["items"]
        self.assertEqual([x["action"] for x in hist], ["update", "create"])
        self.assertEqual(hist[0]["before"]["floors"], 18)
        self.assertEqual(hist[0]["after"]["floors"], 20)
        me = self.c.request("GET", "/api/v1/me").json()
        self.assertEqual(hist[0]["actor"], me["display_name"])
        self.assertIsNone(hist[1]["before"])
        # A person joins the household through their own record.
        pid = self.person_in(GRID)[0]
        p = self.c.request("GET", "/api/v1/persons/%d" % pid).json()
        body = {k: p[k] for k in ("version", "node_code", "name", "sex",
                                  "birth_date", "ethnic", "political",
                                  "residence", "moved_in", "moved_out",
                                  "tags") if p.get(k) is not None}
        body.update(household_id=h["id"], relation="02")
        r = self.c.request("PUT", "/api/v1/persons/%d" % pid, json_body=body)
        self.assertEqual(r.status, 200, r.body)
        got = self.c.request("GET", "/api/v1/households/%d" % h["id"]).json()
        self.assertEqual([m["id"] for m in got["members"]], [pid])
        self.assertEqual(got["members"][0]["relation"], "02")
        self.assertEqual(got["member_count"], 1)
        # Lists: by node and text, in pages.
        items = self.c.request(
            "GET", "/api/v1/buildings?node=%s&q=%s" % (COMMUNITY, quote("东湖路9"))
        ).json()["items"]
        self.assertEqual([x["id"] for x in items], [b["id"]])
        page = self.c.request("GET", "/api/v1/households?node=370902").json()
        self.assertEqual(len(page["items"]), 100)
        nxt = self.c.request("GET", "/api/v1/households?node=370902&after=%d"
                             % page["next"]).json()
        self.assertGreater(nxt["items"][0]["id"], page["items"][-1]["id"])
        # Persons by address and building.
        by_addr = self.c.request(
            "GET", "/api/v1/persons?node=%s&address=%s" % (COMMUNITY,
                                                          quote("东湖路9号"))
        ).json()["items"]
        self.assertEqual([x["id"] for x in by_addr], [pid])
        by_b = self.c.request("GET", "/api/v1/persons?node=370902&building=%d"
                              % b["id"]).json()["items"]
        self.assertEqual([x["id"] for x in by_b], [pid])

    def test_bad_input_names_the_field(self):
        cases = [
            ("/api/v1/buildings", {"node_code": GRID, "name": "x"}, "address"),
            ("/api/v1/buildings", {"node_code": GRID, "name": "x",
                                   "address": "y", "kind": "castle"}, "kind"),
            ("/api/v1/buildings", {"node_code": GRID, "name": "x",
                                   "address": "y", "kind": "residential",
                                   "floors": 0}, "floors"),
            ("/api/v1/buildings", {"node_code": GRID, "name": "x",
                                   "address": "y", "kind": "residential",
                                   "floors": "5"}, "floors"),
            ("/api/v1/buildings", {"node_code": GRID, "name": "x",
                                   "address": "y", "kind": "residential",
                                   "lon": 117.1}, "lat"),
            ("/api/v1/buildings", {"node_code": GRID, "name": "x",
                                   "address": "y", "kind": "residential",
                                   "lon": 181, "lat": 36}, "lon"),
            ("/api/v1/buildings", {"node_code": "350702004005001", "name": "x",
                                   "address": "y", "kind": "residential"},
             "node_code"),
            ("/api/v1/buildings", {"node_code": "370902001", "name": "x",
                                   "address": "y", "kind": "residential"},
             "node_code"),
            ("/api/v1/buildings", {"name": "x", "address": "y",
                                   "kind": "residential", "color": 1},
             "color"),
            ("/api/v1/households", {"building_id": 999999, "room": "1"},
             "building_id"),
            ("/api/v1/organisations", {"node_code": GRID, "kind": "enterprise",
                                       "name": "某公司",
                                       "credit_code": "91370902MA3C4XYZ12"},
             "credit_code"),
            ("/api/v1/organisations", {"node_code": GRID, "kind": "cobuild",
                                       "name": "共建单位"}, "agreement_from"),
            ("/api/v1/organisations", {"node_code": GRID, "kind": "cobuild",
                                       "name": "共建单位",
                                       "agreement_from": "2026-02-30"},
             "agreement_from"),
            ("/api/v1/organisations", {"node_code": GRID, "kind": "cobuild",
                                       "name": "共建单位",
                                       "agreement_from": "2026-03-01",
                                       "agreement_to": "2025-03-01"},
             "agreement_to"),
            ("/api/v1/party-orgs", {"node_code": COMMUNITY, "kind": "group",
                                    "name": "第一党小组"}, "parent_id"),
        ]
        before = self.con.execute(
            "select (select count(*) from buildings), (select count(*) from "
            "organisations), (select count(*) from party_orgs)").fetchone()
        for path, body, field in cases:
            r = self.c.request("POST", path, json_body=body)
            self.assertEqual(r.status, 400, (body, r.body))
            self.assertEqual(error_of(r)["field"], field, body)
            self.assertTrue(error_of(r)["message"], body)
        after = self.con.execute(
            "select (select count(*) from buildings), (select count(*) from "
            "organisations), (select count(*) from party_orgs)").fetchone()
        self.assertEqual(before, after)  # nothing half-written
        # Read-only roles may not write; other scopes see nothing.
        r = self.worker.request("POST", "/api/v1/buildings", json_body={
            "node_code": GRID, "name": "x", "address": "y",
            "kind": "residential"})
        self.assertEqual(r.status, 403)
        bid = self.con.execute("select id from buildings where node_code "
                               "like '350702%' limit 1").fetchone()[0]
        self.assertEqual(self.c.request(
            "GET", "/api/v1/buildings/%d" % bid).status, 404)

    def test_organisations(self):
        o = self.post("/api/v1/organisations", {
            "node_code": GRID, "kind": "共建单位", "name": "泰山区税务局",
            "credit_code": None, "agreement_from": "2026-01-01",
            "agreement_to": "2028-12-31", "contact": "王科长"})
        self.assertEqual((o["kind"], o["agreement_to"]),
                         ("cobuild", "2028-12-31"))
        code = self.con.execute("select credit_code from organisations "
                                "where credit_code is not null limit 1"
                                ).fetchone()[0]
        r = self.c.request("POST", "/api/v1/organisations", json_body={
            "node_code": GRID, "kind": "enterprise", "name": "重复企业",
            "credit_code": code.lower()})
        self.assertEqual((r.status, error_of(r)["field"]),
                         (409, "credit_code"))
        items = self.c.request(
            "GET", "/api/v1/organisations?node=%s&kind=cobuild" % COMMUNITY
        ).json()["items"]
        self.assertIn(o["id"], [x["id"] for x in items])
        self.assertTrue(all(x["kind"] == "cobuild" for x in items))

    def test_party_tree_members_and_overview(self):
        committee = self.post("/api/v1/party-orgs", {
            "node_code": COMMUNITY, "kind": "committee",
            "name": "东湖社区党委"})
        branch = self.post("/api/v1/party-orgs", {
            "node_code": GRID, "kind": "branch", "name": "第一网格党支部",
            "parent_id": committee["id"]})
        group = self.post("/api/v1/party-orgs", {
            "node_code": GRID, "kind": "党小组", "name": "第一党小组",
            "parent_id": branch["id"]})
        # A group under a committee, a cycle: refused.
        r = self.c.request("POST", "/api/v1/party-orgs", json_body={
            "node_code": GRID, "kind": "group", "name": "错误小组",
            "parent_id": committee["id"]})
        self.assertEqual(error_of(r)["field"], "parent_id")
        r = self.c.request("PUT", "/api/v1/party-orgs/%d" % committee["id"],
                           json_body={"version": committee["version"],
                                      "parent_id": committee["id"]})
        self.assertEqual(error_of(r)["field"], "parent_id")
        pid, name = self.person_in(GRID)
        m = self.put("/api/v1/party-orgs/%d/members/%d" % (branch["id"], pid),
                     {"duty": "secretary", "joined_on": "2001-07-01",
                      "center_household": True})
        self.assertEqual((m["name"], m["duty"], m["center_household"]),
                         (name, "secretary", True))
        r = self.c.request("PUT", "/api/v1/party-orgs/%d/members/%d"
                           % (branch["id"], pid),
                           json_body={"duty": "leader"})
        self.assertEqual(error_of(r)["field"], "duty")
        got = self.c.request("GET", "/api/v1/party-orgs/%d"
                             % branch["id"]).json()
        self.assertEqual([x["person_id"] for x in got["members"]], [pid])
        # A newer branch takes the older group: the tree still lists
        # parents before children.
        branch2 = self.post("/api/v1/party-orgs", {
            "node_code": GRID, "kind": "branch", "name": "第二党支部",
            "parent_id": committee["id"]})
        moved = self.put("/api/v1/party-orgs/%d" % group["id"], {
            "version": group["version"], "parent_id": branch2["id"]})
        self.assertEqual(moved["parent_id"], branch2["id"])
        tree = self.c.request("GET", "/api/v1/party-orgs?node=%s"
                              % COMMUNITY).json()["items"]
        ids = [x["id"] for x in tree]
        self.assertLess(ids.index(committee["id"]), ids.index(branch["id"]))
        self.assertLess(ids.index(branch2["id"]), ids.index(group["id"]))
        ov = self.c.request("GET", "/api/v1/nodes/%s/overview"
                            % COMMUNITY).json()
        self.assertEqual(ov["node"]["code"], COMMUNITY)
        self.assertEqual(len(ov["children"]), 6)
        self.assertIn(branch["id"], [x["id"] for x in ov["party_orgs"]])
        self.assertEqual([a["code"] for a in ov["ancestors"]], ["370902001"])
        self.assertIn("chief", ov)  # {id, name} once a chief is named
        stats = self.c.request("GET", "/api/v1/persons/stats?node=%s"
                               % COMMUNITY).json()
        self.assertIn("独居", stats["tags"])
        self.assertGreater(ov["counts"]["persons"], 0)
        r = self.c.request("DELETE", "/api/v1/party-orgs/%d/members/%d"
                           % (branch["id"], pid))
        self.assertEqual(r.status, 204)
        hist = self.c.request("GET", "/api/v1/party-orgs/%d/history"
                              % branch["id"]).json()["items"]
        self.assertEqual([x["action"] for x in hist],
                         ["member_remove", "member_set", "create"])
        # Read-only: the grid worker sees the tree, may not change it.
        self.assertEqual(self.worker.request(
            "GET", "/api/v1/party-orgs/%d" % branch["id"]).status, 200)
        self.assertEqual(self.worker.request(
            "PUT", "/api/v1/party-orgs/%d/members/%d" % (branch["id"], pid),
            json_body={"duty": "member"}).status, 403)

    def test_roster_and_care_card(self):
        roster = self.c.request("GET", "/api/v1/nodes/%s/roster"
                                % GRID).json()["items"]
        posts = sorted(x["post"] for x in roster)
        self.assertIn("grid_chief", posts)
        pid = self.person_in(GRID)[0]
        bid = self.con.execute("select id from buildings where node_code = ? "
                               "limit 1", (GRID,)).fetchone()[0]
        hids = [r[0] for r in self.con.execute(
            "select id from households where node_code = ? limit 3", (GRID,))]
        e = self.post("/api/v1/nodes/%s/roster" % GRID, {
            "person_id": pid, "post": "household_chief",
            "households": hids, "work_phone": "0538-8221234"})
        self.assertEqual(sorted(e["households"]), sorted(hids))
        r = self.c.request("POST", "/api/v1/nodes/%s/roster" % GRID,
                           json_body={"person_id": pid,
                                      "post": "household_chief",
                                      "households": hids})
        self.assertEqual(r.status, 409)
        for body, field in [
                ({"person_id": pid, "post": "building_chief"}, "building_id"),
                ({"person_id": pid, "post": "unit_chief",
                  "building_id": bid}, "unit_no"),
                ({"person_id": pid, "post": "captain"}, "post"),
                ({"person_id": pid, "post": "household_chief"}, "households"),
                ({"person_id": pid, "post": "police", "work_phone": "110abc"},
                 "work_phone"),
                ({"person_id": 99999999, "post": "police"}, "person_id")]:
            r = self.c.request("POST", "/api/v1/nodes/%s/roster" % GRID,
                               json_body=body)
            self.assertEqual(error_of(r)["field"], field, body)
        self.post("/api/v1/nodes/%s/roster" % GRID, {
            "person_id": pid, "post": "police", "work_phone": "110"})
        bname = self.con.execute("select name from buildings where id = ?",
                                 (bid,)).fetchone()[0]
        chief = self.post("/api/v1/nodes/%s/roster" % GRID, {
            "person_id": pid, "post": "building_chief", "building_id": bid})
        self.assertEqual(chief["building_name"], bname)
        card = self.c.request("GET", "/api/v1/nodes/%s/care-card"
                              % GRID).json()
        self.assertEqual(card["contacts"][0]["post"], "grid_chief")
        self.assertEqual([x["post"] for x in card["contacts"]
                          if x["work_phone"] in ("0538-8221234", "110")],
                         ["household_chief", "police"])
        self.assertEqual(self.c.request("DELETE", "/api/v1/roster/%d"
                                        % e["id"]).status, 204)
        self.assertEqual(self.c.request("DELETE", "/api/v1/roster/%d"
                                        % e["id"]).status, 404)
        hist = self.c.request("GET", "/api/v1/nodes/%s/history"
                              % GRID).json()["items"]
        self.assertEqual([x["action"] for x in hist[:3]],
                         ["roster_remove", "roster_add", "roster_add"])


if __name__ == "__main__":
    unittest.main()
