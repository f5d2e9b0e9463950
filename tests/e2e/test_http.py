"""The HTTP front line: routing, limits, errors, headers, static files,
metrics and graceful shutdown, against a real server."""
import gzip
import os
import signal
import tempfile
import threading
import time
import unittest

from harness import Server, error_of, ID_NO_RE, PHONE_RE, SOURCE

# Every answer; the CSP always forbids framing.
SECURITY_HEADERS = ["Content-Security-Policy", "X-Content-Type-Options",
                    "Referrer-Policy", "X-Request-Id"]
# Pages also get the headers that only matter for documents.
PAGE_HEADERS = SECURITY_HEADERS + ["X-Frame-Options",
                                   "Cross-Origin-Opener-Policy"]


def make_web_dir():
    d = tempfile.mkdtemp(prefix="gridgov-web-")
    os.makedirs(os.path.join(d, "assets"))
    with open(os.path.join(d, "index.html"), "w") as f:
        f.write("<!doctype html><title>网格</title>" + "x" * 2000)
    with open(os.path.join(d, "assets", "app-1234.js"), "w") as f:
        f.write("console.log('app');" * 100)
    with open(os.path.join(d, "assets", "app-1234.js.gz"), "wb") as f:
        f.write(gzip.compress(b"console.log('app');" * 100))
    with open(os.path.join(d, "logo.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
    with open(os.path.join(os.path.dirname(d), "secret.txt"), "w") as f:
        f.write("secret")
    return d


class FrontLine(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.web = make_web_dir()
        cls.s = Server(web=cls.web, config={"max_body_bytes": 4096}).start()

    @classmethod
    def tearDownClass(cls):
        cls.s.cleanup()

    def assert_error(self, r, status, code, field=None):
        self.assertEqual(r.status, status, r.body)
        self.assertTrue(r.header("Content-Type").startswith("application/json"))
        e = error_of(r)
        self.assertEqual(e["code"], code)
        self.assertTrue(e["message"])
        if field is not None:
            self.assertEqual(e["field"], field)
        for h in SECURITY_HEADERS:
            self.assertIsNotNone(r.header(h), h)
        self.assertIn("frame-ancestors 'none'",
                      r.header("Content-Security-Policy"))
        return e

    def test_health(self):
        r = self.s.request("GET", "/api/v1/health")
        self.assertEqual(r.status, 200)
        j = r.json()
        self.assertEqual(j["status"], "ok")
        migrations = os.listdir(os.path.join(SOURCE, "src", "store",
                                             "migrations", "sqlite"))
        self.assertEqual(j["schema_version"], len(migrations))
        self.assertGreaterEqual(j["uptime_s"], 0)
        for h in SECURITY_HEADERS:
            self.assertIsNotNone(r.header(h), h)
        self.assertIn("frame-ancestors 'none'",
                      r.header("Content-Security-Policy"))
        self.assertEqual(r.header("Cache-Control"), "no-store")
        head = self.s.request("HEAD", "/api/v1/health")
        self.assertEqual(head.status, 200)
        self.assertEqual(head.body, b"")

    def test_request_ids_differ(self):
        a = self.s.request("GET", "/api/v1/health").header("X-Request-Id")
        b = self.s.request("GET", "/api/v1/health").header("X-Request-Id")
        self.assertRegex(a, r"^[0-9a-f]{16}$")
        self.assertNotEqual(a, b)

    def test_unknown_api_path(self):
        e = self.assert_error(self.s.request("GET", "/api/v1/nope"), 404,
                              "not_found", "")
        self.assertEqual(e["message"], "请求的资源不存在")
        r = self.s.request("GET", "/api/v1/nope",
                           headers={"Accept-Language": "en-US,en;q=0.9"})
        self.assertEqual(error_of(r)["message"],
                         "The requested resource does not exist")

    def test_wrong_method(self):
        r = self.s.request("PUT", "/api/v1/health")
        self.assert_error(r, 405, "method_not_allowed")
        self.assertEqual(r.header("Allow"), "GET, HEAD")
        r = self.s.request("GET", "/api/v1/session")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header("Allow"), "POST, DELETE")
        r = self.s.request("POST", "/index.html", body=b"")
        self.assertEqual(r.status, 405)
        r = self.s.raw(b"BREW /api/v1/health HTTP/1.1\r\nHost: x\r\n"
                       b"Connection: close\r\n\r\n")
        self.assertIn(b" 405 ", r.split(b"\r\n")[0])

    def test_wrong_media_type(self):
        r = self.s.request("POST", "/api/v1/session", body=b"username=a",
                           headers={"Content-Type":
                                    "application/x-www-form-urlencoded"})
        self.assert_error(r, 415, "unsupported_media_type", "Content-Type")
        r = self.s.request("POST", "/api/v1/session", body=b"{}",
                           headers={"Content-Type":
                                    "application/json; charset=gbk"})
        self.assertEqual(r.status, 415)

    def test_body_limits(self):
        big = b'{"username":"' + b"a" * 5000 + b'"}'
        r = self.s.request("POST", "/api/v1/session", body=big,
                           headers={"Content-Type": "application/json"})
        e = self.assert_error(r, 413, "too_big", "body")
        self.assertIn("4096", e["message"])
        # Announced too big: answered before the body is sent.
        out = self.s.raw(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Type: application/json\r\n"
                         b"Content-Length: 999999999\r\n\r\n")
        self.assertIn(b" 413 ", out.split(b"\r\n")[0])
        # Chunked, with no length up front: cut off at the cap.
        chunk = b"1000\r\n" + b"a" * 4096 + b"\r\n"
        out = self.s.raw(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Type: application/json\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n" + chunk * 3 +
                         b"0\r\n\r\n")
        self.assertIn(b" 413 ", out.split(b"\r\n")[0])
        r = self.s.request("POST", "/api/v1/session", body=b"",
                           headers={"Content-Type": "application/json"})
        self.assert_error(r, 400, "invalid", "body")
        r = self.s.request("GET", "/api/v1/health", body=b"{}",
                           headers={"Content-Type": "application/json"})
        self.assert_error(r, 400, "invalid", "body")

    def test_bad_json(self):
        def post(body):
            return self.s.request("POST", "/api/v1/session", body=body,
                                  headers={"Content-Type": "application/json"})
        e = self.assert_error(post(b'{"username": '), 400, "invalid")
        self.assertIn("JSON", e["message"])
        e = self.assert_error(post(b"[" * 100 + b"]" * 100), 400, "invalid")
        self.assertIn("32", e["message"])
        self.assert_error(post(b'["a"]'), 400, "invalid")
        self.assert_error(post(b'{"username":"\xff\xfe"}'), 400, "invalid")
        self.assert_error(post(b'{"username":"a","username":"b"}'), 400,
                          "invalid")
        self.assert_error(post(b'{"username":"a","password":"b","x":1}'), 400,
                          "invalid", "x")
        self.assert_error(post(b'{"username":1,"password":"b"}'), 400,
                          "invalid", "username")
        self.assert_error(post(b'{"username":"a\\u0001","password":"b"}'),
                          400, "invalid", "username")
        self.assert_error(post(('{"username":"%s","password":"b"}' %
                                ("网" * 65)).encode()), 400, "invalid",
                          "username")
        self.assert_error(post(b'{"username":1e999999,"password":"b"}'), 400,
                          "invalid")

    def test_header_and_url_limits(self):
        out = self.s.raw(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n"
                         b"X-Big: " + b"a" * 65536 + b"\r\n\r\n")
        self.assertIn(b" 431 ", out.split(b"\r\n")[0])
        r = self.s.request("GET", "/api/v1/health?x=" + "a" * 5000)
        self.assert_error(r, 400, "invalid", "url")
        r = self.s.request("GET", "/api/v1/nodes%00x")
        self.assertEqual(r.status, 400)
        # The server is still there.
        self.assertEqual(self.s.request("GET", "/api/v1/health").status, 200)

    def test_garbage_does_not_hurt(self):
        for junk in [b"\x00\x01\x02\r\n\r\n", b"GET\r\n\r\n",
                     b"GET / HTTP/9.9\r\n\r\n", b"A" * 10000 + b"\r\n\r\n",
                     b"GET /api/v1/health HTTP/1.1\r\nContent-Length: 5\r\n"
                     b"Content-Length: 6\r\nHost: x\r\n\r\nhello"]:
            out = self.s.raw(junk, timeout=2)
            if out:
                status = int(out.split(b" ")[1])
                self.assertGreaterEqual(status, 400, junk[:40])
                self.assertTrue(status < 500 or status == 505, junk[:40])
        self.assertEqual(self.s.request("GET", "/api/v1/health").status, 200)

    def test_keep_alive_survives_errors(self):
        c = self.s.connection()
        try:
            self.assertEqual(self.s.request("GET", "/api/v1/nope",
                                            conn=c).status, 404)
            self.assertEqual(self.s.request("PUT", "/api/v1/health",
                                            conn=c).status, 405)
            r = self.s.request("GET", "/api/v1/health", conn=c)
            self.assertEqual(r.status, 200)
            self.assertNotEqual(r.header("Connection"), "close")
        finally:
            c.close()

    def test_static_files(self):
        r = self.s.request("GET", "/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        self.assertEqual(r.header("Cache-Control"), "no-cache")
        etag = r.header("ETag")
        self.assertTrue(etag.startswith('W/"'))
        r = self.s.request("GET", "/", headers={"If-None-Match": etag})
        self.assertEqual(r.status, 304)
        self.assertEqual(r.body, b"")
        # A client-side route gets the page.
        r = self.s.request("GET", "/cases/123")
        self.assertEqual(r.status, 200)
        self.assertIn("网格".encode(), r.body)
        # Precompressed when the client takes gzip.
        r = self.s.request("GET", "/assets/app-1234.js",
                           headers={"Accept-Encoding": "gzip"})
        self.assertEqual(r.header("Content-Encoding"), "gzip")
        self.assertEqual(gzip.decompress(r.body), b"console.log('app');" * 100)
        self.assertIn("immutable", r.header("Cache-Control"))
        self.assertEqual(r.header("Vary"), "Accept-Encoding")
        r = self.s.request("GET", "/assets/app-1234.js")
        self.assertIsNone(r.header("Content-Encoding"))
        self.assertTrue(r.header("Content-Type").startswith("text/javascript"))
        self.assertEqual(self.s.request("GET", "/logo.png").header(
            "Content-Type"), "image/png")
        # A missing asset is a 404, not the page.
        self.assertEqual(self.s.request("GET", "/assets/gone.js").status, 404)
        for path in [b"/../secret.txt", b"/assets/../../secret.txt",
                     b"/%2e%2e/secret.txt", b"/.hidden", b"/assets/..%2f..%2fsecret.txt",
                     b"/..\\secret.txt"]:
            out = self.s.raw(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n"
                             b"Connection: close\r\n\r\n")
            self.assertNotIn(b"secret", out.split(b"\r\n\r\n", 1)[-1], path)
        page = self.s.request("GET", "/")
        for h in PAGE_HEADERS:
            self.assertIsNotNone(page.header(h), h)
        self.assertIn("script-src 'self'",
                      page.header("Content-Security-Policy"))

    def test_metrics(self):
        self.s.request("GET", "/api/v1/health")
        r = self.s.request("GET", "/metrics")
        self.assertEqual(r.status, 200)
        text = r.body.decode()
        self.assertIn('gridgov_http_requests_total{route="api_health_get",'
                      'status="200"}', text)
        self.assertIn("gridgov_http_request_duration_seconds_bucket", text)
        self.assertIn("gridgov_http_connections_open", text)
        self.assertIn("gridgov_store_seconds_total", text)
        self.assertIn("process_resident_memory_bytes", text)


class Shutdown(unittest.TestCase):
    def test_sigterm_finishes_requests_in_flight(self):
        s = Server(demo=True).start()
        try:
            result = {}

            def login():
                result["r"] = s.login("dh_admin")
            t = threading.Thread(target=login)
            t.start()
            time.sleep(0.05)  # the login's Argon2id takes far longer
            code = s.stop(signal.SIGTERM)
            t.join(30)
            self.assertEqual(code, 0)
            self.assertEqual(result["r"].status, 200)
            log = s.read_log()
            self.assertIn(b"event=serve.stopped", log)
            self.assertIsNone(ID_NO_RE.search(log))
            self.assertIsNone(PHONE_RE.search(log))
        finally:
            s.cleanup()

    def test_sigint_stops_cleanly(self):
        s = Server().start()
        try:
            self.assertEqual(s.request("GET", "/api/v1/health").status, 200)
            self.assertEqual(s.stop(signal.SIGINT), 0)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
