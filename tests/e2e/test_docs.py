"""The documents stay true to the code: every route of routes.def is in the
OpenAPI document with its method and handler, and nothing else is."""
import json
import os
import re
import unittest

from harness import SOURCE


class Docs(unittest.TestCase):
    def test_openapi_matches_the_route_table(self):
        with open(os.path.join(SOURCE, "src", "api", "routes.def")) as f:
            routes = re.findall(r'^ROUTE\((\w+), "([^"]+)", (\w+),', f.read(),
                                re.M)
        self.assertGreater(len(routes), 5)
        with open(os.path.join(SOURCE, "docs", "api", "openapi.json")) as f:
            doc = json.load(f)
        documented = {(m.upper(), path, op["operationId"])
                      for path, ops in doc["paths"].items()
                      for m, op in ops.items()}
        self.assertEqual(documented, set(routes))


if __name__ == "__main__":
    unittest.main(verbosity=2)
