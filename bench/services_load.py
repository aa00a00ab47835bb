"""Bench of the services package: the staff queue, the G1/P1 dashboard and the
ledger export on two years of services, then founders requesting while staff
complete compute requests racing for the last of their firms' quotas.

It migrates a throw-away database (a temporary SQLite file, or DATABASE_URL,
whose public schema is DROPPED and recreated, at the start and again at the
end: use a bench database only) and seeds, with bulk inserts shaped as the
rules write them (audit rows left out): --tenants firms with one founder each,
the built-in catalogue (migration 0006), one provider per catalogue entry,
compute and token quotas of every firm for last year and this year,
--requests service requests over those two years (completed ones with their
provider, outcome, quantity and completed_on; compute and token ones with
their grant), --grants grants in all, never beyond a quota, and the
ServedRecord rows (source "services", ref "request:<id>" / "grant:<id>").
The first --clients firms are left 100 GPU-hours of this year's compute quota
and --race open compute requests each. Then:

1. in process (test client, logged in as staff): GET /services (the queue:
   open, overdue, all) and GET / (this year, last year): median and max ms and
   SQL statements per request; the export of every sheet (this year) as
   core_dashboard.py times it, next to pandas alone writing the same frames;
2. through gunicorn (bench.booking_load:server_app(), --workers sync workers):
   --clients founders log in and POST /services/request (random catalogue
   entries; each attempt also GETs the page it redirects to) while --staff
   staff threads POST /services/requests/<id>/complete on open compute
   requests, firm by firm, so that they race for the same quota;
   then the floor (POST /bench/floor) with the founders' threads;
3. prints attempts/s, p50/p99, the outcomes, founders' attempts/s / floor
   requests/s, and checks the database: quotas overrun (must be 0),
   completed support requests without their grant or served record (must be
   0), requests stored against requests the founders were told of.

Figures only, nothing asserted about time.

    .venv/bin/python bench/services_load.py [--tenants 300 --requests 5000
        --grants 3000 --clients 50 --staff 4 --seconds 15 --workers 4 --runs 10]
    DATABASE_URL=postgresql://opc:opc@127.0.0.1:5432/opc_bench_h4 \\
        .venv/bin/python bench/services_load.py
"""
import argparse
import random
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import date, datetime, time as clock, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import extract, func, insert, select, text, update  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app import create_app  # noqa: E402
from bench.booking_load import (FLASH, PASSWORD, TOKEN, Client, ms, run_phase,  # noqa: E402
                                valid_uscc)
from bench.common import (SECRET_KEY, database_url, free_port, percentile,  # noqa: E402
                          reset_schema, server_problems, start_server, stop_server)
from bench.core_dashboard import (bench_export, get, logged_in_client,  # noqa: E402
                                  statement_counter)
from community.extensions import db  # noqa: E402
from community.models import (SECTORS, Community, Licence, Member, ServedRecord,  # noqa: E402
                              Tenant, User)
from community.settings import DEFAULTS  # noqa: E402
from community.web import today as community_today  # noqa: E402
from services import SERVED_SOURCE, catalogue  # noqa: E402
from services.demo import OUTCOMES, STEPS, TZ, WEIGHTS  # noqa: E402
from services.models import Grant, Quota, ServiceRequest  # noqa: E402

KINDS = {"registration": "registration_agent", "bookkeeping": "bookkeeping", "tax": "tax_agent",
         "legal": "law_firm", "adaptation": "testing_lab", "patent": "patent_agency",
         "pilot": "pilot_platform", "poc": "poc_centre", "compute": "compute",
         "tokens": "model", "data": "data", "model": "model", "devtools": "devtools",
         "consulting": "other"}
QUOTAS = {"compute": Decimal(400), "tokens": Decimal(1000)}  # a year, per firm
SIZES = {"compute": (20, 40, 50), "tokens": (50, 100, 150)}
PRICE = {"compute": 12, "tokens": 2}  # yuan per unit
LAST = Decimal(100)  # GPU-hours left of this year's quota to the raced firms
DONE, OVER = "服务已办结", "超出该企业本年度补贴额度"


