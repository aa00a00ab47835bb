"""Bench of check-in at the door: an event with 1,000 registrations, 50 scanner
devices checking everyone in at once through the JSON API of a real gunicorn server,
next to the same server's "floor".

It migrates a throw-away database (a temporary SQLite file, or DATABASE_URL, whose
public schema is DROPPED and recreated, at the start and again at the end: use a
bench database only) and seeds one published event, --registrations tickets (one in
ten held by people of a tenant firm, so S4 served records are written too) and
--clients scanner devices, each with its own token. It then starts gunicorn (sync
workers) on 127.0.0.1:<free port> and:

1. splits the tickets among the clients; every client POSTs each of its tickets to
   /api/v1/events/<id>/checkins ({"code": ticket URL, "nonce": per scan}); the first
   half of the clients scan every ticket twice (a second, separate scan, as happens
   at a busy door: it must be answered already_checked_in);
2. checks the database: lost check-ins (tickets not checked in, or checked in
   without any client being told "ok": must be 0) and duplicate records (more than
   one check-in audit row, or more than one "ok", for a ticket: must be 0);
   (before 1 and 3, each endpoint is warmed up, untimed, with made-up tickets);
3. measures the floor: the same threads sending the same number of requests to
   POST /bench/floor, one indexed read (the registration by its secret) and one
   write (an audit row) through the same app (see server_app);
4. prints check-ins/s, scans/s, p50/p99 latency, the answers, lost and duplicate
   counts, the floor's requests/s and the ratio scans/s ÷ floor requests/s, and any
   traceback the server logged.

Aims, printed and never asserted: 1,000 attendees in under 30 s, a ratio of at
least 0.7.

    .venv/bin/python bench/events_checkin.py [--registrations 1000 --clients 50 --workers 4]
    DATABASE_URL=postgresql://opc:opc@127.0.0.1:5432/opc_bench2 \\
        .venv/bin/python bench/events_checkin.py

gunicorn loads this module as the server (``bench.events_checkin:server_app()``),
so the app itself is not changed: the floor endpoint exists only there.
"""
import argparse
import http.client
import json
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from community.extensions import db  # noqa: E402
from bench.common import (SECRET_KEY, database_url, free_port, percentile,  # noqa: E402
                          reset_schema, server_problems, start_server, stop_server)

BASE = "https://opc.example"  # what the ticket QRs carry; the API reads the secret off it


# --- the server side: what gunicorn loads ---------------------------------------------

def server_app():
    """The app as gunicorn serves it for the bench, plus the floor.

    The floor, POST /bench/floor, is as bare as a write request of this app gets:
    the app's before_request hooks (a serialised write transaction, the login check,
    which it passes as public), one Registration read by its indexed secret, one
    AuditEntry insert, community.web.commit().
    """
    from flask import Blueprint, jsonify, request

    from community.extensions import csrf
    from community.models import AuditEntry
    from community.web import commit, public
    from events.models import Registration

    app = create_app()
    bp = Blueprint("bench", __name__)

    @bp.route("/bench/floor", methods=["POST"])
    @public
    def floor():
        secret = (request.get_json(silent=True) or {}).get("code", "").rsplit("/", 1)[-1]
        found = db.session.scalar(select(Registration.id).where(Registration.secret == secret))
        db.session.add(AuditEntry(action="bench.floor", object_type="bench", object_id=found))
        commit()
        return jsonify({"status": "ok"})

    csrf.exempt(floor)
    app.register_blueprint(bp)
    return app


# --- the database ---------------------------------------------------------------------

