"""Bench of room booking under load: many founders booking rooms at once through
a real multi-process server, next to the same server's "floor".

It migrates a throw-away database (a temporary SQLite file, or DATABASE_URL,
whose public schema is DROPPED and recreated, at the start and again at the
end: use a bench database only) and seeds it: bookable meeting rooms (no
weekly quota, no no-show release) and tenants with one founder (a member user)
each. It then starts gunicorn (4 sync workers) on 127.0.0.1:<free port> and:

1. logs every client thread in as its own founder, takes one CSRF token each,
   and for --seconds books random rooms, weekdays of the next four weeks
   (public holidays left out), half-hour starts between 09:00 and 19:30 and
   30 or 60 minutes, following each redirect and reading the page for the
   outcome: made ("预约成功"), slot taken ("该时段已被预约", the day shown
   again with 422) or other;
2. does the same again for --seconds timing the POST alone (the outcome read
   from the redirect or the 422 page; the cookie it sets is not kept, so
   flash messages do not pile up);
3. after each phase checks in the database that no two active bookings of a
   room overlap (must print 0) and that the bookings in it are the ones the
   clients were told of;
4. measures the "floor": the same server, the same threads, on a bare endpoint
   doing one read by primary key and one insert (POST /bench/floor, which only
   the bench's server registers; see server_app below);
5. prints each phase's actions/s, p50/p99 latency and outcomes, then the aims
   beside the figures: an attempt (POST + page after) >= 0.35x the floor's
   requests/s, the POST alone >= 0.6x, the attempt's p99 <= 500 ms; and any
   traceback the server logged ("database is locked"...).

Figures only, nothing asserted about time.

    .venv/bin/python bench/booking_load.py [--clients 50 --rooms 10 --seconds 20
        --workers 4]
    DATABASE_URL=postgresql://opc:opc@127.0.0.1:5432/opc_bench3 \
        .venv/bin/python bench/booking_load.py

gunicorn loads this same module as the server (``bench.booking_load:server_app()``),
so the app itself is not changed: the login rate limit is switched off (every
client logs in from 127.0.0.1) and the floor endpoint is added there only.
"""
import argparse
import http.client
import random
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402
from stdnum.cn import uscc as stdnum_uscc  # noqa: E402

from app import create_app  # noqa: E402
from community.extensions import db  # noqa: E402
from bench.common import (SECRET_KEY, database_url, free_port, percentile,  # noqa: E402
                          reset_schema, server_problems, start_server, stop_server)

PASSWORD = "bench-founder-password"
MADE, TAKEN = "预约成功", "该时段已被预约"
TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
REFUSAL = re.compile(r'<p class="flash flash-error refusal"[^>]*>([^<]*)</p>')
FLASH = re.compile(r'<div class="flash flash-(\w+)"[^>]*>([^<]*)</div>')


# --- the server side: what gunicorn loads ---------------------------------------------

def server_app():
    """The app as gunicorn serves it for the bench: login limit off, plus the floor.

    The floor, POST /bench/floor, is as bare as a write request of this app gets:
    the app's before_request hooks (a serialised write transaction, the login
    check, which it passes as public), one Tenant read by primary key, one
    AuditEntry insert, community.web.commit().
    """
    from flask import Blueprint, request

    from community.extensions import csrf
    from community.models import AuditEntry, Tenant
    from community.web import commit, public

    app = create_app({"RATELIMIT_ENABLED": False})
    bp = Blueprint("bench", __name__)

    @bp.route("/bench/floor", methods=["GET", "POST"])
    @public
    def floor():
        tenant = db.session.get(Tenant, request.values.get("tenant", 1, type=int))
        db.session.add(AuditEntry(action="bench.floor", object_type="bench",
                                  object_id=tenant.id if tenant else None))
        commit()
        return "ok"

    csrf.exempt(floor)
    app.register_blueprint(bp)
    return app


# --- the database ---------------------------------------------------------------------

def valid_uscc(n):
    body = f"915001120{n:08d}"
    return body + stdnum_uscc.calc_check_digit(body)


