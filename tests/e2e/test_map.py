"""The map through HTTP: drawing community and grid boundaries with every
check (valid polygon, inside the community, no overlap with a sibling),
the coverage report with its gaps, the GeoJSON map, the point -> grid
lookup, and buildings placed in their grid by their location."""
import unittest

from harness import Client, Server, error_of

STREET = "370902001"
C = "370902001099"      # a community made for this test, far from the demo
G1, G2, G3 = C + "001", C + "002", C + "003"


def rect(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[
        [x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


class Map(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(demo=True).start()
        cls.c = Client(cls.s)
        assert cls.c.login("dh_admin").status == 200
        for code, parent, name in ((C, STREET, "测绘社区"),
                                   (G1, C, "测绘一网格"),
                                   (G2, C, "测绘二网格"),
                                   (G3, C, "测绘三网格")):
            r = cls.c.request("POST", "/api/v1/nodes", json_body={
                "code": code, "parent_code": parent, "name": name})
            assert r.status == 201, r.body

    @classmethod
    def tearDownClass(cls):
        cls.s.cleanup()

    def version(self, code):
        return self.c.request("GET", "/api/v1/nodes/" + code).json()["version"]

    def draw(self, code, geometry, status=200):
        r = self.c.request("PUT", "/api/v1/nodes/%s/geometry" % code,
                           json_body={"version": self.version(code),
                                      "geometry": geometry})
        self.assertEqual(r.status, status, r.body)
        return r

    def test_map(self):
        self.draw(C, rect(100.00, 30.00, 100.02, 30.01))
        r = self.draw(G1, rect(100.00, 30.00, 100.01, 30.01))
        self.assertAlmostEqual(r.json()["area_m2"] / 1e6, 1.07, delta=0.05)
        # Refused, each naming the geometry and why.
        r = self.draw(G2, rect(100.005, 30.00, 100.015, 30.01), 400)
        self.assertEqual(error_of(r)["field"], "geometry")
        self.assertIn(G1, error_of(r)["message"])
        r = self.draw(G2, rect(100.01, 30.00, 100.03, 30.01), 400)
        self.assertIn("社区", error_of(r)["message"])
        bowtie = {"type": "Polygon", "coordinates": [[
            [100.01, 30.0], [100.02, 30.01], [100.02, 30.0], [100.01, 30.01],
            [100.01, 30.0]]]}
        self.assertEqual(error_of(self.draw(G2, bowtie, 400))["field"],
                         "geometry")
        open_ring = {"type": "Polygon", "coordinates": [[
            [100.01, 30.0], [100.02, 30.0], [100.02, 30.01]]]}
        self.assertEqual(error_of(self.draw(G2, open_ring, 400))["field"],
                         "geometry")
        self.assertEqual(error_of(self.draw(G2, "x", 400))["field"],
                         "geometry")
        r = self.c.request("PUT", "/api/v1/nodes/%s/geometry" % G2,
                           json_body={"version": self.version(G2) + 5,
                                      "geometry": rect(100.01, 30.0, 100.015,
                                                       30.01)})
        self.assertEqual(r.status, 409)
        r = self.c.request("PUT", "/api/v1/nodes/%s/geometry" % STREET,
                           json_body={"version": self.version(STREET),
                                      "geometry": rect(100, 30, 101, 31)})
        self.assertEqual(error_of(r)["field"], "code")
        # A small sliver along a shared border is within the tolerance.
        self.draw(G2, rect(100.00999995, 30.00, 100.015, 30.01))
        cov = self.c.request("GET", "/api/v1/nodes/%s/coverage" % C).json()
        self.assertEqual(cov["missing"], [G3])
        self.assertAlmostEqual(cov["gaps_m2"] / cov["area_m2"], 0.25,
                               delta=0.01)
        self.assertEqual(cov["gaps"]["features"][0]["geometry"]["type"],
                         "MultiPolygon")
        # Point -> grid.
        loc = lambda lon, lat: self.c.request(
            "GET", "/api/v1/locate?lon=%s&lat=%s" % (lon, lat)).json()["grid"]
        self.assertEqual(loc(100.005, 30.005)["code"], G1)
        self.assertEqual(loc(100.012, 30.005)["code"], G2)
        self.assertIsNone(loc(100.018, 30.005))
        r = self.c.request("GET", "/api/v1/locate?lon=200&lat=30")
        self.assertEqual(error_of(r)["field"], "lon")
        # Buildings find their grid by their location.
        body = {"name": "测绘楼", "address": "测绘路1号", "kind": "residential",
                "lon": 100.012, "lat": 30.005}
        r = self.c.request("POST", "/api/v1/buildings", json_body=body)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json()["node_code"], G2)
        bid = r.json()["id"]
        r = self.c.request("POST", "/api/v1/buildings",
                           json_body=dict(body, node_code=G1))
        self.assertEqual(error_of(r)["field"], "lon")
        self.assertIn(G2, error_of(r)["message"])
        r = self.c.request("POST", "/api/v1/buildings",
                           json_body=dict(body, lon=100.018))
        self.assertEqual(error_of(r)["field"], "lon")
        r = self.c.request("POST", "/api/v1/buildings",
                           json_body=dict(body, lon=100.018, node_code=G3))
        self.assertEqual(r.json()["node_code"], G3)  # unmapped grid: as told
        # Moving the building moves it to the other grid.
        v = self.c.request("GET", "/api/v1/buildings/%d" % bid).json()
        r = self.c.request("PUT", "/api/v1/buildings/%d" % bid, json_body={
            "version": v["version"], "lon": 100.005, "lat": 30.005})
        self.assertEqual(r.json()["node_code"], G1)
        # The map.
        fc = self.c.request("GET", "/api/v1/map?node=" + C).json()
        self.assertEqual(fc["type"], "FeatureCollection")
        codes = [f["properties"].get("code") for f in fc["features"]
                 if f["geometry"]["type"] == "Polygon"]
        self.assertEqual(codes, [C, G1, G2])
        points = [f for f in fc["features"]
                  if f["geometry"]["type"] == "Point"]
        self.assertIn(bid, [p["properties"]["building_id"] for p in points])
        self.assertEqual(self.c.request("GET", "/api/v1/map?node=110101")
                         .status, 404)
        # Clearing a boundary; the history keeps both.
        r = self.c.request("DELETE", "/api/v1/nodes/%s/geometry?version=%d"
                           % (G2, self.version(G2)))
        self.assertEqual(r.status, 204, r.body)
        cov = self.c.request("GET", "/api/v1/nodes/%s/coverage" % C).json()
        self.assertEqual(sorted(cov["missing"]), [G2, G3])
        hist = self.c.request("GET", "/api/v1/nodes/%s/history"
                              % G2).json()["items"]
        self.assertEqual([h["action"] for h in hist[:2]],
                         ["boundary", "boundary"])
        self.assertIsNone(hist[0]["after"])
        self.assertGreater(hist[0]["before"]["area_m2"], 0)


if __name__ == "__main__":
    unittest.main()