def seed(n_registrations, n_clients):
    """One published event starting in an hour, its tickets (bulk inserted: the
    registration rules are not what is measured) and one device per client."""
    from community import rules as core
    from community.dbsetup import utcnow
    from events import checkin, rules
    from events.models import Registration

    now = utcnow()
    tenants = []
    for n in range(10):
        body = f"915001120{n + 1:08d}"
        from stdnum.cn import uscc
        tenants.append(core.save_tenant(db.session, None, {
            "name": f"重庆压测科技{n:02d}有限公司", "uscc": body + uscc.calc_check_digit(body),
            "legal_rep": "张三", "phone": "13800138000", "email": "", "sector": "数字内容",
            "relationship_kind": "resident", "founded_on": now.date(),
            "moved_in_on": now.date(), "moved_out_on": None, "closed_on": None,
            "company_type": "有限责任公司（自然人独资）", "investors": 1}, now.date()))
    event = rules.save_event(db.session, None, {
        "kind": "competition", "title": "压测：创新创业大赛决赛", "starts_at": now + timedelta(hours=1),
        "ends_at": now + timedelta(hours=5), "capacity": n_registrations,
        "organiser": "重庆渝创空间运营管理有限公司", "venue_address": "路演厅", "room": None}, now)
    rules.publish_event(db.session, None, event, now)
    db.session.flush()
    rows = [dict(event_id=event.id, name=f"参会人{n:04d}", mobile=f"139{n:08d}", email="",
                 organisation=tenants[n % 10].name if n % 10 == 0 else "重庆大学",
                 tenant_id=tenants[n % 10].id if n % 10 == 0 else None, consent_at=now,
                 assessor_consent=n % 3 == 0, secret=rules.new_secret(), status="registered",
                 source="online", created_at=now, queued_at=now)
             for n in range(n_registrations)]
    db.session.execute(insert(Registration), rows)
    tokens = [checkin.create_device(db.session, None, f"扫码枪{n:02d}", now)[1]
              for n in range(n_clients)]
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return event.id, [r["secret"] for r in rows], tokens


def verify(secrets, oks):
    """(lost, duplicates) from the database and the answers the clients got."""
    from community.models import AuditEntry
    from events.models import Registration
    checked = set(db.session.scalars(select(Registration.secret).where(
        Registration.checked_in_at.is_not(None))))
    told = Counter(oks)
    lost = sum(1 for s in secrets if s not in checked or told[s] == 0)
    audit_rows = db.session.execute(
        select(AuditEntry.object_id, func.count()).where(
            AuditEntry.action == "registration.checked_in")
        .group_by(AuditEntry.object_id).having(func.count() > 1)).all()
    duplicates = sum(n - 1 for _, n in audit_rows) + sum(n - 1 for n in told.values() if n > 1)
    return lost, duplicates


# --- the server process ---------------------------------------------------------------

# --- the clients ----------------------------------------------------------------------