def at(day, hour, minute=0):
    return datetime.combine(day, clock(hour, minute), TZ)


def bulk(model, rows):
    """Insert rows, returning their ids in order."""
    if not rows:
        return []
    return db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True),
                              rows).all()


def seed_people(n_tenants, n_staff, rng):
    """Firms (each a founder member and user) and staff users: their ids."""
    db.session.execute(insert(Community), [DEFAULTS])
    tenants = bulk(Tenant, [dict(
        name=f"重庆服务压测{n:03d}科技有限公司", uscc=valid_uscc(n + 1), legal_rep="张三",
        phone=f"138{n:08d}", email="", sector=SECTORS[n % len(SECTORS)],
        relationship_kind="resident", founded_on=date(2024, 1, 1) + timedelta(rng.randrange(300)),
        moved_in_on=date(2025, 1, 1), moved_out_on=None, closed_on=None)
        for n in range(n_tenants)])
    db.session.execute(insert(Licence), [dict(
        tenant_id=t, effective_on=date(2024, 1, 1), company_type="有限责任公司（自然人独资）",
        investors=1, override_reason="") for t in tenants])
    db.session.execute(insert(Member), [dict(tenant_id=t, name=f"创始人{n}", phone="",
                                             is_founder=True) for n, t in enumerate(tenants)])
    hashed = generate_password_hash(PASSWORD)
    founders = bulk(User, [dict(username=f"founder{n}", name=f"创始人{n}", role="member",
                                tenant_id=t, password_hash=hashed)
                           for n, t in enumerate(tenants)])
    staff = bulk(User, [dict(username=f"staff{n}", name=f"工作人员{n}", role="staff",
                             password_hash=hashed) for n in range(n_staff)])
    return tenants, dict(zip(tenants, founders)), staff


def seed_providers(cats, today):
    """One provider per catalogue entry, under an agreement through next year."""
    providers = {}
    for n, (code, cat) in enumerate(cats.items()):
        provider = catalogue.save_provider(db.session, None, {
            "name": f"重庆{cat.name}服务机构有限公司", "kind": KINDS.get(code, "other"),
            "uscc": valid_uscc(90000 + n), "categories": [cat.id], "active": True,
            "contact_name": "李四", "contact_phone": "13900000000"})
        catalogue.add_agreement(db.session, None, provider, {
            "title": f"{provider.name}合作协议", "starts_on": date(today.year - 1, 1, 1),
            "ends_on": date(today.year + 1, 12, 31)})
        providers[code] = provider.id
    return providers


