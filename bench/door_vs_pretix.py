"""The door against pretix: one scanning client, this project on PostgreSQL and on
SQLite and pretix on PostgreSQL, in alternating rounds.

Every system is measured by the same client (Python asyncio + httpx, connections
kept alive when the server allows it): --clients concurrent scanners (50) take
--tickets tickets (1,000) from one queue and scan each once; a random --again (500)
of them are put back at the end of the queue once the first answer came back and
scanned a second time (the answer must then be "already checked in"). Every scan
carries a nonce of its own. Only the URL, the body and the authorization differ:

* this project: POST /api/v1/events/<id>/checkins {"code": ticket URL, "nonce"},
  `Authorization: Bearer <device token>` (one device per scanner);
* pretix: POST /api/v1/organizers/<org>/checkinrpc/redeem/
  {"secret", "lists": [id], "nonce"}, `Authorization: Token <team API token>`.

A round runs each system in turn (the order rotates between rounds): its database
made ready (untimed: this project's migrated and seeded afresh; pretix's orders made
once and a fresh check-in list per round), its gunicorn started (4 sync workers, or
the --worker-class given for this project), every worker warmed up with made-up
tickets, then the timed run, then the database checked:

* scans/s, p50/p99 latency;
* machine CPU per scan: the whole machine's busy CPU time from /proc/stat over the
  run ÷ scans, so the client, the server and the database are all counted, for both
  systems alike (and anything else running on the machine: run it on a quiet one);
* lost: tickets not checked in, or checked in without any scanner told "ok";
  duplicated: a ticket told "ok" twice, or checked in twice (this project: two
  check-in audit rows; pretix: two successful entries on the list). Both must be 0.

It ends with the medians [min–max] over the rounds and the aims beside them: this
project at least 10× pretix's scans/s on each database, at most a tenth of its CPU
per scan, p99 ≤ 300 ms, nothing lost, nothing duplicated. Timings are printed,
never asserted.

pretix comes from PyPI into a virtualenv of its own (--pretix-venv, default
/var/tmp/opc-bench/pretix-venv: made with `pip install pretix gunicorn` when
missing, reused when present), with a database of its own (--pretix-db,
opc_bench_pretix: `python -m pretix migrate` each run, a few minutes the first time)
and its pretix.cfg in the bench's temporary directory. This project's PostgreSQL
runs use DATABASE_URL or --door-db (opc_bench_door), whose public schema is DROPPED
and recreated: point it at a bench database only.

    .venv/bin/python bench/door_vs_pretix.py                 # 3 rounds, all three
    .venv/bin/python bench/door_vs_pretix.py --no-pretix --rounds 1
    .venv/bin/python bench/door_vs_pretix.py --no-pretix --systems sqlite \\
        --worker-class sync,gthread                          # keep-alive or not
"""
import argparse
import asyncio
import json
import logging
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.common import SECRET_KEY, free_port, percentile, server_problems  # noqa: E402
from bench.common import stop_server as stop  # noqa: E402

BASE = "https://opc.example"  # what this project's ticket QRs carry
DOOR_DB = "postgresql://opc:opc@127.0.0.1:5432/opc_bench_door"
PRETIX_DB = "postgresql://opc:opc@127.0.0.1:5432/opc_bench_pretix"
PRETIX_VENV = "/var/tmp/opc-bench/pretix-venv"


# --- the client: the same for every system --------------------------------------------