def post(port, path, token, body):
    """(seconds, HTTP status, JSON answer): one connection per request, as gunicorn's
    sync workers close it after each response anyway."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    t0 = time.perf_counter()
    try:
        conn.request("POST", path, json.dumps(body), {
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    return time.perf_counter() - t0, response.status, json.loads(data or b"{}")


def run(plans, request):
    """Each client thread sends its plan [(secret, scan number)] at once; returns
    (wall seconds, [(latency, status, answer, secret)])."""
    results = [[] for _ in plans]
    barrier = threading.Barrier(len(plans) + 1)

    def loop(index):
        barrier.wait()
        for secret, scan in plans[index]:
            try:
                latency, status, answer = request(index, secret, scan)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                latency, status, answer = 0.0, 0, {"reason": type(exc).__name__}
            results[index].append((latency, status, answer, secret))

    threads = [threading.Thread(target=loop, args=(n,), daemon=True)
               for n in range(len(plans))]
    for t in threads:
        t.start()
    start = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    return time.perf_counter() - start, [r for rows in results for r in rows]


def plans_for(secrets, clients):
    """Tickets dealt round-robin; the first half of the clients scan each one twice."""
    plans = [[] for _ in range(clients)]
    for n, secret in enumerate(secrets):
        index = n % clients
        plans[index].append((secret, 1))
        if index < clients // 2:
            plans[index].append((secret, 2))
    return plans


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    tmp = Path(tempfile.mkdtemp(prefix="events_checkin_"))
    url = database_url(tmp)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY,
                      "UPLOAD_FOLDER": str(tmp / "uploads")})
    server = None
    try:
        with app.app_context():
            dialect = db.engine.dialect.name
            started = time.perf_counter()
            reset_schema()
            upgrade()
            event_id, secrets, tokens = seed(args.registrations, args.clients)
            db.session.remove()
            db.engine.dispose()
        print(f"database: {dialect}; migrated and seeded one event with {len(secrets)} "
              f"tickets and {len(tokens)} scanner devices in "
              f"{time.perf_counter() - started:.1f} s")
        port = free_port()
        log_path = tmp / "gunicorn.log"
        server = start_server("bench.events_checkin:server_app()", url, port, log_path,
                              args.workers)
        print(f"gunicorn: {args.workers} sync workers on 127.0.0.1:{port}")

        plans = plans_for(secrets, args.clients)
        checkins = f"/api/v1/events/{event_id}/checkins"
        # Warm every worker up (imports, compiled statements, translations) on both
        # endpoints, untimed, with tickets that do not exist.
        for n in range(max(40, 10 * args.workers)):
            fake = f"warm{n:04d}".ljust(32, "x")
            post(port, checkins, tokens[0], {"code": f"{BASE}/t/{fake}"})
            post(port, "/bench/floor", tokens[0], {"code": f"{BASE}/t/{fake}"})

        def scan(index, secret, n):
            return post(port, checkins, tokens[index], {
                "code": f"{BASE}/t/{secret}", "nonce": f"c{index}-{secret[:8]}-{n}"})

        wall, results = run(plans, scan)
        answers = Counter(a.get("reason") or a.get("status") if status == 200
                          else f"HTTP {status}: {a.get('reason')}"
                          for _, status, a, _ in results)
        oks = [s for _, status, a, s in results if status == 200 and a.get("status") == "ok"]
        latencies = [r[0] for r in results]
        with app.app_context():
            lost, duplicates = verify(secrets, oks)
            db.session.remove()
            db.engine.dispose()

        floor_wall, floor_results = run(plans, lambda index, secret, n: post(
            port, "/bench/floor", tokens[index], {"code": f"{BASE}/t/{secret}"}))
        floor_errors = sum(1 for r in floor_results if r[1] != 200)
        scans_per_s = len(results) / wall
        floor_per_s = len(floor_results) / floor_wall

        print(f"\ncheck-in: {len(results)} scans by {args.clients} clients "
              f"({args.clients // 2} of them scan every ticket twice)")
        print(f"  {len(secrets)} attendees checked in in {wall:.2f} s   (aim: under 30 s)")
        print(f"  check-ins/s {len(oks) / wall:8.1f}    scans/s {scans_per_s:8.1f}")
        print(f"  latency p50 {percentile(latencies, 50) * 1000:7.1f} ms   "
              f"p99 {percentile(latencies, 99) * 1000:7.1f} ms")
        print("  answers: " + ", ".join(f"{k} {v}" for k, v in answers.most_common()))
        print(f"  lost check-ins: {lost}   (must be 0)")
        print(f"  duplicate records: {duplicates}   (must be 0)")
        print(f"\nfloor (one indexed read + one write): {len(floor_results)} requests in "
              f"{floor_wall:.2f} s = {floor_per_s:.1f} req/s, p50 "
              f"{percentile([r[0] for r in floor_results], 50) * 1000:.1f} ms"
              + (f", {floor_errors} errors" if floor_errors else ""))
        print(f"ratio scans/s ÷ floor req/s: {scans_per_s / floor_per_s:.2f}   "
              "(aim: at least 0.7)")
        problems, timeouts = server_problems(log_path.read_text(errors="replace"))
        for last, (count, _block) in sorted(problems.items(), key=lambda kv: -kv[1][0]):
            print(f"server traceback ×{count}: {last}")
        if timeouts:
            print(f"server worker timeouts: {timeouts}")
    finally:
        stop_server(server)
        with app.app_context():
            reset_schema()
            db.engine.dispose()


if __name__ == "__main__":
    main()