def seed_services(args, rng, tenants, founders, staff, cats, providers, today):
    """Quotas, requests, grants and served records over last year and this year."""
    first, now = date(today.year - 1, 1, 1), datetime.now(TZ)
    quota = {(t, code, year): amount for t in tenants for year in (first.year, today.year)
             for code, amount in QUOTAS.items()}
    used = defaultdict(Decimal)
    db.session.execute(insert(Quota), [dict(tenant_id=t, year=y, category_id=cats[c].id,
                                            measure="quantity", amount=a)
                                       for (t, c, y), a in quota.items()])

    def fits(t, code, day, q):
        """Whether the grant stays within the quota (as record_grant checks); take it."""
        key = (t, code, day.year)
        if key not in quota or used[key] + q > quota[key]:
            return False
        used[key] += q
        return True

    pool = [code for code, weight in WEIGHTS for _ in range(weight)]
    hot = tenants[:args.clients]
    requests, grants = [], []  # grants: (dict, index of its request or None)
    span = (today - first).days
    for n in range(args.requests - len(hot) * args.race):
        code, day = rng.choice(pool), first + timedelta(rng.randrange(span))
        cat, t = cats[code], rng.choice(tenants)
        asked = at(day, rng.randrange(9, 17), rng.choice((0, 15, 30, 45)))
        row = dict(tenant_id=t, category_id=cat.id, description=f"申请{cat.name}",
                   status="requested", requested_at=asked,
                   requested_by_id=founders[t] if n % 5 else rng.choice(staff))
        requests.append(row)
        age, done = (today - day).days, max(1, min(cat.target_days,
                                                   rng.randrange(1, cat.target_days + 3)))
        # Recent ones still open; of the older ones a few cancelled, a few forgotten (late).
        stop = (rng.choice(STEPS) if age <= 2 or (age < done and rng.random() < 0.7)
                or rng.random() < 0.02 else "cancelled" if rng.random() < 0.05 else None)
        if stop in ("assigned", "in_progress", None):
            row.update(status="assigned", provider_id=providers[code],
                       assigned_at=asked + timedelta(hours=rng.randrange(1, 5)))
        if stop in ("in_progress", None):
            row.update(status="in_progress", started_at=row["assigned_at"] + timedelta(hours=2))
        if stop == "cancelled":
            row.update(status="cancelled", cancelled_at=asked + timedelta(days=1),
                       cancel_reason="企业已自行办理")
        if stop is not None:
            continue
        finished = min(day + timedelta(done), today - timedelta(1))
        q = Decimal(rng.choice(SIZES.get(code, (1,))))
        value = q * PRICE[code] if code in PRICE else Decimal(rng.choice((0, 300, 800, 1500)))
        if cat.section == "professional" and not fits(t, code, finished, q):
            row.update(status="cancelled", cancelled_at=at(finished, 16),
                       cancel_reason="超出年度补贴额度")  # as staff do (services/demo.py)
            continue
        row.update(status="completed", completed_at=at(finished, 17), completed_on=finished,
                   outcome=rng.choice(OUTCOMES[code]).format(n=n), quantity=q,
                   value_fen=int(value * 100))
        if rng.random() < 0.8:
            row.update(confirmed_at=min(at(finished + timedelta(1), 10), now),
                       rating=rng.choice((5, 5, 5, 4, 4, 3)), rating_comment="")
        if code in QUOTAS:
            grants.append((dict(tenant_id=t, category_id=cat.id, provider_id=providers[code],
                                quantity=q, value_fen=row["value_fen"], granted_on=finished,
                                note=row["outcome"][:300], created_by_id=rng.choice(staff)),
                           len(requests) - 1))
    for t in hot:  # open compute requests of the raced firms, asked yesterday
        for _ in range(args.race):
            asked = at(today - timedelta(1), rng.randrange(9, 17))
            requests.append(dict(
                tenant_id=t, category_id=cats["compute"].id, description="申请算力补贴",
                status="in_progress", requested_at=asked, requested_by_id=founders[t],
                provider_id=providers["compute"], assigned_at=asked + timedelta(hours=1),
                started_at=asked + timedelta(hours=2)))
    while len(grants) < args.grants:  # staff's own grants (/services/grants)
        code = rng.choice(("compute", "compute", "tokens"))
        t, day = rng.choice(tenants), first + timedelta(rng.randrange(span))
        q = Decimal(rng.choice(SIZES[code]))
        voided = rng.random() < 0.02  # voided ones do not count against the quota
        if voided or fits(t, code, day, q):
            grants.append((dict(
                tenant_id=t, category_id=cats[code].id, provider_id=providers[code],
                quantity=q, value_fen=int(q * PRICE[code] * 100), granted_on=day,
                note="平台发放", created_by_id=rng.choice(staff),
                voided_at=at(day + timedelta(3), 11) if voided else None,
                void_reason="重复录入" if voided else ""), None))

    request_ids = bulk(ServiceRequest, requests)
    for row, index in grants:
        row["request_id"] = request_ids[index] if index is not None else None
    grant_ids = bulk(Grant, [row for row, _ in grants])
    names = {cat.id: cat.name for cat in cats.values()}
    served = [dict(tenant_id=r["tenant_id"], served_on=r["completed_on"], source=SERVED_SOURCE,
                   ref=f"request:{i}", note=f"{names[r['category_id']]}：{r['outcome']}"[:300])
              for i, r in zip(request_ids, requests) if r["status"] == "completed"]
    served += [dict(tenant_id=g["tenant_id"], served_on=g["granted_on"], source=SERVED_SOURCE,
                    ref=f"grant:{i}", note=f"{names[g['category_id']]} {g['quantity']:,.2f}",
                    voided_at=g.get("voided_at"), void_reason=g.get("void_reason", ""))
               for i, (g, _) in zip(grant_ids, grants)]
    db.session.execute(insert(ServedRecord), served)
    for t in hot:  # the last LAST GPU-hours of this year's compute quota
        db.session.execute(update(Quota).where(
            Quota.tenant_id == t, Quota.year == today.year,
            Quota.category_id == cats["compute"].id).values(
            amount=used[t, "compute", today.year] + LAST))
    statuses = Counter(r["status"] for r in requests)
    return (f"{len(requests)} requests ({', '.join(f'{n} {s}' for s, n in statuses.items())}), "
            f"{len(grants)} grants ({sum(1 for _, i in grants if i is not None)} of requests, "
            f"{sum(1 for g, _ in grants if g.get('voided_at'))} voided), {len(quota)} quotas, "
            f"{len(served)} served records")


