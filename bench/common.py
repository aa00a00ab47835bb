"""What the load benchmarks share: a temporary database, a gunicorn server they
start and stop, its log read for tracebacks, and percentiles."""
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from community.extensions import db

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-secret"


def database_url(tmp):
    """DATABASE_URL when set (PostgreSQL), else a SQLite file in `tmp`."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}"


def reset_schema():
    """An empty PostgreSQL schema to migrate into (a new SQLite file is empty already)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app_spec, url, port, log_path, workers):
    """gunicorn with sync workers serving `app_spec` (e.g. "bench.x:server_app()")."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.exists():
        gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=SECRET_KEY, OPC_ENV="development")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--chdir",
             str(ROOT), app_spec], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited at start:\n" + Path(log_path).read_text())
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/login")
            if conn.getresponse().status == 200:
                conn.close()
                return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_server(process):
    """SIGTERM (workers finish their request), then kill after 30 s."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def server_problems(log_text):
    """Tracebacks the server logged, {last line: [count, first block]}, and worker timeouts."""
    blocks = re.split(r"(?m)^(?=\[[^\]]+\] \[\d+\] \[(?:ERROR|CRITICAL)\])", log_text)
    tracebacks = {}
    for block in blocks:
        if "Traceback (most recent call last)" not in block:
            continue
        last = [line for line in block.strip().splitlines() if line.strip()][-1]
        tracebacks.setdefault(last, [0, block.strip()])[0] += 1
    return tracebacks, log_text.count("WORKER TIMEOUT")


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]
