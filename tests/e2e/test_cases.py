"""The case engine end to end, over HTTP with the demo's accounts: the
closed loop of each family (事件, 矛盾纠纷, 安全隐患, 服务订单), escalation
and summoned departments (街道吹哨、部门报到), bad input and privacy, the
inbox and live events, statistics and points, the deadline rules and the
working calendar.

Who is who in the demo (GET /me): dh_grid01..04 grid workers and dh_chief1
the grid chief of 东湖第一网格 370902001007001 (dh_grid05.., dh_chief2 of the
second grid), dh_resident a resident there, dh_secretary the community
secretary of 东湖社区 370902001007, dh_admin the street centre of 岱庙街道
370902001, ts_district the district admin and ts_department a department
member of 泰山区 370902. The demo may hold cases of its own: counts are
compared as differences, or filtered by a title only this test uses."""
import datetime
import json
import socket
import struct
import time
import unittest
import urllib.parse
import zlib

from harness import Client, Server, error_of

GRID1 = "370902001007001"
GRID2 = "370902001007002"
COMMUNITY = "370902001007"
STREET = "370902001"
DISTRICT = "370902"


def png(seed, width=2, height=2):
    """A small valid PNG built by hand: signature, IHDR, one IDAT of
    zlib-compressed scanlines (filter byte 0, RGB), IEND, each chunk with
    its CRC. Different seeds give different bytes (so hashes)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = b""
    for y in range(height):
        rows += b"\x00" + b"".join(
            bytes([(seed * 37 + x) & 255, (seed >> 8) & 255, y & 255])
            for x in range(width))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0,
                                       0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def day_after(days):
    return (datetime.datetime.now(datetime.timezone.utc).date() +
            datetime.timedelta(days=days)).isoformat()


def iso_seconds(text):
    return datetime.datetime.fromisoformat(
        text.replace("Z", "+00:00")).timestamp()


class EventStream:
    """A Server-Sent Events client on a raw socket: sends the request,
    reads the headers, then decodes the chunked body into events."""

    def __init__(self, server, client, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", server.port),
                                             timeout=timeout)
        cookie = "; ".join("%s=%s" % kv for kv in client.cookies.items())
        self.sock.sendall((
            "GET /api/v1/me/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Accept: text/event-stream\r\nCookie: %s\r\n\r\n" % cookie
        ).encode())
        raw = b""
        while b"\r\n\r\n" not in raw:
            b = self.sock.recv(4096)
            if not b:
                raise AssertionError("the stream closed: %r" % raw)
            raw += b
        head, _, self.raw = raw.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, _, v in
                        (line.partition(":") for line in lines[1:])}
        self.chunked = "chunked" in self.headers.get("transfer-encoding", "")
        self.text = ""
        self.events = []
        self._decode()  # what came with the headers

    def _decode(self):
        if not self.chunked:
            self.text += self.raw.decode()
            self.raw = b""
            return
        while True:
            size, sep, rest = self.raw.partition(b"\r\n")
            if not sep:
                return
            n = int(size.split(b";")[0], 16)
            if len(rest) < n + 2:
                return
            self.text += rest[:n].decode()
            self.raw = rest[n + 2:]

    def _parse(self):
        while "\n\n" in self.text:
            block, _, self.text = self.text.partition("\n\n")
            ev = {"event": "message", "data": "", "comment": False}
            for line in block.split("\n"):
                if line.startswith(":"):
                    ev["comment"] = True
                    continue
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "data":
                    ev["data"] += value
                elif field in ("event", "retry", "id"):
                    ev[field] = value
            self.events.append(ev)

    def wait(self, predicate, timeout=10):
        """The first event (past or coming) for which predicate holds;
        waits at most timeout seconds for it (liveness, not timing)."""
        deadline = time.time() + timeout
        while True:
            self._parse()
            for ev in self.events:
                if predicate(ev):
                    self.events.remove(ev)
                    return ev
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError("no such event; got %r" % self.events)
            self.sock.settimeout(left)
            try:
                b = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not b:
                raise AssertionError("the stream ended; got %r" %
                                     self.events)
            self.raw += b
            self._decode()

    def close(self):
        self.sock.close()


class CaseServer(unittest.TestCase):
    """One demo server per test class, and one logged-in client per demo
    account, made on first use."""

    @classmethod
    def setUpClass(cls):
        cls.s = Server(demo=True, config={"login_rate_max": 100000}).start()
        cls.users = {}
        cls.serial = 0

    @classmethod
    def tearDownClass(cls):
        cls.s.cleanup()

    def user(self, name, password=None):
        if name not in self.users:
            c = Client(self.s)
            r = c.login(name, password) if password else c.login(name)
            self.assertEqual(r.status, 200, r.body)
            me = c.request("GET", "/api/v1/me").json()
            if me["totp_required"] and not me["totp_enabled"]:
                c.enrol_totp()
                me = c.request("GET", "/api/v1/me").json()
            c.id = me["id"]
            c.name = me["display_name"]
            c.node = me["roles"][0]["node_code"] if me["roles"] else None
            self.users[name] = c
        return self.users[name]

    def title(self, text):
        type(self).serial += 1
        return "%s%d" % (text, type(self).serial)

    def upload(self, who, seed):
        r = self.user(who).request("POST", "/api/v1/photos", body=png(seed),
                                   headers={"Content-Type": "image/png"})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json()["mime"], "image/png")
        return r.json()["hash"]

    def report(self, who, want=201, **body):
        r = self.user(who).request("POST", "/api/v1/cases", json_body=body)
        self.assertEqual(r.status, want, r.body)
        return r.json()

    def act(self, who, case_id, action, want=200, **body):
        body["action"] = action
        r = self.user(who).request(
            "POST", "/api/v1/cases/%d/actions" % case_id, json_body=body)
        self.assertEqual(r.status, want, (who, action, r.body))
        return r.json()

    def refused(self, who, case_id, action, want, field, **body):
        """An action refused with status want naming field: nothing of it
        is written (the log and the version stay as they were)."""
        before = self.get("dh_admin", case_id)
        log = self.log("dh_admin", case_id)
        r = self.user(who).request(
            "POST", "/api/v1/cases/%d/actions" % case_id,
            json_body=dict(body, action=action))
        self.assertEqual(r.status, want, (who, action, r.body))
        e = error_of(r)
        after = self.get("dh_admin", case_id)
        self.assertEqual(e["field"], field, e)
        self.assertEqual(self.log("dh_admin", case_id), log)
        self.assertEqual(after["version"], before["version"])
        self.assertEqual(after["state"], before["state"])
        return e

    def get(self, who, case_id, want=200):
        r = self.user(who).request("GET", "/api/v1/cases/%d" % case_id)
        self.assertEqual(r.status, want, r.body)
        return r.json()

    def log(self, who, case_id):
        r = self.user(who).request("GET", "/api/v1/cases/%d/log" % case_id)
        self.assertEqual(r.status, 200, r.body)
        return r.json()["items"]

    def steps(self, who, case_id):
        """The log as (action, from, to, actor's name, note)."""
        return [(x["action"], x["from"], x["to"], x["actor"], x["note"])
                for x in self.log(who, case_id)]

    def point_in(self, grid):
        """A point inside grid: the mean of its boundary's corners, checked
        with GET /locate."""
        c = self.user("dh_admin")
        fc = c.request("GET", "/api/v1/map?node=" + grid[:12]).json()
        ring = [f for f in fc["features"]
                if f["properties"].get("code") == grid][0]["geometry"][
                    "coordinates"][0][:-1]
        lon = sum(p[0] for p in ring) / len(ring)
        lat = sum(p[1] for p in ring) / len(ring)
        r = c.request("GET", "/api/v1/locate?lon=%r&lat=%r" % (lon, lat))
        self.assertEqual(r.json()["grid"]["code"], grid)
        return lon, lat

    def notifications(self, who, **query):
        path = "/api/v1/me/notifications"
        if query:
            path += "?" + urllib.parse.urlencode(query)
        r = self.user(who).request("GET", path)
        self.assertEqual(r.status, 200, r.body)
        return r.json()


class IssueLoop(CaseServer):
    """事件: report with a photo at a point, duplicates, the whole loop,
    the log, the timeline, rating, points; the inbox and live events."""

    def test_issue_closed_loop(self):
        resident, chief = self.user("dh_resident"), self.user("dh_chief1")
        handler = self.user("dh_grid02")
        lon, lat = self.point_in(GRID1)
        first_photo = self.upload("dh_resident", 1)
        ranking = self.ranking(handler.id)

        # A resident reports at a point: the case goes to its grid.
        c = self.report("dh_resident", family="issue", category="sanitation",
                        title=self.title("楼下垃圾堆积"),
                        description="三号楼东侧垃圾三天未清运",
                        lon=lon, lat=lat, photos=[first_photo])
        self.assertEqual((c["node_code"], c["level_code"], c["state"],
                          c["source"], c["reporter_id"]),
                         (GRID1, GRID1, "reported", "resident", resident.id))
        self.assertNotIn(c["id"], c["suggested_duplicates"])
        self.assertEqual(c["actions"], ["withdraw", "comment"])
        # The same thing nearby (about 10 m away) is a suggested duplicate;
        # another category at the same spot is not.
        dup = self.report("dh_grid01", family="issue", category="sanitation",
                          source="patrol", title=self.title("垃圾未清运"),
                          lon=lon + 0.0001, lat=lat)
        self.assertIn(c["id"], dup["suggested_duplicates"])
        other = self.report("dh_grid01", family="issue", category="greening",
                            title=self.title("树枝折断"), lon=lon, lat=lat)
        self.assertNotIn(c["id"], other["suggested_duplicates"])
        merged = self.act("dh_chief1", dup["id"], "merge",
                          duplicate_of=c["id"])
        self.assertEqual((merged["state"], merged["duplicate_of"]),
                         ("merged", c["id"]))

        # 受理, 派遣, 处置, 核查, 结案.
        c = self.act("dh_chief1", c["id"], "accept", version=c["version"])
        self.assertEqual(c["state"], "accepted")
        self.assertIn("dispatch", c["actions"])
        c = self.act("dh_chief1", c["id"], "dispatch", version=c["version"],
                     assignee={"kind": "account", "id": handler.id})
        self.assertEqual((c["state"], c["assignee_kind"], c["assignee_id"],
                          c["assignee"]),
                         ("dispatched", "account", handler.id, handler.name))
        self.assertEqual(self.get("dh_grid02", c["id"])["actions"],
                         ["start", "report_back", "reassign", "escalate",
                          "comment"])
        c = self.act("dh_grid02", c["id"], "start")
        self.assertEqual(c["state"], "handling")
        done_photo = self.upload("dh_grid02", 2)
        c = self.act("dh_grid02", c["id"], "report_back",
                     note="已联系环卫清运完毕", photos=[done_photo])
        self.assertEqual((c["state"], c["handler"]), ("handled", handler.name))
        # Whoever handled it may not verify it (a grid worker holds the
        # grid too): refused, nothing written.
        e = self.refused("dh_grid02", c["id"], "pass", 403, "")
        self.assertIn("处置人不能核查", e["message"])
        c = self.act("dh_chief1", c["id"], "pass")
        self.assertEqual(c["state"], "verified")
        c = self.act("dh_chief1", c["id"], "close")
        self.assertEqual(c["state"], "closed")

        # The reporter rates 1-5, once.
        e = self.refused("dh_resident", c["id"], "rate", 400, "rating",
                         rating=6)
        self.assertEqual(self.get("dh_resident", c["id"])["actions"],
                         ["rate", "reopen"])
        c = self.act("dh_resident", c["id"], "rate", rating=5,
                     note="处理及时")
        self.assertEqual((c["rating"], c["rating_comment"]), (5, "处理及时"))
        self.assertEqual(c["actions"], ["reopen"])
        self.refused("dh_resident", c["id"], "rate", 409, "rating", rating=4)

        # Every step in the log: who, from -> to, the note.
        log = self.log("dh_resident", c["id"])
        self.assertEqual(
            [(x["action"], x["from"], x["to"], x["actor_id"], x["note"])
             for x in log],
            [("report", None, "reported", resident.id,
              "三号楼东侧垃圾三天未清运"),
             ("accept", "reported", "accepted", chief.id, None),
             ("dispatch", "accepted", "dispatched", chief.id, None),
             ("start", "dispatched", "handling", handler.id, None),
             ("report_back", "handling", "handled", handler.id,
              "已联系环卫清运完毕"),
             ("pass", "handled", "verified", chief.id, None),
             ("close", "verified", "closed", chief.id, None),
             ("rate", "closed", "closed", resident.id, "处理及时")])
        self.assertEqual([x["actor"] for x in log[:2]],
                         [resident.name, chief.name])
        self.assertEqual(log[2]["detail"], {"assignee_kind": "account",
                                            "assignee_id": handler.id})
        self.assertEqual(log[-1]["detail"], {"rating": 5})

        # The case page: the 闭环预警 timeline, my actions, the photos.
        page = self.get("dh_chief1", c["id"])
        stages = {t["stage"]: t for t in page["timeline"]}
        self.assertEqual(list(stages),
                         ["warning", "response", "handling", "feedback"])
        for stage in stages.values():
            self.assertIsNotNone(stage["at"], stage)
        self.assertEqual(stages["warning"]["at"], page["reported_at"])
        self.assertEqual(stages["feedback"]["at"], page["closed_at"])
        self.assertIsNotNone(stages["response"]["due"])
        self.assertLessEqual(iso_seconds(page["reported_at"]),
                             iso_seconds(stages["response"]["due"]))
        self.assertEqual((page["alert"], page["overdue"]), ("green", False))
        self.assertEqual(page["actions"], ["reopen"])
        self.assertEqual([(p["hash"], p["log_id"]) for p in page["photos"]],
                         [(first_photo, log[0]["id"]),
                          (done_photo, log[4]["id"])])
        # The photos: whoever may see the case may see them.
        r = chief.request("GET", "/api/v1/photos/" + first_photo)
        self.assertEqual((r.status, r.header("Content-Type"), r.body),
                         (200, "image/png", png(1)))
        r = self.user("dh_volunteer").request(
            "GET", "/api/v1/photos/" + first_photo)
        self.assertEqual(r.status, 404)

        # Points: closing on time (+2) and the 5-star rating (+1) go to
        # the handler.
        ledger = self.user("dh_secretary").request(
            "GET", "/api/v1/points/ledger?node=%s&account=%d"
            % (GRID1, handler.id)).json()["items"]
        mine = sorted((p["reason"], p["points"]) for p in ledger
                      if p["case_id"] == c["id"])
        self.assertEqual(mine, [("on_time", 2), ("praised", 1)])
        self.assertEqual(self.ranking(handler.id), ranking + 3)

    def test_reopened_case_pays_its_points_once(self):
        handler = self.user("dh_grid04")
        c = self.report("dh_resident", family="issue", category="greening",
                        title=self.title("绿篱枯死"), node_code=GRID1)

        def loop():
            if self.get("dh_chief1", c["id"])["state"] == "reported":
                self.act("dh_chief1", c["id"], "accept")
            self.act("dh_chief1", c["id"], "dispatch",
                     assignee={"kind": "account", "id": handler.id})
            self.act("dh_grid04", c["id"], "report_back", note="已补种")
            self.act("dh_chief1", c["id"], "pass")
            self.act("dh_chief1", c["id"], "close")
            return self.act("dh_resident", c["id"], "rate", rating=5)

        def points():
            ledger = self.user("dh_chief1").request(
                "GET", "/api/v1/points/ledger?node=%s&account=%d"
                % (GRID1, handler.id)).json()["items"]
            return sorted((p["reason"], p["points"]) for p in ledger
                          if p["case_id"] == c["id"])

        loop()
        self.assertEqual(points(), [("on_time", 2), ("praised", 1)])
        # 重新办理 within case_reopen_days: the loop runs again, rated
        # again, but closing and praise are paid once per case.
        self.refused("dh_resident", c["id"], "reopen", 400, "note")
        r = self.act("dh_resident", c["id"], "reopen", note="又枯死了")
        self.assertEqual((r["state"], r["rating"], r["closed_at"]),
                         ("accepted", None, None))
        r = loop()
        self.assertEqual((r["state"], r["rating"]), ("closed", 5))
        self.assertEqual(points(), [("on_time", 2), ("praised", 1)])
        self.assertEqual([s[0] for s in self.steps("dh_chief1", c["id"])
                          ].count("close"), 2)

    def ranking(self, account_id):
        items = self.user("dh_secretary").request(
            "GET", "/api/v1/points/ranking?node=" + COMMUNITY).json()["items"]
        return sum(i["points"] for i in items
                   if i["account_id"] == account_id)

    def test_inbox_and_live_events(self):
        worker = self.user("dh_grid03")
        stream = EventStream(self.s, worker)
        try:
            self.assertEqual(stream.status, 200)
            self.assertTrue(stream.headers["content-type"].startswith(
                "text/event-stream"))
            stream.wait(lambda e: e.get("retry") == "3000")
            # A report in the worker's grid shows on the page at once.
            c = self.report("dh_resident", family="issue",
                            category="public_facility",
                            title=self.title("路灯不亮"), node_code=GRID1)
            ev = stream.wait(lambda e: e["event"] == "case" and
                             json.loads(e["data"])["id"] == c["id"])
            self.assertEqual(json.loads(ev["data"])["state"], "reported")
            # The grid chief has it in his inbox.
            chief = self.notifications("dh_chief1")["items"]
            self.assertIn(("case.reported", c["id"]),
                          [(n["kind"], n["case_id"]) for n in chief])
            self.act("dh_chief1", c["id"], "accept")
            self.act("dh_chief1", c["id"], "dispatch",
                     assignee={"kind": "account", "id": worker.id})
            # (The deadline sweep may notify about the demo's cases too.)
            ev = stream.wait(lambda e: e["event"] == "notification" and
                             json.loads(e["data"])["case_id"] == c["id"])
            data = json.loads(ev["data"])
            self.assertEqual((data["kind"], data["case_id"],
                              data["case_title"], data["urgency"]),
                             ("case.dispatched", c["id"], c["title"],
                              "normal"))
        finally:
            stream.close()
        box = self.notifications("dh_grid03")
        self.assertGreaterEqual(box["unread"], 1)
        note = [n for n in box["items"] if n["case_id"] == c["id"]]
        self.assertEqual([(n["id"], n["kind"], n["case_title"], n["read_at"])
                          for n in note],
                         [(data["id"], "case.dispatched", c["title"], None)])
        note = note[0]
        self.assertIn(note["id"], [n["id"] for n in
                                   self.notifications("dh_grid03",
                                                      unread=1)["items"]])
        r = worker.request("POST", "/api/v1/me/notifications/read",
                           json_body={"id": note["id"]})
        self.assertEqual((r.status, r.json()), (200, {"changed": 1}))
        r = worker.request("POST", "/api/v1/me/notifications/read",
                           json_body={"id": note["id"]})
        self.assertEqual(r.json(), {"changed": 0})
        # Someone else's notification is not mine to read.
        r = self.user("dh_resident").request(
            "POST", "/api/v1/me/notifications/read",
            json_body={"up_to": note["id"]})
        self.assertEqual(r.status, 200)
        box = self.notifications("dh_grid03")
        self.assertIsNotNone([n for n in box["items"]
                              if n["id"] == note["id"]][0]["read_at"])
        self.assertNotIn(note["id"], [n["id"] for n in self.notifications(
            "dh_grid03", unread=1)["items"]])
        r = worker.request("POST", "/api/v1/me/notifications/read",
                           json_body={"id": 1, "up_to": 1})
        self.assertEqual((r.status, error_of(r)["field"]), (400, "id"))


class Families(CaseServer):
    """What each family needs beyond the common loop."""

    def test_dispute_needs_parties_and_an_outcome(self):
        base = dict(family="dispute", category="neighbourhood",
                    title=self.title("楼上漏水邻里纠纷"), node_code=GRID1)
        for parties in (None, [], ["张三"]):
            body = dict(base, parties=parties) if parties is not None \
                else base
            e = error_of(self.user("dh_grid01").request(
                "POST", "/api/v1/cases", json_body=body))
            self.assertEqual(e["field"], "parties")
        e = self.report("dh_grid01", 400, **dict(base, parties=["张三", 5]))
        self.assertEqual(e["error"]["field"], "parties")
        c = self.report("dh_grid01", parties=["张三", "李四"], **base)
        self.assertEqual(c["extra"]["parties"], ["张三", "李四"])
        self.act("dh_chief1", c["id"], "accept")
        mediator = self.user("dh_grid02")
        self.act("dh_chief1", c["id"], "dispatch",
                 assignee={"kind": "account", "id": mediator.id})
        self.refused("dh_grid02", c["id"], "report_back", 400, "outcome",
                     note="已调解")
        self.refused("dh_grid02", c["id"], "report_back", 400, "outcome",
                     note="已调解", outcome="maybe")
        for outcome in ("success", "partial", "调解成功"):
            self.refused("dh_grid02", c["id"], "report_back", 400,
                         "agreement", note="已调解", outcome=outcome)
        c = self.act("dh_grid02", c["id"], "report_back", note="双方和解",
                     outcome="success", agreement="楼上负责维修并赔偿500元")
        self.assertEqual((c["state"], c["outcome"]), ("handled", "success"))
        self.assertEqual(self.log("dh_chief1", c["id"])[-1]["detail"],
                         {"outcome": "success",
                          "agreement": "楼上负责维修并赔偿500元"})
        self.act("dh_chief1", c["id"], "pass")
        self.assertEqual(self.act("dh_chief1", c["id"], "close")["state"],
                         "closed")
        # A failed mediation needs no agreement.
        d = self.report("dh_grid01", parties=["王五", "赵六"],
                        **dict(base, title=self.title("劳资纠纷"),
                               category="labour"))
        self.act("dh_chief1", d["id"], "accept")
        self.act("dh_chief1", d["id"], "dispatch",
                 assignee={"kind": "account", "id": mediator.id})
        d = self.act("dh_grid02", d["id"], "report_back", note="调解未成",
                     outcome="failed")
        self.assertEqual(d["outcome"], "failed")

    def test_hazard_needs_a_place_a_deadline_photos_and_findings(self):
        secretary = self.user("dh_secretary")
        places = []
        for path, body in (
                ("/api/v1/buildings", {"node_code": GRID1, "name": "隐患楼",
                                       "address": "东湖路1号",
                                       "kind": "other"}),
                ("/api/v1/organisations", {"node_code": GRID1,
                                           "kind": "merchant",
                                           "name": "东湖五金店"}),
                ("/api/v1/buildings", {"node_code": GRID2, "name": "隔壁楼",
                                       "address": "东湖路2号",
                                       "kind": "other"})):
            r = secretary.request("POST", path, json_body=body)
            self.assertEqual(r.status, 201, r.body)
            places.append(r.json())
        building, org, other = places
        base = dict(family="hazard", category="fire", urgency=2,
                    title=self.title("消防通道堵塞"), node_code=GRID1)
        e = self.report("dh_grid01", 400, **base)["error"]
        self.assertEqual(e["field"], "building_id")
        e = self.report("dh_grid01", 400, building_id=other["id"],
                        **base)["error"]
        self.assertEqual(e["field"], "building_id")
        self.report("dh_grid01", org_id=org["id"],
                    **dict(base, title=self.title("商铺电线私拉")))
        c = self.report("dh_grid01", building_id=building["id"], **base)
        self.assertEqual(c["building_id"], building["id"])

        # 立案 sets the rectification deadline: a real, future day.
        self.refused("dh_chief1", c["id"], "accept", 400, "deadline")
        self.refused("dh_chief1", c["id"], "accept", 400, "deadline",
                     deadline="2020-01-01")
        self.refused("dh_chief1", c["id"], "accept", 400, "deadline",
                     deadline="2031-02-30")
        self.refused("dh_chief1", c["id"], "accept", 400, "deadline",
                     deadline="明天")
        deadline = day_after(30)
        c = self.act("dh_chief1", c["id"], "accept", deadline=deadline)
        self.assertEqual(self.log("dh_chief1", c["id"])[-1]["detail"],
                         {"deadline": deadline})
        # The day's end, in China's time (UTC+8).
        due = datetime.datetime.fromisoformat(
            c["resolve_due"].replace("Z", "+00:00")).astimezone(
                datetime.timezone(datetime.timedelta(hours=8)))
        self.assertEqual((due.date().isoformat(), due.hour, due.minute),
                         (deadline, 23, 59))
        # Dispatched to a duty post of the grid (专职网格员).
        c = self.act("dh_chief1", c["id"], "dispatch",
                     assignee={"kind": "post", "post": "grid_worker_full"})
        self.assertEqual((c["assignee_kind"], c["assignee_post"]),
                         ("post", "grid_worker_full"))
        self.assertIn("report_back",
                      self.get("dh_grid02", c["id"])["actions"])
        self.refused("dh_grid02", c["id"], "report_back", 400, "photos",
                     note="已清理")
        self.refused("dh_grid02", c["id"], "report_back", 400, "photos",
                     note="已清理", photos=["0" * 64])
        c = self.act("dh_grid02", c["id"], "report_back", note="已清理",
                     photos=[self.upload("dh_grid02", 30)])
        # 复查: passing says what was found.
        self.refused("dh_chief1", c["id"], "pass", 400, "note")
        c = self.act("dh_chief1", c["id"], "pass", note="复查合格，通道畅通")
        c = self.act("dh_chief1", c["id"], "close")
        self.assertEqual(c["state"], "closed")
        self.assertEqual(len(self.get("dh_chief1", c["id"])["photos"]), 1)

    def test_service_order(self):
        secretary, resident = self.user("dh_secretary"), \
            self.user("dh_resident")
        r = secretary.request("POST", "/api/v1/organisations", json_body={
            "node_code": COMMUNITY, "kind": "social",
            "name": "东湖助老服务中心"})
        self.assertEqual(r.status, 201, r.body)
        provider = r.json()["id"]
        r = secretary.request("POST", "/api/v1/services", json_body={
            "node_code": COMMUNITY, "category": "助餐送餐",
            "name": "老年助餐", "provider_id": provider,
            "price": "每餐10元", "description": "工作日午餐送餐上门"})
        self.assertEqual(r.status, 201, r.body)
        service = r.json()
        self.assertEqual((service["category"], service["active"],
                          service["provider_id"]), ("meals", 1, provider))
        r = secretary.request("POST", "/api/v1/services", json_body={
            "node_code": COMMUNITY, "category": "housekeeping",
            "name": "家政保洁"})
        withdrawn = r.json()
        r = secretary.request(
            "PUT", "/api/v1/services/%d" % withdrawn["id"],
            json_body={"version": withdrawn["version"], "active": 0})
        self.assertEqual(r.status, 200, r.body)
        r = secretary.request("POST", "/api/v1/services", json_body={
            "node_code": COMMUNITY, "category": "cooking", "name": "x"})
        self.assertEqual((r.status, error_of(r)["field"]), (400, "category"))

        # The resident sees what is on offer where they live, and orders.
        catalogue = resident.request("GET", "/api/v1/catalogue").json()
        ids = [s["id"] for s in catalogue["items"]]
        self.assertIn(service["id"], ids)
        self.assertNotIn(withdrawn["id"], ids)
        for sid in (withdrawn["id"], 999999):
            e = self.report("dh_resident", 400, family="service",
                            service_id=sid, title="订餐", node_code=GRID1)
            self.assertEqual(e["error"]["field"], "service_id")
        e = self.report("dh_resident", 400, family="service",
                        title="订餐", node_code=GRID1)
        self.assertEqual(e["error"]["field"], "service_id")
        c = self.report("dh_resident", family="service",
                        service_id=service["id"], title=self.title("订午餐"),
                        node_code=GRID1, contact_name="周春生",
                        contact_phone="13812345678")
        self.assertEqual((c["category"], c["service_id"], c["contact_phone"],
                          c["extra"]["provider_id"]),
                         ("meals", service["id"], "138****5678", provider))
        # 社区派单 to the provider, who has no account: the community
        # records its report.
        self.act("dh_secretary", c["id"], "accept")
        c = self.act("dh_secretary", c["id"], "dispatch",
                     assignee={"kind": "org", "id": provider})
        self.assertEqual((c["assignee_kind"], c["assignee"]),
                         ("org", "东湖助老服务中心"))
        c = self.act("dh_secretary", c["id"], "report_back",
                     note="已按时送达")
        c = self.act("dh_secretary", c["id"], "close")
        self.assertEqual(c["state"], "closed")
        # 居民评单.
        c = self.act("dh_resident", c["id"], "rate", rating=4)
        self.assertEqual(c["rating"], 4)
        mine = resident.request("GET", "/api/v1/cases?mine=reported").json()
        self.assertIn(c["id"], [i["id"] for i in mine["items"]])


class Escalation(CaseServer):
    """小事不出网格，大事上报街道; 街道吹哨、部门报到."""

    def test_escalate_summon_and_close(self):
        grid_worker = self.user("dh_grid01")
        c = self.report("dh_resident", family="issue",
                        category="construction",
                        title=self.title("夜间违规施工扰民"), node_code=GRID1)
        self.refused("dh_grid01", c["id"], "escalate", 400, "note")
        c = self.act("dh_grid01", c["id"], "escalate", note="网格无法协调")
        self.assertEqual((c["state"], c["level_code"], c["node_code"]),
                         ("reported", COMMUNITY, GRID1))
        # The grid no longer holds it: its worker may see it, not act.
        self.assertEqual(self.get("dh_grid01", c["id"])["actions"],
                         ["comment"])
        self.refused("dh_grid01", c["id"], "accept", 403, "action")
        c = self.act("dh_secretary", c["id"], "escalate",
                     note="涉及多个部门，报街道")
        self.assertEqual(c["level_code"], STREET)
        self.refused("dh_secretary", c["id"], "accept", 403, "action")
        c = self.act("dh_admin", c["id"], "accept")
        self.assertEqual((c["state"], c["level_code"]), ("accepted", STREET))
        escalations = [x["detail"] for x in self.log("dh_admin", c["id"])
                       if x["action"] == "escalate"]
        self.assertEqual(escalations,
                         [{"from_level": GRID1, "to_level": COMMUNITY},
                          {"from_level": COMMUNITY, "to_level": STREET}])

        # The district sets up a department and its member.
        district, member = self.user("ts_district"), \
            self.user("ts_department")
        name = self.title("区综合行政执法局")  # unique at its node
        r = district.request("POST", "/api/v1/departments", json_body={
            "node_code": DISTRICT, "name": name,
            "phone": "0538-8220000", "duty": "违规施工、占道经营"})
        self.assertEqual(r.status, 201, r.body)
        dept = r.json()["id"]
        r = district.request("PUT", "/api/v1/departments/%d/members/%d"
                             % (dept, member.id))
        self.assertEqual(r.status, 204, r.body)
        r = district.request("GET", "/api/v1/departments/%d/members" % dept)
        self.assertEqual(r.json()["items"],
                         [{"account_id": member.id, "name": member.name}])
        offered = self.user("dh_admin").request(
            "GET", "/api/v1/cases/departments").json()["items"]
        self.assertIn(dept, [d["id"] for d in offered])
        # The department sees nothing before it is summoned.
        self.get("ts_department", c["id"], 404)

        # 吹哨: all or nothing.
        self.refused("dh_admin", c["id"], "summon", 400, "departments",
                     departments=[dept, 999999])
        self.assertEqual(self.get("dh_admin", c["id"])["summons"], [])
        self.get("ts_department", c["id"], 404)
        self.refused("dh_secretary", c["id"], "summon", 403, "action",
                     departments=[dept])
        c = self.act("dh_admin", c["id"], "summon", departments=[dept])
        summons = self.get("dh_admin", c["id"])["summons"]
        self.assertEqual([(m["department_id"], m["department"],
                           m["acked_at"], m["reported_at"])
                          for m in summons],
                         [(dept, name, None, None)])
        inbox = self.notifications("ts_department")["items"]
        self.assertIn(("case.summoned", c["id"]),
                      [(n["kind"], n["case_id"]) for n in inbox])
        self.assertEqual(self.get("ts_department", c["id"])["actions"],
                         ["check_in", "dept_report", "comment"])
        todo = member.request("GET", "/api/v1/cases?mine=todo").json()
        self.assertIn(c["id"], [i["id"] for i in todo["items"]])

        handler = self.user("dh_grid02")
        self.act("dh_admin", c["id"], "dispatch",
                 assignee={"kind": "account", "id": handler.id})
        self.act("dh_grid02", c["id"], "report_back", note="已责令停工")
        self.act("dh_admin", c["id"], "pass")
        # No closing before every summoned department has reported.
        e = self.refused("dh_admin", c["id"], "close", 409, "")
        self.assertIn(name, e["message"])
        c = self.act("ts_department", c["id"], "check_in")
        m = self.get("dh_admin", c["id"])["summons"][0]
        self.assertIsNotNone(m["acked_at"])
        self.assertIsNone(m["reported_at"])
        self.refused("dh_admin", c["id"], "close", 409, "")
        self.refused("ts_department", c["id"], "dept_report", 400, "note")
        c = self.act("ts_department", c["id"], "dept_report",
                     note="已立案查处，罚款并限期整改")
        m = self.get("dh_admin", c["id"])["summons"][0]
        self.assertEqual(m["report"], "已立案查处，罚款并限期整改")
        self.assertEqual(self.get("ts_department", c["id"])["actions"], [])
        c = self.act("dh_admin", c["id"], "close")
        self.assertEqual(c["state"], "closed")
        self.assertEqual(
            [s[0] for s in self.steps("dh_admin", c["id"])],
            ["report", "escalate", "escalate", "accept", "summon",
             "dispatch", "report_back", "pass", "check_in", "dept_report",
             "close"])
        self.assertFalse(grid_worker.request(
            "GET", "/api/v1/cases/%d" % c["id"]).json()["actions"])

    def test_escalating_a_dispatched_case_takes_it_back(self):
        c = self.report("dh_grid01", family="issue", category="road_traffic",
                        title=self.title("路面塌陷"), node_code=GRID1)
        self.act("dh_chief1", c["id"], "accept")
        c = self.act("dh_chief1", c["id"], "dispatch",
                     assignee={"kind": "account",
                               "id": self.user("dh_grid02").id})
        c = self.act("dh_chief1", c["id"], "escalate", note="需社区调度")
        self.assertEqual((c["state"], c["level_code"], c["assignee_kind"],
                          c["assignee_id"]),
                         ("accepted", COMMUNITY, None, None))
        self.assertNotIn("report_back",
                         self.get("dh_grid02", c["id"])["actions"])
        # Up to the district, which holds it last.
        for who in ("dh_secretary", "dh_admin"):
            c = self.act(who, c["id"], "escalate", note="上报")
        self.assertEqual(c["level_code"], DISTRICT)
        # The street no longer holds it.
        self.refused("dh_admin", c["id"], "dispatch", 403, "action",
                     assignee={"kind": "account",
                               "id": self.user("dh_grid02").id})
        e = self.refused("ts_district", c["id"], "escalate", 400, "",
                         note="再上报")
        self.assertIn("最高层级", e["message"])


class BadInput(CaseServer):
    """Every input has a limit and a validator: 400 with the field, 409 for
    the wrong state or a stale version, and nothing half-written."""

    def test_report_validation(self):
        base = dict(family="issue", category="greening",
                    title="校验样本路边树倒", node_code=GRID1)
        for change, field in (
                ({"colour": "red"}, "colour"),
                ({"title": 5}, "title"),
                ({"title": "长" * 101}, "title"),
                ({"title": ""}, "title"),
                ({"description": "长" * 2001}, "description"),
                ({"address": "x" * 201}, "address"),
                ({"category": "cats"}, "category"),
                ({"category": None}, "category"),
                ({"family": "cats"}, "family"),
                ({"urgency": 4}, "urgency"),
                ({"urgency": "2"}, "urgency"),
                ({"source": "rumour"}, "source"),
                ({"lon": 117.13}, "lat"),
                ({"lon": 200, "lat": 36}, "lon"),
                ({"lon": "117", "lat": 36}, "lon"),
                ({"node_code": None, "lon": 116.0, "lat": 36.0}, "lon"),
                ({"node_code": None}, "node_code"),
                ({"node_code": "37090200100799"}, "node_code"),
                ({"node_code": DISTRICT}, "node_code"),
                ({"photos": ["ab"]}, "photos"),
                ({"photos": ["a" * 64]}, "photos"),
                ({"photos": "a" * 64}, "photos"),
                ({"contact_phone": "123"}, "contact_phone"),
                ({"building_id": 0}, "building_id"),
                ({"parties": "张三"}, "parties")):
            body = dict(base)
            body.update(change)
            body = {k: v for k, v in body.items()
                    if not (v is None and k in ("category", "node_code"))}
            r = self.user("dh_grid01").request("POST", "/api/v1/cases",
                                               json_body=body)
            self.assertEqual((r.status, error_of(r)["field"]), (400, field),
                             (change, r.body))
        # A point in one grid with another node named.
        lon, lat = self.point_in(GRID2)
        e = self.report("dh_grid01", 400, lon=lon, lat=lat, **base)["error"]
        self.assertEqual(e["field"], "lon")
        # Residents report what they see; the other sources are staff's.
        r = self.user("dh_resident").request(
            "POST", "/api/v1/cases", json_body=dict(base, source="patrol"))
        self.assertEqual((r.status, error_of(r)["field"]), (403, "source"))
        for body in (b"{", b"[1]", "标题".encode()):
            r = self.user("dh_grid01").request(
                "POST", "/api/v1/cases", body=body,
                headers={"Content-Type": "application/json"})
            self.assertEqual(r.status, 400, r.body)
        # Nothing was reported by any of it.
        mine = self.user("dh_grid01").request(
            "GET", "/api/v1/cases?mine=reported&q=" +
            urllib.parse.quote("校验样本")).json()
        self.assertEqual(mine["items"], [])
        # Lists and statistics check their parameters too.
        for path, field in (
                ("/api/v1/cases?family=issue&category=cats", "category"),
                ("/api/v1/cases?state=lost", "state"),
                ("/api/v1/cases?mine=everything", "mine"),
                ("/api/v1/cases?from=yesterday", "from"),
                ("/api/v1/cases/stats?node=%s&group=colour" % COMMUNITY,
                 "group"),
                ("/api/v1/cases/stats?family=cats", "family")):
            r = self.user("dh_admin").request("GET", path)
            self.assertEqual((r.status, error_of(r)["field"]), (400, field),
                             (path, r.body))

    def test_action_validation(self):
        c = self.report("dh_grid01", family="issue", category="greening",
                        title=self.title("绿地被占"), node_code=GRID1)
        cid = c["id"]
        # Not allowed in this state: 409, and the message lists what is.
        e = self.refused("dh_chief1", cid, "close", 409, "action")
        for a in ("accept", "reject", "withdraw", "merge", "escalate",
                  "comment"):
            self.assertIn(a, e["message"])
        self.assertIn("reported", e["message"])
        c = self.act("dh_chief1", cid, "accept", version=c["version"])
        # A stale version.
        self.refused("dh_chief1", cid, "dispatch", 409, "version",
                     version=c["version"] - 1,
                     assignee={"kind": "account",
                               "id": self.user("dh_grid02").id})
        e = self.refused("dh_chief1", cid, "fly", 400, "action")
        self.assertIn("report_back", e["message"])
        for body, field in (
                ({"colour": "red"}, "colour"),
                ({"note": 5}, "note"),
                ({"note": "长" * 2001}, "note"),
                ({"version": "3"}, "version"),
                ({"version": 0}, "version"),
                ({"assignee": 5}, "assignee"),
                ({"assignee": {"kind": "robot", "id": 1}}, "assignee"),
                ({"assignee": {"kind": "account"}}, "assignee"),
                ({"assignee": {"kind": "account", "id": "x"}}, "assignee"),
                ({"assignee": {"kind": "account", "id": 1, "x": 1}},
                 "assignee"),
                ({"assignee": {"kind": "account", "id": 999999}},
                 "assignee"),
                ({"assignee": {"kind": "post", "post": "astronaut"}},
                 "assignee"),
                ({"assignee": {"kind": "org", "id": 999999}}, "assignee"),
                ({"departments": [0]}, "departments"),
                ({"departments": list(range(1, 18))}, "departments"),
                ({"photos": ["x"]}, "photos"),
                ({"rating": 1.5}, "rating"),
                ({}, "assignee")):
            self.refused("dh_chief1", cid, "dispatch", 400, field, **body)
        # 404 for a case that does not exist, or is not a case id.
        for path in ("/api/v1/cases/999999/actions", "/api/v1/cases/abc/"
                     "actions"):
            r = self.user("dh_chief1").request(
                "POST", path, json_body={"action": "comment", "note": "x"})
            self.assertEqual(r.status, 404, r.body)
        self.assertEqual([s[0] for s in self.steps("dh_chief1", cid)],
                         ["report", "accept"])

    def test_one_of_many_concurrent_actions_wins(self):
        """The same action sent at once with the version read: whatever
        batches the writer makes of them, exactly one applies."""
        import threading
        c = self.report("dh_grid01", family="issue", category="greening",
                        title=self.title("草坪损坏"), node_code=GRID1)
        chief = self.user("dh_chief1")
        statuses = []

        def accept():
            r = chief.request("POST", "/api/v1/cases/%d/actions" % c["id"],
                              json_body={"action": "accept",
                                         "version": c["version"]})
            statuses.append((r.status, "" if r.status == 200
                             else error_of(r)["field"]))

        threads = [threading.Thread(target=accept) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        # The others find the case accepted already: 409, the state
        # checked before the version.
        self.assertEqual(sorted(statuses), [(200, "")] + [(409, "action")] * 7)
        self.assertEqual([s[0] for s in self.steps("dh_chief1", c["id"])],
                         ["report", "accept"])
        self.assertEqual(self.get("dh_chief1", c["id"])["version"],
                         c["version"] + 1)

    def test_merge_only_into_a_case_one_can_see(self):
        # 延平区's district admin reports in its own district.
        far = self.report("yp_district", family="issue", category="greening",
                          title=self.title("延平绿地"),
                          node_code=self.user("cs_secretary").node)
        self.get("dh_chief1", far["id"], 404)
        c = self.report("dh_grid01", family="issue", category="greening",
                        title=self.title("东湖绿地"), node_code=GRID1)
        near = self.report("dh_grid02", family="issue", category="greening",
                           title=self.title("东湖绿地"), node_code=GRID1)
        other = self.report("dh_grid02", family="dispute",
                            category="neighbourhood", parties=["甲", "乙"],
                            title=self.title("东湖纠纷"), node_code=GRID1)
        for target in (far["id"], c["id"], other["id"], 999999):
            self.refused("dh_chief1", c["id"], "merge", 400, "duplicate_of",
                         duplicate_of=target)
        self.get("dh_chief1", far["id"], 404)
        c = self.act("dh_chief1", c["id"], "merge", duplicate_of=near["id"])
        self.assertEqual((c["state"], c["duplicate_of"]),
                         ("merged", near["id"]))
        self.assertIsNotNone(c["closed_at"])

    def test_residents_see_only_their_own(self):
        sec = self.user("secadmin")
        r = sec.request("POST", "/api/v1/accounts", json_body={
            "username": "e2e_resident2", "display_name": "居民二",
            "home_node": COMMUNITY,
            "roles": [{"role": "resident", "node_code": GRID2}]})
        self.assertEqual(r.status, 201, r.body)
        c = Client(self.s)
        self.assertEqual(c.login("e2e_resident2",
                                 r.json()["initial_password"]).status, 200)
        r = c.request("PUT", "/api/v1/me/password", json_body={
            "old_password": r.json()["initial_password"],
            "new_password": "Donghu-Resident-2"})
        self.assertEqual(r.status, 204, r.body)
        self.users.pop("e2e_resident2", None)
        other = self.user("e2e_resident2", "Donghu-Resident-2")

        photo = self.upload("dh_resident", 50)
        mine = self.report("dh_resident", family="issue",
                           category="property_management",
                           title=self.title("电梯故障"), node_code=GRID1,
                           photos=[photo])
        theirs = self.report("e2e_resident2", family="issue",
                             category="property_management",
                             title=self.title("楼道灯坏"), node_code=GRID2)
        # Another resident's case is as if it did not exist.
        for path in ("/api/v1/cases/%d", "/api/v1/cases/%d/log"):
            r = other.request("GET", path % mine["id"])
            self.assertEqual(r.status, 404, r.body)
        r = other.request("POST", "/api/v1/cases/%d/actions" % mine["id"],
                          json_body={"action": "comment", "note": "?"})
        self.assertEqual(r.status, 404)
        r = other.request("GET", "/api/v1/photos/" + photo)
        self.assertEqual(r.status, 404)
        listed = [i["id"] for i in other.request(
            "GET", "/api/v1/cases").json()["items"]]
        self.assertEqual(listed, [theirs["id"]])
        # A node filters one's own cases too.
        listed = [i["id"] for i in self.user("dh_resident").request(
            "GET", "/api/v1/cases?node=" + GRID2).json()["items"]]
        self.assertNotIn(theirs["id"], listed)
        self.assertNotIn(mine["id"], listed)
        listed = [i["id"] for i in self.user("dh_resident").request(
            "GET", "/api/v1/cases?node=" + GRID1).json()["items"]]
        self.assertIn(mine["id"], listed)
        # Their own case: no holder's actions.
        self.assertEqual(self.get("dh_resident", mine["id"])["actions"],
                         ["withdraw", "comment"])
        for action, body in (("accept", {}), ("reject", {"note": "x"}),
                             ("escalate", {"note": "x"})):
            self.refused("dh_resident", mine["id"], action, 403, "action",
                         **body)
        r = self.user("dh_resident").request(
            "GET", "/api/v1/cases/stats?node=" + GRID1)
        self.assertEqual(r.status, 403)
        # Withdrawing ends it.
        c = self.act("dh_resident", mine["id"], "withdraw")
        self.assertEqual((c["state"], c["actions"]), ("withdrawn", []))
        self.assertIsNotNone(c["closed_at"])


class Statistics(CaseServer):
    """统计分析 counts what was done; 网格积分 pays for it."""

    GROUPS = ("state", "family", "category", "source", "child")

    def stats(self, **query):
        r = self.user("dh_secretary").request(
            "GET", "/api/v1/cases/stats?" + urllib.parse.urlencode(query))
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def snapshot(self, **query):
        snap = {"totals": self.stats(node=COMMUNITY, **query)["totals"]}
        for g in self.GROUPS:
            snap[g] = {i["key"]: i for i in self.stats(
                node=COMMUNITY, group=g, **query)["groups"]}
        return snap

    @staticmethod
    def delta(after, before, key):
        return {k: v[key] - before.get(k, {}).get(key, 0)
                for k, v in after.items()
                if v[key] != before.get(k, {}).get(key, 0)}

    def test_counts_and_points(self):
        mark = "统计样本"
        before = self.snapshot()
        handler = self.user("dh_grid06")
        reporter = self.user("dh_grid05")
        points_before = self.points(GRID2)
        # reported, still open: an issue from a resident in grid 1
        first = self.report("dh_resident", family="issue",
                            category="greening", node_code=GRID1,
                            title=self.title(mark))
        # closed: an issue a grid worker found on patrol in grid 2
        c = self.report("dh_grid05", family="issue", category="sanitation",
                        source="patrol", node_code=GRID2,
                        title=self.title(mark))
        self.act("dh_chief2", c["id"], "accept")
        self.act("dh_chief2", c["id"], "dispatch",
                 assignee={"kind": "account", "id": handler.id})
        self.act("dh_grid06", c["id"], "report_back", note="已清理")
        self.act("dh_chief2", c["id"], "pass")
        self.act("dh_chief2", c["id"], "close")
        closed = c["id"]
        # rejected: a dispute in grid 1
        c = self.report("dh_grid01", family="dispute",
                        category="neighbourhood", node_code=GRID1,
                        parties=["甲", "乙"], title=self.title(mark))
        self.act("dh_chief1", c["id"], "reject", note="不属于受理范围")
        # withdrawn: a hazard in grid 2
        r = self.user("dh_secretary").request(
            "POST", "/api/v1/buildings", json_body={
                "node_code": GRID2, "name": "统计楼", "address": "东湖路3号",
                "kind": "other"})
        building = r.json()
        c = self.report("dh_grid05", family="hazard", category="gas",
                        node_code=GRID2, building_id=building["id"],
                        title=self.title(mark))
        self.act("dh_grid05", c["id"], "withdraw")
        last = c

        after = self.snapshot()
        t_after, t_before = after["totals"], before["totals"]
        self.assertEqual({k: t_after[k] - t_before[k]
                          for k in ("total", "open", "closed", "ended")},
                         {"total": 4, "open": 1, "closed": 1, "ended": 2})
        self.assertEqual(self.delta(after["state"], before["state"],
                                    "total"),
                         {"reported": 1, "closed": 1, "rejected": 1,
                          "withdrawn": 1})
        self.assertEqual(self.delta(after["family"], before["family"],
                                    "total"),
                         {"issue": 2, "dispute": 1, "hazard": 1})
        self.assertEqual(self.delta(after["category"], before["category"],
                                    "total"),
                         {"greening": 1, "sanitation": 1,
                          "neighbourhood": 1, "gas": 1})
        self.assertEqual(self.delta(after["source"], before["source"],
                                    "total"),
                         {"resident": 3, "patrol": 1})
        self.assertEqual(self.delta(after["child"], before["child"],
                                    "total"),
                         {GRID1: 2, GRID2: 2})
        self.assertEqual(self.delta(after["child"], before["child"],
                                    "closed"), {GRID2: 1})

        # Only this test's cases: a title filter and a time window.
        window = dict(q=mark, node=COMMUNITY,
                      **{"from": first["reported_at"],
                         "to": "2100-01-01T00:00:00Z"})
        s = self.stats(group="state", **window)
        self.assertEqual(
            {g["key"]: g["total"] for g in s["groups"]},
            {"reported": 1, "closed": 1, "rejected": 1, "withdrawn": 1})
        self.assertEqual((s["totals"]["total"], s["totals"]["closed"],
                          s["totals"]["closure_rate"],
                          s["totals"]["on_time_rate"]), (4, 1, 1.0, 1.0))
        s = self.stats(group="family", family="issue", **window)
        self.assertEqual([(g["key"], g["total"]) for g in s["groups"]],
                         [("issue", 2)])
        s = self.stats(**dict(window, to=first["reported_at"]))
        self.assertEqual(s["totals"]["total"], 0)
        s = self.stats(node=GRID2, source="patrol", q=mark)
        self.assertEqual(s["totals"]["total"], 1)
        listed = self.user("dh_secretary").request(
            "GET", "/api/v1/cases?" + urllib.parse.urlencode(
                {"q": mark, "node": COMMUNITY})).json()
        self.assertEqual(len(listed["items"]), 4)
        self.assertEqual(listed["items"][0]["id"], last["id"])
        # A grid worker's statistics stop at their grid.
        r = self.user("dh_grid01").request(
            "GET", "/api/v1/cases/stats?node=" + GRID2)
        self.assertEqual(r.status, 404)

        # Points: +2 for closing on time to the handler, +1 to the grid
        # worker who found it on patrol.
        ledger = self.user("dh_chief2").request(
            "GET", "/api/v1/points/ledger?node=" + GRID2).json()["items"]
        self.assertEqual(
            sorted((p["account_id"], p["reason"], p["points"])
                   for p in ledger if p["case_id"] == closed),
            sorted([(handler.id, "on_time", 2),
                    (reporter.id, "self_found", 1)]))
        self.assertEqual(
            [p["reason_text"] for p in ledger if p["case_id"] == closed and
             p["reason"] == "on_time"], ["按期办结"])
        points = self.points(GRID2)
        self.assertEqual(points.get(handler.id, 0) -
                         points_before.get(handler.id, 0), 2)
        self.assertEqual(points.get(reporter.id, 0) -
                         points_before.get(reporter.id, 0), 1)
        r = self.user("dh_chief2").request(
            "GET", "/api/v1/points/ranking?node=%s&by=grid" % COMMUNITY)
        self.assertEqual(r.status, 404)  # the chief's scope is the grid
        by_grid = self.user("dh_secretary").request(
            "GET", "/api/v1/points/ranking?node=%s&by=grid"
            % COMMUNITY).json()["items"]
        self.assertIn(GRID2, [i["node_code"] for i in by_grid])

    def points(self, node):
        items = self.user("dh_secretary").request(
            "GET", "/api/v1/points/ranking?node=" + node).json()["items"]
        return {i["account_id"]: i["points"] for i in items}


class Settings(CaseServer):
    """Deadlines (时限) and the working calendar: the system
    administrator's; the workflow tables for everyone."""

    def test_rules_set_the_deadlines_of_new_cases(self):
        admin = self.user("sysadmin")  # second factor enrolled on login
        rule = {"family": "issue", "category": "emergency", "urgency": 3,
                "response_min": 60, "resolve_min": 180, "clock": "clock"}
        r = self.user("dh_admin").request("PUT", "/api/v1/case-rules",
                                          json_body=rule)
        self.assertEqual(r.status, 403)
        for change, field in (({"resolve_min": 30}, "resolve_min"),
                              ({"clock": "sundial"}, "clock"),
                              ({"category": "cats"}, "category"),
                              ({"family": "cats"}, "family"),
                              ({"urgency": 4}, "urgency"),
                              ({"response_min": 0}, "response_min"),
                              ({"speed": 1}, "speed")):
            r = admin.request("PUT", "/api/v1/case-rules",
                              json_body=dict(rule, **change))
            self.assertEqual((r.status, error_of(r)["field"]), (400, field),
                             (change, r.body))
        r = admin.request("PUT", "/api/v1/case-rules", json_body=rule)
        self.assertEqual(r.status, 200, r.body)
        self.assertIn(rule, r.json()["items"])
        listed = self.user("dh_chief1").request(
            "GET", "/api/v1/case-rules").json()["items"]
        self.assertIn(rule, listed)
        # Around the clock: due exactly 60 and 180 minutes after the report.
        c = self.report("dh_grid01", family="issue", category="emergency",
                        urgency=3, title=self.title("燃气泄漏"),
                        node_code=GRID1)
        reported = iso_seconds(c["reported_at"])
        self.assertEqual((iso_seconds(c["response_due"]) - reported,
                          iso_seconds(c["resolve_due"]) - reported),
                         (3600, 10800))
        # The family's default for the other categories (15 and 240
        # minutes around the clock, unless the demo set its own).
        default = [x for x in listed if (x["family"], x["category"],
                                         x["urgency"]) == ("issue", "", 3)]
        c = self.report("dh_grid01", family="issue", category="road_traffic",
                        urgency=3, title=self.title("井盖缺失"),
                        node_code=GRID1)
        own = [x for x in listed if (x["family"], x["category"],
                                     x["urgency"]) ==
               ("issue", "road_traffic", 3)]
        used = (own or default)[0]
        if used["clock"] == "clock":
            reported = iso_seconds(c["reported_at"])
            self.assertEqual(iso_seconds(c["response_due"]) - reported,
                             used["response_min"] * 60)

    def test_calendar(self):
        admin = self.user("sysadmin")
        days = [{"day": "2031-01-01", "work": False, "name": "元旦"},
                {"day": "2031-01-26", "work": True, "name": "春节调休"}]
        r = admin.request("PUT", "/api/v1/calendar/2031",
                          json_body={"days": days})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual((r.json()["year"], r.json()["days"]), (2031, days))
        got = self.user("dh_admin").request(
            "GET", "/api/v1/calendar?year=2031").json()
        self.assertEqual((got["year"], got["days"]), (2031, days))
        self.assertTrue(got["work_hours"])
        # A PUT replaces the whole year.
        r = admin.request("PUT", "/api/v1/calendar/2031", json_body={
            "days": [{"day": "2031-10-01", "work": False}]})
        self.assertEqual(r.json()["days"],
                         [{"day": "2031-10-01", "work": False,
                           "name": None}])
        for body, field in (
                ({"days": [{"day": "2030-12-31", "work": False}]}, "day"),
                ({"days": [{"day": "2031-02-30", "work": False}]}, "day"),
                ({"days": [{"day": "2031-05-01"}]}, "work"),
                ({"days": [{"day": "2031-05-01", "work": "no"}]}, "work"),
                ({"days": [{"day": "2031-05-01", "work": False},
                           {"day": "2031-05-01", "work": False}]}, "day"),
                ({"days": [{"day": "2031-05-01", "work": False,
                            "name": "长" * 51}]}, "name"),
                ({"days": "2031-05-01"}, "days"),
                ({"days": [{"day": "2031-05-01", "work": False}],
                  "year": 2031}, "year")):
            r = admin.request("PUT", "/api/v1/calendar/2031", json_body=body)
            self.assertEqual((r.status, error_of(r)["field"]), (400, field),
                             (body, r.body))
        r = admin.request("PUT", "/api/v1/calendar/1969",
                          json_body={"days": []})
        self.assertEqual(r.status, 404)
        r = self.user("dh_admin").request("PUT", "/api/v1/calendar/2031",
                                          json_body={"days": []})
        self.assertEqual(r.status, 403)
        got = self.user("dh_admin").request(
            "GET", "/api/v1/calendar?year=2031").json()
        self.assertEqual(len(got["days"]), 1)  # nothing half-written

    def test_case_flows(self):
        flows = self.user("dh_resident").request(
            "GET", "/api/v1/case-flows").json()
        rows = {(f["family"], f["from"], f["action"]): (f["to"], f["who"],
                                                        f["need"])
                for f in flows["flows"]}
        self.assertEqual(rows[("hazard", "reported", "accept")],
                         ("accepted", ["holder"], ["deadline"]))
        self.assertEqual(rows[("dispute", "handling", "report_back")],
                         ("handled", ["assignee"], ["note", "outcome"]))
        self.assertEqual(rows[("issue", "verified", "close")],
                         ("closed", ["holder"], []))
        self.assertNotIn(("service", "accepted", "summon"), rows)
        self.assertEqual([f["family"] for f in flows["families"]],
                         ["issue", "dispute", "hazard", "service"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