def build(app, args):
    """Migrate, seed; (staff user id, compute category id, other active category ids)."""
    with app.app_context():
        started = time.perf_counter()
        reset_schema()
        upgrade()
        rng, today = random.Random(9), community_today()
        tenants, founders, staff = seed_people(args.tenants, args.staff, rng)
        cats = {c.code: c for c in catalogue.catalogue(db.session) if c.code}
        providers = seed_providers(cats, today)
        made = seed_services(args, rng, tenants, founders, staff, cats, providers, today)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        print(f"database: {db.engine.dialect.name}; today {today}; seeded in "
              f"{time.perf_counter() - started:.1f} s: {len(tenants)} firms, "
              f"{len(cats)} catalogue entries and providers, {made}")
        active = [c.id for c in catalogue.catalogue(db.session, active_only=True)]
        compute = cats["compute"].id
        db.session.remove()
        return staff[0], compute, active


def time_pages(app, staff_id, runs, export_runs, today):
    """Median and max ms and SQL statements of each page, after one warm-up; then the
    export as core_dashboard.py times it (next to pandas alone)."""
    client, counter = logged_in_client(app, staff_id), statement_counter(app)
    print("\nin process (test client, staff):")
    for name, path in (("queue GET /services (open)", "/services"),
                       ("queue GET /services?show=overdue", "/services?show=overdue"),
                       ("queue GET /services?show=all", "/services?show=all"),
                       ("dashboard GET / (this year)", "/?period=year"),
                       (f"dashboard GET / ({today.year - 1})",
                        f"/?period=year&year={today.year - 1}")):
        get(client, counter, path)
        samples = [get(client, counter, path) for _ in range(runs)]
        times, counts = [s[0] for s in samples], sorted({s[1] for s in samples})
        print(f"  {name:<34} median {statistics.median(times):7.1f} ms   max "
              f"{max(times):7.1f} ms   ({runs} runs; {'/'.join(map(str, counts))} SQL "
              "statements" + ("; aim < 200 ms, as core_dashboard.py's)" if "/?" in path
                              else ")"))
    bench_export(app, client, counter, export_runs)


class Work:
    """Open compute requests for the staff threads, firm by firm (so that they race
    for one quota), refilled from the database with the ones founders ask for."""

    def __init__(self, app, compute):
        self.app, self.compute, self.lock = app, compute, threading.Lock()
        self.queue, self.taken, self.checked = [], set(), 0.0

    def take(self):
        with self.lock:
            if not self.queue and time.monotonic() - self.checked > 0.2:
                self.checked = time.monotonic()
                with self.app.app_context():
                    self.queue = [i for i in db.session.scalars(
                        select(ServiceRequest.id).where(
                            ServiceRequest.category_id == self.compute,
                            ServiceRequest.status.in_(STEPS))
                        .order_by(ServiceRequest.tenant_id, ServiceRequest.id))
                        if i not in self.taken][::-1]
                    db.session.remove()
            if not self.queue:
                return None
            self.taken.add(self.queue[-1])
            return self.queue.pop()