async def scan_all(url, auth_for, body_for, secrets, again, clients):
    """Scan every secret once and `again` of them a second time after their first
    answer came back; returns (wall s, [(latency s, HTTP status, answer, secret)])."""
    queue = asyncio.Queue()
    for secret in secrets:
        queue.put_nowait((secret, 1))
    rescan = set(random.sample(secrets, again))
    pending = len(secrets) + again
    results = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def scanner(index, client):
        nonlocal pending
        while (item := await queue.get()) is not None:
            secret, n = item
            t0 = time.perf_counter()
            try:
                response = await client.post(url, json=body_for(secret, uuid.uuid4().hex),
                                             headers=auth_for(index))
                status = response.status_code
                try:
                    answer = response.json()
                except ValueError:
                    answer = {"reason": "not JSON"}
            except httpx.HTTPError as exc:
                status, answer = 0, {"reason": type(exc).__name__}
            results.append((time.perf_counter() - t0, status, answer, secret))
            if n == 1 and secret in rescan:
                queue.put_nowait((secret, 2))
            pending -= 1
            if not pending:  # the last answer: every scanner stops
                for _ in range(clients):
                    queue.put_nowait(None)

    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        start = time.perf_counter()
        await asyncio.gather(*(scanner(i, client) for i in range(clients)))
        wall = time.perf_counter() - start
    return wall, results


async def warm(url, auth_for, body_for, requests, clients):
    """Untimed scans of made-up tickets: every worker imports, compiles, connects."""
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        async def one(n):
            fake = f"warm{n:05d}{uuid.uuid4().hex}"[:32]
            try:
                await client.post(url, json=body_for(fake, uuid.uuid4().hex),
                                  headers=auth_for(n % clients))
            except httpx.HTTPError:
                pass
        for start in range(0, requests, clients):
            await asyncio.gather(*(one(n) for n in range(start, min(requests, start + clients))))


def busy_jiffies():
    """(busy, total) CPU time of the whole machine since boot, in clock ticks."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])  # guest time is counted inside user already
    return total - idle, total


def measure(url, auth_for, body_for, secrets, args):
    asyncio.run(warm(url, auth_for, body_for, max(100, 25 * args.workers), args.clients))
    busy0, _ = busy_jiffies()
    cpu0 = time.process_time()
    wall, results = asyncio.run(scan_all(url, auth_for, body_for, secrets, args.again,
                                         args.clients))
    busy1, _ = busy_jiffies()
    tick = os.sysconf("SC_CLK_TCK")
    return wall, results, (busy1 - busy0) / tick, time.process_time() - cpu0


def summarise(name, wall, results, busy_s, client_s, lost, duplicated, ok_of):
    latencies = [r[0] for r in results]
    answers = Counter("ok" if ok_of(s, a) else a["reason"] if a.get("status") == "error"
                      else f"HTTP {s}: {a.get('reason') or a.get('detail')}"
                      for _, s, a, _ in results)
    figures = {"scans/s": len(results) / wall, "p50 ms": percentile(latencies, 50) * 1000,
               "p99 ms": percentile(latencies, 99) * 1000,
               "cpu ms/scan": busy_s * 1000 / len(results),
               "client cpu ms/scan": client_s * 1000 / len(results),
               "lost": lost, "duplicated": duplicated}
    print(f"  {name}: {len(results)} scans in {wall:.2f} s = {figures['scans/s']:.0f} scans/s, "
          f"p50 {figures['p50 ms']:.0f} ms, p99 {figures['p99 ms']:.0f} ms, machine CPU "
          f"{figures['cpu ms/scan']:.2f} ms/scan (the client's own "
          f"{figures['client cpu ms/scan']:.2f}), lost {lost}, duplicated {duplicated}")
    print("      answers: " + ", ".join(f"{k} {v}" for k, v in answers.most_common()))
    return figures


# --- servers --------------------------------------------------------------------------

def start(argv, env, cwd, log_path, ready):
    """Start a server and wait until ready() holds (60 s at most)."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{argv[0]} exited at start:\n" + Path(log_path).read_text())
        try:
            if ready():
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop(process)
    raise RuntimeError(f"{argv[0]} did not answer within 90 s")




def gunicorn_argv(gunicorn, workers, worker_class, threads, port, app_spec):
    argv = [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "120"]
    if worker_class != "sync":
        argv += ["-k", worker_class, "--threads", str(threads)]
    return argv + [app_spec]


