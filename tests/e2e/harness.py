"""End-to-end harness: the real gridgov binary on 127.0.0.1 with a temporary
database, driven over HTTP. Standard library only.

Server(demo=True).start() runs `gridgov init` (and `gridgov demo`), then
`gridgov serve --listen 127.0.0.1:0` and reads the port it reports. Every
test class gets its own server, database and port, so CTest can run the
files in parallel.
"""
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SOURCE = os.environ.get("GRIDGOV_SOURCE") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("GRIDGOV_BIN") or os.path.join(SOURCE, "build", "gridgov")
DEMO_PASSWORD = "Gridgov@Demo2026"

# A full ID number (GB 11643) or mobile number, as they must never appear in
# logs or in responses to roles without the right to see them.
ID_NO_RE = re.compile(rb"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9X](?![0-9A-Za-z])")
PHONE_RE = re.compile(rb"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])")


def is_id_number(b):
    """True for a valid GB 11643 number: real birth date, right check digit.
    Filters out the digit runs a database file holds by chance."""
    import datetime
    t = b.decode()
    try:
        datetime.date(int(t[6:10]), int(t[10:12]), int(t[12:14]))
    except ValueError:
        return False
    if not 1890 <= int(t[6:10]) <= 2100:
        return False
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(t[:17], weights))
    return "10X98765432"[total % 11] == t[17]


def id_numbers_in(data):
    return {m for m in ID_NO_RE.findall(data) if is_id_number(m)}


def run(args, env=None, timeout=60):
    """Runs the gridgov binary; returns (exit code, stdout, stderr)."""
    e = dict(os.environ)
    e.setdefault("GRIDGOV_LANG", "zh")
    e.update(env or {})
    p = subprocess.run([BIN] + list(args), capture_output=True, env=e,
                       timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def headers_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        return json.loads(self.body.decode())


class Server:
    def __init__(self, demo=False, web=None, config=None, env=None):
        self.demo = demo
        self.web = web
        self.config = config
        self.env = env or {}
        self.dir = tempfile.mkdtemp(prefix="gridgov-e2e-")
        self.db = os.path.join(self.dir, "gridgov.db")
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.dir, "server.log")

    # -- lifecycle --
    def start(self):
        rc, out, err = run(["demo" if self.demo else "init", "--db", self.db])
        if rc != 0:
            raise RuntimeError("setup failed: %s %s" % (out, err))
        args = [BIN, "serve", "--db", self.db, "--listen", "127.0.0.1:0"]
        if self.web:
            args += ["--web", self.web]
        if self.config:
            path = os.path.join(self.dir, "gridgov.conf")
            with open(path, "w") as f:
                for k, v in self.config.items():
                    f.write("%s = %s\n" % (k, v))
            args += ["--config", path]
        env = dict(os.environ)
        env.update(self.env)
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                     stderr=self.log, env=env)
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline().decode() if ready else ""
        m = re.search(r"127\.0\.0\.1:(\d+)", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("server did not start: %r %s" %
                               (line, self.read_log()))
        self.port = int(m.group(1))
        return self

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Stops the server; returns its exit code."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        self.proc = None
        return code

    def cleanup(self):
        """Stops the server and removes its files. A server that does not
        exit cleanly (a crash, or a sanitizer's leak report) fails the test
        class that ran it."""
        running = self.proc is not None
        code = self.stop()
        log = self.read_log() if running else b""
        shutil.rmtree(self.dir, ignore_errors=True)
        if running and code != 0:
            raise RuntimeError("server exited with %s:\n%s" %
                               (code, log[-4000:].decode(errors="replace")))

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read()

    # -- HTTP --
    def connection(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout)

    def request(self, *args, **kwargs):
        return self.client.request(*args, **kwargs)

    def login(self, *args, **kwargs):
        return self.client.login(*args, **kwargs)

    @property
    def cookies(self):
        return self.client.cookies

    @property
    def client(self):
        if not hasattr(self, "_client"):
            self._client = Client(self)
        return self._client

    def raw(self, data, timeout=10):
        """Sends raw bytes; returns everything the server answers."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered and closed early
            out = b""
            while not response_complete(out):
                try:
                    b = s.recv(65536)
                except (ConnectionResetError, socket.timeout):
                    break
                if not b:
                    break
                out += b
            return out
        finally:
            s.close()


class Client:
    """One user agent: its own cookies and CSRF token."""

    def __init__(self, server):
        self.server = server
        self.cookies = {}
        self.csrf = None

    def request(self, method, path, body=None, headers=None, conn=None,
                json_body=None, cookies=True):
        h = {"Accept-Language": "zh-CN"}
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            h["Content-Type"] = "application/json"
        if cookies and self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if self.csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        own = conn is None
        c = conn or self.server.connection()
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            resp = Response(r.status, r.getheaders(), data)
        finally:
            if own:
                c.close()
        for v in resp.headers_all("Set-Cookie"):
            name, _, rest = v.partition("=")
            value = rest.split(";", 1)[0]
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return resp

    def login(self, username, password=DEMO_PASSWORD, totp_secret=None):
        body = {"username": username, "password": password}
        r = self.request("POST", "/api/v1/session", json_body=body)
        if r.status == 401 and totp_secret and \
                r.json()["error"]["code"] == "totp_required":
            body["totp_code"] = totp(totp_secret)
            r = self.request("POST", "/api/v1/session", json_body=body)
        if r.status == 200:
            self.csrf = r.json()["csrf_token"]
        return r

    def enrol_totp(self):
        """Enrols a second factor; returns its base32 secret. Confirms with
        the previous step's code so that a login may use the current one."""
        r = self.request("POST", "/api/v1/me/totp")
        assert r.status == 200, r.body
        secret = r.json()["secret"]
        r = self.request("POST", "/api/v1/me/totp/confirm",
                         json_body={"code": totp(secret, -1)})
        assert r.status == 204, r.body
        return secret


def totp(secret_b32, offset=0, now=None):
    """RFC 6238: HMAC-SHA1, 6 digits, 30 s steps."""
    import base64
    import hashlib
    import hmac
    import struct
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    step = int((now or time.time()) // 30) + offset
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[19] & 15
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000
    return "%06d" % code


def response_complete(data):
    """True once data holds a whole response with a Content-Length."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return bool(m) and len(body) >= int(m.group(1))


def error_of(resp):
    """The uniform error object of a response."""
    return resp.json()["error"]


def wait_for(predicate, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False