def outcome_of(page, success):
    if success in page:
        return "done"
    if OVER in page:
        return "refused: quota exceeded"
    errors = [t.strip() for c, t in FLASH.findall(page) if c == "error"]
    return "other: " + (errors[0][:60] if errors else "no message")


def load(app, args, port, compute, active, today):
    """Founders request, staff complete; then the floor. Prints the figures."""
    founders = [Client(port) for _ in range(args.clients)]
    staff = [Client(port) for _ in range(args.staff)]
    started = time.perf_counter()
    for n, client in enumerate(founders):
        client.login(f"founder{n}")
    for n, client in enumerate(staff):
        client.login(f"staff{n}")
    clients = founders + staff
    tokens = [TOKEN.search(c.request("GET", "/services/request")[2]).group(1) for c in clients]
    with app.app_context():
        tenant_of = dict(db.session.execute(select(User.username, User.tenant_id)).all())
        before = db.session.scalar(select(func.count()).select_from(ServiceRequest))
        db.session.remove()
    print(f"\ngunicorn: {args.workers} sync workers on 127.0.0.1:{port}; logged in "
          f"{len(founders)} founders and {len(staff)} staff, took CSRF tokens in "
          f"{time.perf_counter() - started:.1f} s")
    work = Work(app, compute)

    def act(index, rng):
        client, t0 = clients[index], time.perf_counter()
        if index < len(founders):
            kind, path, success = "request", "/services/request", "服务申请已提交"
            form = {"tenant_id": tenant_of[f"founder{index}"], "category_id": rng.choice(active),
                    "description": "压测：申请服务"}
        else:
            request_id = work.take()
            if request_id is None:
                time.sleep(0.05)
                return None
            kind, path, success = "complete", f"/services/requests/{request_id}/complete", DONE
            q = rng.choice((10, 20, 30, 40))
            form = {"outcome": "已开通GPU算力账号并发放卡时", "completed_on": today.isoformat(),
                    "quantity": q, "value": q * PRICE["compute"]}
        status, location, page = client.request("POST", path, dict(form, csrf_token=tokens[index]))
        t1 = time.perf_counter()
        if status in (302, 303) and location:
            status, _, page = client.request("GET", location)
        result = outcome_of(page, success) if status == 200 else f"HTTP {status}"
        return kind, time.perf_counter() - t0, result, t1 - t0

    wall, rows, cpu = run_phase(clients, args.seconds, act)
    errors = Counter(r[1] for r in rows if r is not None and len(r) == 3)  # run_phase's
    rows = [r for r in rows if r is not None and len(r) == 4]
    figures = {}
    for kind, label in (("request", "founders: POST /services/request"),
                        ("complete", "staff: POST /services/requests/<id>/complete")):
        mine = [r for r in rows if r[0] == kind]
        total, post = [r[1] for r in mine], [r[3] for r in mine]
        figures[kind] = len(mine) / wall
        print(f"\n{label} (+ GET of the page it redirects to): {len(mine)} in {wall:.1f} s")
        print(f"  attempts/s      {figures[kind]:8.1f}")
        print(f"  attempt         p50 {ms(percentile(total, 50))}   p99 "
              f"{ms(percentile(total, 99))}   max {ms(max(total, default=0))}")
        print(f"  POST only       p50 {ms(percentile(post, 50))}   p99 {ms(percentile(post, 99))}")
        for outcome, count in Counter(r[2] for r in mine).most_common():
            print(f"  {outcome:<24} {count:6d}")
    print(f"  client CPU      {cpu / wall:8.0%} of one core (the load generator's own share)")
    if errors:
        print("  connection errors: " + ", ".join(f"{k} {n}" for k, n in errors.items()))
    told = sum(1 for r in rows if r[0] == "request" and r[2] == "done")
    check(app, before, told)

    def floor(index, rng):
        t0 = time.perf_counter()
        status, _, page = founders[index].request(
            "POST", f"/bench/floor?tenant={rng.randrange(1, args.tenants + 1)}", {},
            cookies=False)
        return time.perf_counter() - t0, "ok" if page == "ok" else f"HTTP {status}", 0

    wall, rows, _ = run_phase(founders, args.seconds, floor)
    floor_rps, latencies = len(rows) / wall, [r[0] for r in rows]
    print(f"\nfloor (POST /bench/floor: 1 read by primary key + 1 insert, commit), "
          f"{len(founders)} threads: {len(rows)} requests in {wall:.1f} s, "
          f"{sum(1 for r in rows if r[1] != 'ok')} failed")
    print(f"  requests/s      {floor_rps:8.1f}")
    print(f"  request         p50 {ms(percentile(latencies, 50))}   "
          f"p99 {ms(percentile(latencies, 99))}")
    print(f"\nrequest_rps / floor_rps = {figures['request']:.1f} / {floor_rps:.1f} = "
          f"{figures['request'] / floor_rps:.2f}   (aim >= 0.5, as booking_load.py's; "
          f"{args.staff} staff threads completing alongside; all HTTP requests/s "
          f"{2 * (figures['request'] + figures['complete']):.1f})")