def seed(n_rooms, n_clients):
    """Rooms through the rules (save_zone), tenants through save_tenant, one founder
    each; every user shares one password hash (hashing is slow on purpose)."""
    from werkzeug.security import generate_password_hash

    from booking.models import Room
    from community import rules
    from community.models import User

    rooms = []
    for n in range(n_rooms):
        zone = rules.save_zone(db.session, None, {
            "floor": "3F", "name": f"会议室{n + 1:02d}", "kind": "meeting_room",
            "area_m2": "30", "capacity": 8, "bookable": True,
            "in_service_on": date(2025, 1, 1), "out_of_service_on": None})
        room = Room(zone=zone, quota_hours_per_week=0, book_ahead_days=30,
                    release_after_minutes=0)
        db.session.add(room)
        rooms.append(room)
    password_hash = generate_password_hash(PASSWORD)
    tenants = []
    for n in range(n_clients):
        tenant = rules.save_tenant(db.session, None, {
            "name": f"重庆压测科技{n:03d}有限公司", "uscc": valid_uscc(n + 1),
            "legal_rep": "张三", "phone": "13800138000", "email": "", "sector": "数字内容",
            "relationship_kind": "resident", "founded_on": date(2025, 3, 1),
            "moved_in_on": date(2025, 9, 1), "moved_out_on": None, "closed_on": None,
            "company_type": "有限责任公司（自然人独资）", "investors": 1}, date.today())
        db.session.flush()
        db.session.add(User(username=f"founder{n}", name=f"创始人{n}", role="member",
                            tenant_id=tenant.id, password_hash=password_hash))
        tenants.append(tenant)
    db.session.commit()
    return [r.id for r in rooms], [t.id for t in tenants]


def bookable_days():
    """Weekdays from tomorrow to four weeks ahead that are no public holiday (the
    holiday table filled from chinese-calendar first, as staff would)."""
    from community.holidays import import_year, library_years, load_calendar
    from community.web import today
    first = today()
    days = [first + timedelta(days=n) for n in range(1, 29)]
    for year in sorted({d.year for d in days} & set(library_years())):
        import_year(db.session, None, year)
    db.session.commit()
    calendar = load_calendar(db.session, days[0], days[-1])
    return [d for d in days if d.weekday() < 5 and calendar.holiday(d) is None]


OVERLAPS = text("""
    SELECT count(*) FROM booking a JOIN booking b
      ON a.room_id = b.room_id AND a.id < b.id
     AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
     WHERE a.status IN ('pending', 'confirmed') AND b.status IN ('pending', 'confirmed')
""")


# --- the server process ---------------------------------------------------------------

# --- the clients ----------------------------------------------------------------------

class Client:
    """One browser: its own cookies, one connection per request (gunicorn's sync
    workers close it after each response anyway), redirects followed by hand."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, form=None, cookies=True, keep=True):
        """(status, local Location or None, page); `cookies` False sends and keeps
        none, `keep` False sends them but ignores the ones the response sets."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {}
        if cookies and self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            page = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        if cookies and keep:
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
        location = response.getheader("Location")
        if location:
            parts = urllib.parse.urlsplit(location)
            location = parts.path + (f"?{parts.query}" if parts.query else "")
        return response.status, location, page

    def follow(self, method, path, form=None):
        """(status of the first response, final status, final page)."""
        status, location, page = self.request(method, path, form)
        first = status
        for _ in range(5):
            if status not in (301, 302, 303, 307) or not location:
                break
            status, location, page = self.request("GET", location)
        return first, status, page

    def login(self, username):
        token = TOKEN.search(self.request("GET", "/login")[2]).group(1)
        _, status, page = self.follow("POST", "/login", {
            "csrf_token": token, "username": username, "password": PASSWORD})
        if "退出" not in page:
            raise RuntimeError(f"login of {username} failed (HTTP {status})")
        return self


def outcome_of(first, status, page):
    if MADE in page:
        return "made"
    refusal = REFUSAL.search(page) if first == 422 else None
    if refusal and TAKEN in refusal.group(1):
        return "slot_taken"
    if refusal:
        return "other: " + refusal.group(1)[:40]
    if first >= 400 or status >= 400:
        return f"HTTP {first if first >= 400 else status}"
    flashes = [t.strip() for c, t in FLASH.findall(page) if c == "error"]
    return "other: " + (flashes[0][:60] if flashes else f"HTTP {first}->{status}")