def report_log(log_path):
    problems, timeouts = server_problems(Path(log_path).read_text(errors="replace"))
    for last, (count, _block) in sorted(problems.items(), key=lambda kv: -kv[1][0]):
        print(f"      server traceback ×{count}: {last}")
    if timeouts:
        print(f"      server worker timeouts: {timeouts}")


# --- this project ---------------------------------------------------------------------

class Door:
    """This project on one database, served by one gunicorn worker class."""

    def __init__(self, url, worker_class, args, tmp):
        from app import create_app
        self.url, self.worker_class, self.args, self.tmp = url, worker_class, args, tmp
        self.dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
        self.name = f"this project, {'PostgreSQL' if self.dialect == 'postgresql' else 'SQLite'}" \
            + (f", {worker_class}" if worker_class != "sync" or len(args.worker_class) > 1 else "")
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY,
                               "UPLOAD_FOLDER": str(tmp / "uploads")})

    def round(self, n):
        from flask_migrate import upgrade
        from bench.common import reset_schema
        from bench.events_checkin import seed, verify
        from community.extensions import db
        if self.dialect == "sqlite":  # a new file every round
            path = Path(urlsplit(self.url).path)
            for p in path.parent.glob(path.name + "*"):
                p.unlink()
        with self.app.app_context():
            reset_schema()
            logging.disable(logging.WARNING)  # the migrations' progress
            try:
                upgrade()
            finally:
                logging.disable(logging.NOTSET)
            event_id, secrets, tokens = seed(self.args.tickets, self.args.clients)
            db.session.remove()
            db.engine.dispose()
        port = free_port()
        log_path = self.tmp / f"door-{self.dialect}-{self.worker_class}-{n}.log"
        env = dict(os.environ, DATABASE_URL=self.url, SECRET_KEY=SECRET_KEY,
                   OPC_ENV="development")
        gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
        if not gunicorn.exists():
            gunicorn = Path(sys.executable).parent / "gunicorn"
        base = f"http://127.0.0.1:{port}"
        server = start(gunicorn_argv(gunicorn, self.args.workers, self.worker_class,
                                     self.args.threads, port, "app:create_app()"),
                       env, ROOT, log_path,
                       lambda: httpx.get(base + "/login", timeout=5).status_code == 200)
        try:
            headers = [{"Authorization": f"Bearer {t}"} for t in tokens]
            wall, results, busy, client = measure(
                f"{base}/api/v1/events/{event_id}/checkins", headers.__getitem__,
                lambda secret, nonce: {"code": f"{BASE}/t/{secret}", "nonce": nonce},
                secrets, self.args)
        finally:
            stop(server)
        oks = [s for _, status, a, s in results if self.ok(status, a)]
        with self.app.app_context():
            lost, duplicated = verify(secrets, oks)
            db.session.remove()
            db.engine.dispose()
        figures = summarise(self.name, wall, results, busy, client, lost, duplicated,
                            lambda s, a: self.ok(s, a))
        report_log(log_path)
        return figures

    @staticmethod
    def ok(status, answer):
        return status == 200 and answer.get("status") == "ok"

    def close(self):
        from bench.common import reset_schema
        from community.extensions import db
        with self.app.app_context():
            reset_schema()
            db.engine.dispose()


# --- pretix ---------------------------------------------------------------------------