def check(app, before, told):
    """Quotas overrun, half-written completions, requests stored against told."""
    with app.app_context():
        year = extract("year", Grant.granted_on)
        sums = {(t, c, int(y)): {"quantity": Decimal(q), "value": Decimal(v) / 100}
                for t, c, y, q, v in db.session.execute(
                    select(Grant.tenant_id, Grant.category_id, year, func.sum(Grant.quantity),
                           func.sum(Grant.value_fen)).where(Grant.voided_at.is_(None))
                    .group_by(Grant.tenant_id, Grant.category_id, year))}
        quotas = db.session.scalars(select(Quota)).all()
        overruns = sum(1 for q in quotas if sums.get((q.tenant_id, q.category_id, q.year),
                                                     {}).get(q.measure, 0) > q.amount)
        orphans = db.session.scalar(text(
            "SELECT count(*) FROM service_request r JOIN service_category c"
            " ON c.id = r.category_id WHERE r.status = 'completed' AND c.code IN"
            " ('compute', 'tokens') AND (NOT EXISTS (SELECT 1 FROM subsidy_grant g"
            " WHERE g.request_id = r.id) OR NOT EXISTS (SELECT 1 FROM served_record s"
            " WHERE s.source = 'services' AND s.ref = 'request:' || r.id))"))
        stored = db.session.scalar(select(func.count()).select_from(ServiceRequest)) - before
        db.session.remove()
    print(f"\nquotas overrun (non-voided grants of the year above the amount): {overruns} "
          f"of {len(quotas)}   (must be 0)")
    print(f"completed compute/token requests without their grant or served record: "
          f"{orphans}   (must be 0)")
    print(f"requests stored during the run: {stored}; founders told 'submitted': {told} "
          "(should be equal)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, default in (("tenants", 300), ("requests", 5000), ("grants", 3000),
                          ("clients", 50), ("staff", 4), ("race", 8), ("workers", 4),
                          ("runs", 10), ("export-runs", 3)):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="services_load_"))
    url = database_url(tmp)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY,
                      "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SESSION_COOKIE_SECURE": False, "UPLOAD_FOLDER": str(tmp / "uploads")})
    server = None
    try:
        staff_id, compute, active = build(app, args)
        with app.app_context():
            today = community_today()
        time_pages(app, staff_id, args.runs, args.export_runs, today)
        with app.app_context():
            db.engine.dispose()
        port, log_path = free_port(), tmp / "gunicorn.log"
        server = start_server("bench.booking_load:server_app()", url, port, log_path,
                              args.workers)
        load(app, args, port, compute, active, today)
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