def outcome_of_redirect(status, location, page):
    """The POST alone: success redirects to the booking list, a refusal shows the day
    again (422) with why."""
    if status == 302 and location and location.startswith("/booking/bookings"):
        return "made"
    refusal = REFUSAL.search(page) if status == 422 else None
    if refusal and TAKEN in refusal.group(1):
        return "slot_taken"
    return f"HTTP {status}" + (f" {refusal.group(1)[:40]}" if refusal else "")


def run_phase(clients, seconds, action, seed=0):
    """Every client thread calls action(index, rng) until the time is up; returns
    (wall seconds, [(latency, outcome, extra)], client CPU seconds)."""
    results = [[] for _ in clients]
    barrier = threading.Barrier(len(clients) + 1)
    stop = [0.0]

    def loop(index):
        rng = random.Random(f"{seed}-{index}")  # each phase its own choices
        barrier.wait()
        while time.perf_counter() < stop[0]:
            t0 = time.perf_counter()
            try:
                results[index].append(action(index, rng))
            except (OSError, http.client.HTTPException) as exc:  # refused, reset, timeout
                elapsed = time.perf_counter() - t0
                results[index].append((elapsed, f"error: {type(exc).__name__}", elapsed))

    threads = [threading.Thread(target=loop, args=(n,), daemon=True)
               for n in range(len(clients))]
    for t in threads:
        t.start()
    cpu0 = time.process_time()
    start = time.perf_counter()
    stop[0] = start + seconds
    barrier.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return wall, [r for rows in results for r in rows], time.process_time() - cpu0


def ms(seconds):
    return f"{seconds * 1000:7.1f} ms"


# --- the server's log -----------------------------------------------------------------

