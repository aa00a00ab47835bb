"""Bench of the community core: the indicator dashboard and the ledger export
on a large community.

It migrates a throw-away database (a temporary SQLite file, or DATABASE_URL,
whose public schema is DROPPED and recreated: use a bench database only), fills
it with bulk inserts and prints the build time; GET / (the dashboard): median
and max time and SQL statements per request, and the count again on a build a
tenth the size; the pace section's first load of a day (its twelve months read, S4's
rolling window among them) at both sizes; the ledger export (GET /ledger.xlsx and
write_workbook) next to pandas alone writing the same DataFrames with openpyxl, and
the export's peak memory (tracemalloc) at both sizes.

Aims (issue 13), printed for reference and never asserted: the dashboard's median
<= 100 ms and max <= 200 ms, a statement count that does not grow with tenants, the
export in at most half the time of pandas-only, its peak memory not growing with
the rows.

    .venv/bin/python bench/core_dashboard.py [--tenants 2000 --desks 5000
        --assignments 20000 --runs 10 --export-runs 3]
"""
import argparse
import io
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, insert, text  # noqa: E402
from stdnum.cn import uscc as stdnum_uscc  # noqa: E402

from app import create_app  # noqa: E402
from community.extensions import db  # noqa: E402
from community.export import (COVER_TITLE, cover_frame, sheet_frame,  # noqa: E402
                              sheet_name, write_workbook)
from community.models import (SECTORS, Community, Desk, DeskAssignment, DeskState,  # noqa: E402
                              Licence, Member, ServedRecord, Tenant, User, Zone, ZoneArea)
from community.periods import period_for  # noqa: E402
from community.registry import evaluate, registry  # noqa: E402
from community.settings import DEFAULTS, targets  # noqa: E402
from community.web import today  # noqa: E402

START = date(2025, 1, 1)
DESKS_PER_ZONE = 100


def database_url(tmp):
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}"
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


def make_app(url, tmp):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                       "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False,
                       "WTF_CSRF_ENABLED": False, "UPLOAD_FOLDER": str(tmp / "uploads")})


def reset_schema():
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


