"""Real programs some tests run beside the app: a redis-server and gunicorn, each on
a free port, stopped when the test ends. Without the program the test is skipped,
or fails when REQUIRE_BROWSER=1 (CI installs everything)."""
import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

import pytest

ROOT = Path(__file__).resolve().parents[1]


def need(program):
    path = shutil.which(program) or shutil.which(
        os.path.join(os.path.dirname(sys.executable), program))
    if path is None:
        message = f"{program} is not installed (.ci/run installs it)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message + " and REQUIRE_BROWSER=1", pytrace=False)
        pytest.skip(message)
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(ready, what, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.05)
    pytest.fail(f"{what} did not start")


@contextmanager
def redis_server(folder):
    """A real redis-server on a free port; yields its URL."""
    program = need("redis-server")
    port = free_port()
    process = subprocess.Popen([program, "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def ready():
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    try:
        _wait(ready, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def gunicorn(env, workers=3, log=None):
    """The app under gunicorn, as production runs it (`gunicorn -w N 'app:create_app()'`),
    with `env` added to this environment; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [need("gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "60",
         "app:create_app()"], cwd=ROOT, env=os.environ | {"OPC_ENV": "development"} | env,
        stdout=log or subprocess.DEVNULL, stderr=log or subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: urlopen(base + "/login", timeout=2).status == 200, "gunicorn", 60)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


class Phone:
    """One person's browser for a test against a real server: its own cookies, and
    every answer as (status, text), a 4xx included."""

    def __init__(self):
        from http.cookiejar import CookieJar
        from urllib.request import HTTPCookieProcessor, build_opener
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()))

    def open(self, url, data=None):
        from urllib.error import HTTPError
        from urllib.parse import urlencode
        body = urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, body, timeout=30) as response:
                return response.status, response.read().decode()
        except HTTPError as error:
            return error.code, error.read().decode()

    def get(self, url):
        return self.open(url)[1]

    def post(self, url, data):
        return self.open(url, data)