# --- main -----------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    # A plain `kill` ends the run like Ctrl-C: the finally below stops gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    tmp = Path(tempfile.mkdtemp(prefix="booking_load_"))
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
            room_ids, tenant_ids = seed(args.rooms, args.clients)
            days = bookable_days()
            db.session.remove()
            db.engine.dispose()
        print(f"database: {dialect}; migrated and seeded {args.rooms} rooms, {args.clients} "
              f"founders in {time.perf_counter() - started:.1f} s; "
              f"{len(days)} bookable days: {days[0]} .. {days[-1]}")

        port = free_port()
        log_path = tmp / "gunicorn.log"
        server = start_server("bench.booking_load:server_app()", url, port, log_path,
                              args.workers)
        print(f"gunicorn: {args.workers} sync workers on 127.0.0.1:{port}")

        clients = [Client(port) for _ in range(args.clients)]
        started = time.perf_counter()
        for n, client in enumerate(clients):
            client.login(f"founder{n}")
        tokens = [TOKEN.search(c.request("GET", f"/booking/rooms/{room_ids[0]}")[2]).group(1)
                  for c in clients]
        print(f"logged {len(clients)} founders in and took their CSRF tokens "
              f"in {time.perf_counter() - started:.1f} s")

        starts = [f"{h:02d}:{m:02d}" for h in range(9, 20) for m in (0, 30)]

        def phase(follow):
            """Every founder books for --seconds; returns (attempts/s, attempt p99)."""
            def book(index, rng):
                room = rng.choice(room_ids)
                form = {"csrf_token": tokens[index], "day": rng.choice(days).isoformat(),
                        "start": rng.choice(starts), "duration": rng.choice((30, 60)),
                        "purpose": "压测会议", "weeks": 1}
                client = clients[index]
                t0 = time.perf_counter()
                status, location, page = client.request(
                    "POST", f"/booking/rooms/{room}/book", form, keep=follow)
                t1 = time.perf_counter()
                if not follow:
                    return t1 - t0, outcome_of_redirect(status, location, page), t1 - t0
                final = status
                if status in (302, 303) and location:
                    final, _, page = client.request("GET", location)
                t2 = time.perf_counter()
                return t2 - t0, outcome_of(status, final, page), t1 - t0

            wall, rows, cpu = run_phase(clients, args.seconds, book, seed=int(follow))
            rps = len(rows) / wall
            outcomes = {}
            for _, outcome, _ in rows:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
            total = [r[0] for r in rows]
            post = [r[2] for r in rows]
            each = ("POST + GET of the page it redirects to (a refusal answers 422 with "
                    "the day)" if follow else "POST /book alone, redirect not followed")
            print(f"\nbooking: {len(rows)} attempts in {wall:.1f} s by {len(clients)} clients "
                  f"(each = {each})")
            print(f"  attempts/s      {rps:8.1f}")
            print(f"  attempt         p50 {ms(percentile(total, 50))}   "
                  f"p99 {ms(percentile(total, 99))}   max {ms(max(total, default=0))}")
            if follow:
                print(f"  POST /book only p50 {ms(percentile(post, 50))}   "
                      f"p99 {ms(percentile(post, 99))}")
            for outcome, count in sorted(outcomes.items(), key=lambda kv: -kv[1]):
                print(f"  {outcome:<15} {count:6d}")
            print(f"  client CPU      {cpu / wall:8.0%} of one core (the load generator's "
                  f"own share)")
            with app.app_context():
                overlaps = db.session.scalar(OVERLAPS)
                stored = db.session.scalar(text(
                    "SELECT count(*) FROM booking WHERE status IN ('pending', 'confirmed')"))
                db.session.remove()
            made[0] += outcomes.get("made", 0)
            print(f"  overlapping active bookings of one room: {overlaps} (must be 0)")
            print(f"  active bookings stored: {stored}; clients told 'made' so far: "
                  f"{made[0]} (must be equal)")
            return rps, percentile(total, 99), overlaps, stored == made[0]

        made = [0]
        attempt_rps, attempt_p99, overlaps, told = phase(follow=True)
        post_rps, post_p99, overlaps2, told2 = phase(follow=False)

        def floor(index, rng):
            tenant = rng.choice(tenant_ids)
            t0 = time.perf_counter()
            status, _, page = clients[index].request(
                "POST", f"/bench/floor?tenant={tenant}", {}, cookies=False)
            return time.perf_counter() - t0, "ok" if page == "ok" else f"HTTP {status}", 0

        wall, rows, cpu = run_phase(clients, args.seconds, floor)
        floor_rps = len(rows) / wall
        latencies = [r[0] for r in rows]
        bad = sum(1 for r in rows if r[1] != "ok")
        print(f"\nfloor (POST /bench/floor: 1 read by primary key + 1 insert, commit): "
              f"{len(rows)} requests in {wall:.1f} s")
        print(f"  requests/s      {floor_rps:8.1f}")
        print(f"  request         p50 {ms(percentile(latencies, 50))}   "
              f"p99 {ms(percentile(latencies, 99))}   max {ms(max(latencies, default=0))}")
        print(f"  failed          {bad:6d}")
        print(f"  client CPU      {cpu / wall:8.0%} of one core")

        print("\naims (printed, never asserted):")
        print(f"  attempt (POST + page after) / floor = {attempt_rps:.1f} / {floor_rps:.1f} = "
              f"{attempt_rps / floor_rps:.2f}   aim >= 0.35")
        print(f"  POST alone / floor                  = {post_rps:.1f} / {floor_rps:.1f} = "
              f"{post_rps / floor_rps:.2f}   aim >= 0.6")
        print(f"  attempt p99 at {len(clients)} founders         = "
              f"{attempt_p99 * 1000:.0f} ms   aim <= 500 ms")
        print(f"  overlapping bookings {overlaps + overlaps2} (aim 0); every booking stored "
              f"was told 'made' and no other: {told and told2}")

        stop_server(server)
        tracebacks, timeouts = server_problems(log_path.read_text(errors="replace"))
        print(f"\nserver log: {sum(n for n, _ in tracebacks.values())} tracebacks, "
              f"{timeouts} worker timeouts")
        for last, (count, block) in tracebacks.items():
            print(f"\n--- {count} x {last}\n{block[-4000:]}")
    finally:
        stop_server(server)
        with app.app_context():
            try:
                reset_schema()
            finally:
                db.engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