def community_rows(n_tenants, n_desks, n_assignments, rng):
    """Rows per model, ids given so that rows can point at each other."""
    n_zones = -(-n_desks // DESKS_PER_ZONE)
    zones = [dict(id=z, floor=f"{z % 10 + 1}F", name=f"开放工位区{z:04d}", kind="open_desk",
                  area_m2=Decimal(120), capacity=DESKS_PER_ZONE, bookable=False,
                  in_service_on=START, out_of_service_on=None)
             for z in range(1, n_zones + 1)]
    desks = [dict(id=d, code=f"D{d:05d}", zone_id=(d - 1) // DESKS_PER_ZONE + 1,
                  zero_rent=d % 4 != 0, status="available" if d % 50 else "out_of_service",
                  in_service_on=START) for d in range(1, n_desks + 1)]
    tenants = []
    for t in range(1, n_tenants + 1):
        body = f"915001120{t:08d}"
        moved_in = START + timedelta(days=rng.randrange(680)) if t % 7 else None
        tenants.append(dict(
            id=t, name=f"重庆测试{t:05d}科技有限公司", name_initials="cqcskjyxgs",
            uscc=body + stdnum_uscc.calc_check_digit(body), legal_rep="张三",
            phone=f"138{t:08d}", email="", sector=SECTORS[t % len(SECTORS)],
            relationship_kind="resident" if moved_in else "served",
            founded_on=date(2023, 1, 1) + timedelta(days=rng.randrange(1000)),
            moved_in_on=moved_in,
            moved_out_on=moved_in + timedelta(days=rng.randrange(200, 600))
            if moved_in and t % 5 == 0 else None,
            closed_on=date(2026, 6, 30) if t % 37 == 0 else None))
    # Licence facts: most are one-person companies, every tenth has two shareholders,
    # every thirteenth has none entered yet (not determined).
    licences = [dict(tenant_id=t["id"], effective_on=t["founded_on"], override_reason="",
                     company_type="有限责任公司（自然人独资）" if t["id"] % 10 else
                     "有限责任公司（自然人投资或控股）", investors=1 if t["id"] % 10 else 2,
                     recorded_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
                for t in tenants if t["id"] % 13]
    states = [dict(desk_id=d["id"], effective_on=START, status=d["status"],
                   zero_rent=d["zero_rent"]) for d in desks]
    members = [dict(id=2 * t - 2 + k, tenant_id=t, name=f"成员{t}-{k}", phone="",
                    is_founder=k == 1) for t in range(1, n_tenants + 1) for k in (1, 2)]
    residents = [t["id"] for t in tenants if t["moved_in_on"]]
    assignments = []
    for d in range(1, n_desks + 1):
        # Back to back per desk, a gap of at least one day: [starts_on, ends_on] never meet.
        count = n_assignments // n_desks + (d <= n_assignments % n_desks)
        day = START + timedelta(days=rng.randrange(60))
        for k in range(count):
            tenant_id = rng.choice(residents)
            last = k == count - 1
            ends = None if last and d % 3 == 0 else day + timedelta(days=rng.randrange(60, 200))
            assignments.append(dict(desk_id=d, member_id=2 * tenant_id - 1 + k % 2,
                                    tenant_id=tenant_id, starts_on=day, ends_on=ends))
            day = ends + timedelta(days=rng.randrange(1, 30)) if ends else day
    served = [dict(tenant_id=rng.randrange(1, n_tenants + 1), source="community",
                   ref=str(i), note="", served_on=date(2025, 6, 1)
                   + timedelta(days=rng.randrange(530))) for i in range(2 * n_tenants)]
    areas = [dict(zone_id=z["id"], area_m2=z["area_m2"], effective_on=START) for z in zones]
    return [(Community, [DEFAULTS]), (Zone, zones), (ZoneArea, areas), (Desk, desks),
            (DeskState, states), (Tenant, tenants), (Licence, licences), (Member, members),
            (DeskAssignment, assignments), (ServedRecord, served)]


def build(app, n_tenants, n_desks, n_assignments):
    """Migrate and fill the database; return the staff user's id."""
    with app.app_context():
        started = time.perf_counter()
        reset_schema()
        upgrade()
        migrated = time.perf_counter()
        rows = community_rows(n_tenants, n_desks, n_assignments, random.Random(42))
        for model, batch in rows:
            db.session.execute(insert(model), batch)
        user = User(username="bench", name="bench", role="staff", password_hash="!")
        db.session.add(user)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Fresh statistics, as autovacuum would have by now: without them the
            # planner guesses a handful of rows and S2's desk-zone join turns quadratic.
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        done = time.perf_counter()
        print(f"  build: {done - started:.1f} s (migrations {migrated - started:.1f} s, "
              f"data {done - migrated:.1f} s: "
              + ", ".join(f"{len(b)} {m.__tablename__}" for m, b in rows[1:]) + ")")
        return user.id


def logged_in_client(app, user_id):
    client = app.test_client()
    with app.app_context():
        cookie_id = db.session.get(User, user_id).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = cookie_id
        session["_fresh"] = True
    return client


def statement_counter(app):
    with app.app_context():
        engine = db.engine
    count = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def counted(*args):
        count[0] += 1
    return count


def get(client, counter, path):
    """One request: (ms, statements, response)."""
    before, started = counter[0], time.perf_counter()
    response = client.get(path)
    ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    return ms, counter[0] - before, response


def bench_dashboard(app, user_id, runs):
    client, counter = logged_in_client(app, user_id), statement_counter(app)
    first_loads(app, client, counter)
    get(client, counter, "/")  # warm-up: templates, statement cache, pool
    samples = [get(client, counter, "/") for _ in range(runs)]
    times, counts = [s[0] for s in samples], sorted({s[1] for s in samples})
    print(f"  dashboard GET /: median {statistics.median(times):.1f} ms (aim <= 100), "
          f"max {max(times):.1f} ms (aim <= 200) over {runs} runs, min "
          f"{min(times):.1f}; SQL statements per request: {'/'.join(map(str, counts))}")
    return client, counter, counts[-1]


def first_loads(app, client, counter, runs=3):
    """The day's first dashboard: the pace section reads each month of the year so far
    (S4's twelve-month window for every month end) and keeps them for the day."""
    times = []
    for _ in range(runs):
        app.extensions.get("opc_pace_memo", {}).clear()
        ms, statements, _ = get(client, counter, "/")
        times.append(ms)
    print(f"  first dashboard of a day (pace's months read afresh): median "
          f"{statistics.median(times):.1f} ms, max {max(times):.1f} ms over {runs}; "
          f"{statements} SQL statements")
    return statistics.median(times)


def pandas_only(cover, frames):
    """What pandas alone needs to write the workbook's frames with openpyxl."""
    with pd.ExcelWriter(io.BytesIO(), engine="openpyxl", date_format="YYYY-MM-DD",
                        datetime_format="YYYY-MM-DD HH:MM") as writer:
        cover.to_excel(writer, sheet_name=COVER_TITLE, index=False, startrow=2)
        for name, frame in frames:
            frame.to_excel(writer, sheet_name=name, index=False)


def seconds(fn, *args, **kwargs):
    started = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - started


def bench_export(app, client, counter, runs):
    """Best of `runs` for each way, interleaved so that a busy machine hits all alike."""
    with app.app_context():
        reg, goals, period = registry(), targets(db.session), period_for("year", today())
        started = time.perf_counter()
        cover = cover_frame(evaluate(db.session, reg, goals, period), period)
        frames = [(sheet_name(s.title), sheet_frame(db.session, s, period))
                  for s in reg.sheets]
        built = time.perf_counter() - started
        db.session.rollback()
    best = {"get": [], "direct": [], "pandas": []}
    for _ in range(runs):
        ms, statements, response = get(client, counter, "/ledger.xlsx")
        best["get"].append(ms / 1000)
        with app.app_context():
            best["direct"].append(seconds(write_workbook, db.session, reg, goals, period,
                                          io.BytesIO(), community_name="bench"))
            db.session.rollback()
        best["pandas"].append(seconds(pandas_only, cover, frames))
    via_get, direct, alone = (min(best[k]) for k in ("get", "direct", "pandas"))
    print("  sheets: " + ", ".join(f"{name} {len(frame)} rows" for name, frame in frames)
          + f"; queries + DataFrames (for pandas-only): {built:.2f} s")
    print(f"  export (best of {runs}): GET /ledger.xlsx {via_get:.2f} s ({statements} SQL "
          f"statements, {len(response.data) / 1024:.0f} KiB); write_workbook {direct:.2f} s; "
          f"pandas-only ExcelWriter+to_excel {alone:.2f} s")
    print(f"  ratio export / pandas-only: write_workbook {direct / alone:.2f}x, "
          f"GET {via_get / alone:.2f}x (aim <= 0.5x)")
    return sum(len(frame) for _, frame in frames)


def export_memory(app):
    """Peak Python memory (tracemalloc) of one write_workbook, queries included, into a
    temporary file as GET /ledger.xlsx writes it (the workbook's bytes are not held)."""
    with app.app_context():
        reg, goals, period = registry(), targets(db.session), period_for("year", today())
        tracemalloc.start()
        try:
            with tempfile.TemporaryFile() as out:
                write_workbook(db.session, reg, goals, period, out, community_name="bench")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            db.session.rollback()
    return peak / 2 ** 20


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=2000)
    parser.add_argument("--desks", type=int, default=5000)
    parser.add_argument("--assignments", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=10, help="dashboard requests timed")
    parser.add_argument("--export-runs", type=int, default=3, help="best of, per export way")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="opc-bench-"))
    try:
        url = database_url(tmp)
        app = make_app(url, tmp)
        print(f"database: {url.split('://')[0]}; period: this year (the dashboard's default)")
        print(f"large build ({args.tenants} tenants, {args.desks} desks, "
              f"{args.assignments} assignments):")
        user_id = build(app, args.tenants, args.desks, args.assignments)
        client, counter, large = bench_dashboard(app, user_id, args.runs)
        rows = bench_export(app, client, counter, args.export_runs)
        large_memory = export_memory(app)
        with app.app_context():
            db.engine.dispose()

        small = [max(1, n // 10) for n in (args.tenants, args.desks, args.assignments)]
        print(f"small build ({small[0]} tenants, {small[1]} desks, "
              f"{small[2]} assignments):")
        if url.startswith("sqlite"):
            url = f"sqlite:///{tmp / 'bench-small.sqlite3'}"
        app = make_app(url, tmp)
        user_id = build(app, *small)
        client, counter, few = bench_dashboard(app, user_id, args.runs)
        small_memory = export_memory(app)
        print(f"SQL statements per dashboard request: {large} with {args.tenants} tenants, "
              f"{few} with {small[0]} tenants -> "
              + ("constant (aim met)" if large == few else "GROWS with tenants"))
        print(f"export peak memory (tracemalloc, queries included): {small_memory:.1f} MiB "
              f"with {small[0]} tenants, {large_memory:.1f} MiB with {args.tenants} tenants "
              f"({rows} ledger rows at the large size; aim: not growing with the rows)")
        with app.app_context():
            reset_schema()
            db.engine.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
