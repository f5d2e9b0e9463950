"""Runs a command against a live gridgov server (used by the browser tests):

    with_server.py [--demo] -- node --test tests/web/login.test.mjs

The server serves web/dist; GRIDGOV_URL tells the command where it is. The
command's exit code is ours, and the server must stop cleanly and must not
have logged any full ID or phone number.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402


def main():
    argv = sys.argv[1:]
    demo = "--demo" in argv[:argv.index("--")]
    cmd = argv[argv.index("--") + 1:]
    web = os.path.join(harness.SOURCE, "web", "dist")
    if not os.path.exists(os.path.join(web, "index.html")):
        print("web/dist is missing: build the front end first "
              "(cd web && npm ci && npm run build)", file=sys.stderr)
        return 1
    server = harness.Server(demo=demo, web=web).start()
    env = dict(os.environ)
    env["GRIDGOV_URL"] = "http://127.0.0.1:%d" % server.port
    try:
        code = subprocess.call(cmd, env=env)
    finally:
        stop = server.stop()
        log = server.read_log()
        server.cleanup()
    if stop != 0:
        print("server exited with %s" % stop, file=sys.stderr)
        return 1
    if harness.ID_NO_RE.search(log) or harness.PHONE_RE.search(log):
        print("the server log holds personal data", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