class Pretix:
    name = "pretix, PostgreSQL"

    def __init__(self, args, tmp):
        self.args, self.tmp = args, tmp
        self.venv = Path(args.pretix_venv)
        python = self.venv / "bin" / "python"
        if not python.exists():
            print(f"making pretix's virtualenv in {self.venv} (pip install pretix gunicorn)…")
            subprocess.run([shutil.which("python3") or sys.executable, "-m", "venv",
                            str(self.venv)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", "pretix", "gunicorn"],
                           check=True)
        db = urlsplit(args.pretix_db)
        (tmp / "pretix-data").mkdir(exist_ok=True)
        self.config = tmp / "pretix.cfg"
        self.config.write_text(
            "[pretix]\ninstance_name=opc bench\nurl=http://127.0.0.1\ncurrency=EUR\n"
            f"datadir={tmp / 'pretix-data'}\n\n[database]\nbackend=postgresql\n"
            f"name={db.path.lstrip('/')}\nuser={db.username}\npassword={db.password}\n"
            f"host={db.hostname}\nport={db.port or 5432}\n\n[mail]\nfrom=bench@example.org\n")
        self.env = dict(os.environ, PRETIX_CONFIG_FILE=str(self.config),
                        DJANGO_SETTINGS_MODULE="pretix.settings")
        self.env.pop("DATABASE_URL", None)
        started = time.perf_counter()
        subprocess.run([str(python), "-m", "pretix", "migrate", "-v", "0"], cwd=tmp,
                       env=self.env, check=True, stdout=subprocess.DEVNULL)
        seeded = subprocess.run(
            [str(python), str(ROOT / "bench" / "door_pretix_seed.py"), str(args.tickets),
             str(args.rounds)], cwd=tmp, env=self.env, check=True, capture_output=True,
            text=True)
        self.seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        version = subprocess.run([str(python), "-c", "import pretix; print(pretix.__version__)"],
                                 capture_output=True, text=True).stdout.strip()
        self.name = f"pretix {version}, PostgreSQL"
        print(f"pretix {version}: migrated, {len(self.seed['secrets'])} paid orders, "
              f"{len(self.seed['lists'])} fresh check-in lists in "
              f"{time.perf_counter() - started:.1f} s")

    def round(self, n):
        org, list_id = self.seed["organizer"], self.seed["lists"][n]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        auth = {"Authorization": f"Token {self.seed['token']}"}
        log_path = self.tmp / f"pretix-{n}.log"
        server = start(gunicorn_argv(self.venv / "bin" / "gunicorn", self.args.workers,
                                     "sync", 1, port, "pretix.wsgi:application"),
                       self.env, self.tmp, log_path,
                       lambda: httpx.get(f"{base}/api/v1/organizers/{org}/", headers=auth,
                                         timeout=10).status_code == 200)
        try:
            wall, results, busy, client = measure(
                f"{base}/api/v1/organizers/{org}/checkinrpc/redeem/", lambda _i: auth,
                lambda secret, nonce: {"secret": secret, "lists": [list_id], "nonce": nonce},
                self.seed["secrets"], self.args)
        finally:
            stop(server)
        oks = [s for _, status, a, s in results if self.ok(status, a)]
        lost, duplicated = self.verify(list_id, oks)
        figures = summarise(self.name, wall, results, busy, client, lost, duplicated,
                            lambda s, a: self.ok(s, a))
        report_log(log_path)
        return figures

    @staticmethod
    def ok(status, answer):  # pretix answers a check-in 201, a refusal 400
        return status in (200, 201) and answer.get("status") == "ok"

    def verify(self, list_id, oks):
        import psycopg
        with psycopg.connect(self.args.pretix_db) as conn:
            entries = dict(conn.execute(
                "SELECT p.secret, count(*) FROM pretixbase_checkin c "
                "JOIN pretixbase_orderposition p ON p.id = c.position_id "
                "WHERE c.list_id = %s AND c.successful AND c.type = 'entry' "
                "GROUP BY p.secret", (list_id,)).fetchall())
        told = Counter(oks)
        lost = sum(1 for s in self.seed["secrets"] if s not in entries or told[s] == 0)
        duplicated = sum(n - 1 for n in entries.values() if n > 1) \
            + sum(n - 1 for n in told.values() if n > 1)
        return lost, duplicated

    def close(self):
        pass


# --- the summary ----------------------------------------------------------------------

def spread(values, fmt="{:.0f}"):
    return f"{fmt.format(statistics.median(values))} [{fmt.format(min(values))}–" \
           f"{fmt.format(max(values))}]"


def print_summary(systems, figures, pretix):
    print(f"\nmedians [min–max] over {len(next(iter(figures.values())))} round(s):")
    print(f"  {'system':34} {'scans/s':>16} {'p50 ms':>16} {'p99 ms':>16} "
          f"{'CPU ms/scan':>20} lost dup")
    for system in systems:
        rows = figures[system.name]
        print(f"  {system.name:34} {spread([r['scans/s'] for r in rows]):>16} "
              f"{spread([r['p50 ms'] for r in rows]):>16} "
              f"{spread([r['p99 ms'] for r in rows]):>16} "
              f"{spread([r['cpu ms/scan'] for r in rows], '{:.2f}'):>20} "
              f"{sum(r['lost'] for r in rows):4} {sum(r['duplicated'] for r in rows):3}")
    print("\naims:")
    base = figures.get(pretix.name) if pretix else None
    for system in systems:
        if system is pretix:
            continue
        rows = figures[system.name]
        rate = statistics.median(r["scans/s"] for r in rows)
        cpu = statistics.median(r["cpu ms/scan"] for r in rows)
        p99 = statistics.median(r["p99 ms"] for r in rows)
        lost = sum(r["lost"] for r in rows)
        dup = sum(r["duplicated"] for r in rows)
        print(f"  {system.name}:")
        if base:
            b_rate = statistics.median(r["scans/s"] for r in base)
            b_cpu = statistics.median(r["cpu ms/scan"] for r in base)
            print(f"    scans/s {rate / b_rate:5.1f}× pretix's   (aim: at least 10×)")
            print(f"    CPU per scan 1/{b_cpu / cpu:4.1f} of pretix's   (aim: 1/10 or less)")
        else:
            print("    (pretix not measured: no ratios)")
        print(f"    p99 {p99:.0f} ms   (aim: 300 ms or less)")
        print(f"    lost {lost}, duplicated {dup}   (must both be 0)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--again", type=int, default=500, help="tickets scanned twice")
    parser.add_argument("--clients", type=int, default=50, help="concurrent scanners")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync",
                        help="this project's gunicorn worker class(es), comma separated: "
                             "sync, gthread (each is measured as a system of its own)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--systems", default="postgresql,sqlite",
                        help="this project's databases: postgresql, sqlite")
    parser.add_argument("--no-pretix", action="store_true", help="time this project only")
    parser.add_argument("--pretix-venv", default=PRETIX_VENV)
    parser.add_argument("--pretix-db", default=PRETIX_DB)
    parser.add_argument("--door-db", default=os.environ.get("DATABASE_URL") or DOOR_DB)
    args = parser.parse_args()
    args.worker_class = [w.strip() for w in args.worker_class.split(",") if w.strip()]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    tmp = Path(tempfile.mkdtemp(prefix="door_vs_pretix_"))
    print(f"{args.clients} scanners, {args.tickets} tickets + {args.again} scanned again, "
          f"{args.workers} gunicorn workers, {args.rounds} round(s); logs in {tmp}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    systems, pretix = [], None
    try:
        for dialect in [s.strip() for s in args.systems.split(",") if s.strip()]:
            url = args.door_db if dialect == "postgresql" \
                else f"sqlite:///{tmp / 'door.sqlite3'}"
            for worker_class in args.worker_class:
                systems.append(Door(url, worker_class, args, tmp))
        if not args.no_pretix:
            pretix = Pretix(args, tmp)
            systems.append(pretix)
        figures = {s.name: [] for s in systems}
        for n in range(args.rounds):
            order = systems[n % len(systems):] + systems[:n % len(systems)]
            print(f"\nround {n + 1} (load average {os.getloadavg()[0]:.1f}):")
            for system in order:
                figures[system.name].append(system.round(n))
        print_summary(systems, figures, pretix)
    finally:
        for system in systems:
            system.close()


if __name__ == "__main__":
    main()
