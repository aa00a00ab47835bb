"""Bench of the evidence a reviewer is handed: the ledger workbook, the full report pack
and `audit verify`, on two years of a large community.

It migrates a throw-away database (a temporary SQLite file, or DATABASE_URL, whose
public schema is DROPPED and recreated: use a bench database only) and fills it with
bulk inserts: 300 tenants with desks and desk assignments (bench/core_dashboard.py's
generator), 20,000 bookings in 20 rooms, 60 events of 300 registrations, 5,000
service records, 200 scenarios, 2,000 evidence files of ~200 KB (random bytes: as
incompressible as photos and scans) on the tenants, and an audit trail sealed in
batches. Then, each in a forked child so its peak memory is its own:

1. the ledger workbook (community.export.write_workbook) for the two years;
2. the full pack (community.packs.build_pack: workbook, report HTML and PDF, every
   evidence file streamed into the zip, manifest);
3. the same pack with a quarter of the files (the rest withdrawn): memory should not
   grow with the number of files;
4. `audit verify` (community.chain.verify).

Each prints seconds and peak memory (the child's maximum RSS above what it started
with) beside its aim. Figures only, nothing asserted.

    .venv/bin/python bench/evidence_pack.py [--files 2000 --file-kb 200 --audit 50000]
    DATABASE_URL=postgresql://opc:opc@127.0.0.1:5432/opc_bench_pack \\
        .venv/bin/python bench/evidence_pack.py
"""
import argparse
import hashlib
import json
import os
import random
import resource
import secrets
import shutil
import sys
import tempfile
import time
import zipfile
from datetime import date, datetime, time as clock, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select, text, update  # noqa: E402

from bench.core_dashboard import community_rows, database_url, make_app  # noqa: E402
from booking.models import Booking, Room  # noqa: E402
from community import chain, packs  # noqa: E402
from community.dbsetup import utcnow  # noqa: E402
from community.extensions import db  # noqa: E402
from community.models import (Attachment, AuditEntry, ReportPack, ServedRecord,  # noqa: E402
                              Tenant, User, Zone)
from community.periods import Period  # noqa: E402
from community.registry import registry  # noqa: E402
from community.settings import current_settings, targets  # noqa: E402
from events.models import Event, Registration  # noqa: E402
from scenarios.models import OWNER_TYPES, SOURCES, Scenario  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
START, END = date(2025, 1, 1), date(2026, 12, 31)
ROOMS = 20


def at(day, hour):
    return datetime.combine(day, clock(hour), TZ)


def rss_kb():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))


def in_child(fn):
    """Run fn in a forked child: (seconds, peak RSS growth in MB, fn's result)."""
    db.session.close()  # no connection of the parent's goes into the child
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its own connections, its own peak
        os.close(read)
        try:
            db.session.remove()
            db.engine.dispose(close=False)
            start_rss, started = rss_kb(), time.perf_counter()
            result = fn()
            seconds = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            payload = {"s": seconds, "mb": (peak - start_rss) / 1024, "result": result}
        except BaseException as exc:  # noqa: BLE001 - reported by the parent
            payload = {"error": repr(exc)}
        with os.fdopen(write, "w") as fh:
            json.dump(payload, fh, default=str)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        payload = json.load(fh)
    os.waitpid(pid, 0)
    if "error" in payload:
        raise SystemExit(f"child failed: {payload['error']}")
    return payload["s"], payload["mb"], payload["result"]


def seed(app, args, uploads):
    """The community: (staff id, evidence ids)."""
    rng = random.Random(7)
    rows = community_rows(args.tenants, 400, 1200, rng)
    for model, batch in rows:
        db.session.execute(insert(model), batch)
    if db.engine.dialect.name == "postgresql":  # those rows came with their ids
        for table in ("zone", "desk", "tenant", "member"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
    staff = User(username="bench", name="bench", role="staff", password_hash="!")
    db.session.add(staff)
    db.session.flush()
    tenants = db.session.scalars(select(Tenant.id)).all()

    zones = db.session.scalars(insert(Zone).returning(Zone.id, sort_by_parameter_order=True), [
        dict(floor="1F", name=f"会议室{n:02d}", kind="meeting_room" if n else "roadshow_hall",
             area_m2=Decimal(60), capacity=12, bookable=True, in_service_on=START)
        for n in range(ROOMS)]).all()
    rooms = db.session.scalars(insert(Room).returning(Room.id, sort_by_parameter_order=True),
                               [dict(zone_id=z) for z in zones]).all()
    days, bookings = (END - START).days + 1, []
    for n in range(args.bookings):  # per room, back to back through the days: no overlap
        room, k = rooms[n % ROOMS], n // ROOMS
        day, hour = START + timedelta(days=k % days), 9 + 2 * (k // days)
        bookings.append(dict(room_id=room, tenant_id=rng.choice(tenants), purpose="项目洽谈",
                             starts_at=at(day, hour), ends_at=at(day, hour + 1),
                             status="confirmed", booked_by_id=staff.id))
    db.session.execute(insert(Booking), bookings)

    events = db.session.scalars(insert(Event).returning(Event.id, sort_by_parameter_order=True),
                                [dict(kind=("competition", "matching", "training")[n % 3],
                                      title=f"生态活动{n:02d}", starts_at=at(day, 14),
                                      ends_at=at(day, 17), capacity=400, organiser="社区",
                                      registration_closes_at=at(day, 12), status="held",
                                      held_at=at(day, 17), published_at=at(day - timedelta(10), 9),
                                      room_id=rooms[0], notice_text="活动通知")
                                 for n in range(args.events)
                                 for day in [START + timedelta(days=12 * n + 3)]]).all()
    db.session.execute(insert(Registration), [
        dict(event_id=e, name=f"报名人{r}", mobile=f"139{n:02d}{r:06d}",
             tenant_id=rng.choice(tenants), consent_at=at(START, 9), status="registered",
             secret=secrets.token_hex(16),
             checked_in_at=at(START + timedelta(days=12 * n + 3), 14) if r % 4 else None,
             checkin_method="scanner" if r % 4 else None)
        for n, e in enumerate(events) for r in range(args.registrations)])
    db.session.execute(insert(ServedRecord), [
        dict(tenant_id=rng.choice(tenants), served_on=START + timedelta(days=rng.randrange(days)),
             source="community", ref=f"bench:{n}", note="登记服务")
        for n in range(args.services)])
    db.session.execute(insert(Scenario), [
        dict(title=f"应用场景{n:03d}", owner_name=f"需求单位{n % 50}",
             owner_type=OWNER_TYPES[n % len(OWNER_TYPES)], source=SOURCES[n % len(SOURCES)],
             stage="landed" if n % 4 == 0 else "published",
             discovered_on=START + timedelta(days=rng.randrange(days - 60)),
             landed_on=START + timedelta(days=rng.randrange(60, days)) if n % 4 == 0 else None,
             contract_value_fen=rng.randrange(5, 150) * 1_000_000 if n % 4 == 0 else None,
             created_by_id=staff.id)
        for n in range(args.scenarios)])

    os.makedirs(uploads, exist_ok=True)
    files = []
    for n in range(args.files):
        data = os.urandom(args.file_kb * 1024 + rng.randrange(-4096, 4096))
        stored = secrets.token_hex(16)
        with open(os.path.join(uploads, stored), "wb") as fh:
            fh.write(data)
        files.append(dict(owner_type="tenant", owner_id=tenants[n % len(tenants)],
                          filename=f"证明材料{n:04d}.jpg", stored_name=stored,
                          content_type="image/jpeg", size=len(data),
                          sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=staff.id))
    ids = db.session.scalars(insert(Attachment).returning(
        Attachment.id, sort_by_parameter_order=True), files).all()
    db.session.commit()
    for start in range(0, args.audit, 5000):  # sealed at each commit, as requests do
        db.session.add_all(AuditEntry(at=utcnow(), actor_id=staff.id, action="tenant.updated",
                                      object_type="tenant", object_id=tenants[n % len(tenants)],
                                      before={"phone": "138****0000"}, after={"n": n}, note="")
                           for n in range(start, min(start + 5000, args.audit)))
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return staff.id, ids


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tenants", type=int, default=300)
    parser.add_argument("--bookings", type=int, default=20000)
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--registrations", type=int, default=300)
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--scenarios", type=int, default=200)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--file-kb", type=int, default=200)
    parser.add_argument("--audit", type=int, default=50000)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="opc-bench-pack-"))
    try:
        url = database_url(tmp)
        app = make_app(url, tmp)
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as conn:
                    conn.execute(text("DROP SCHEMA public CASCADE"))
                    conn.execute(text("CREATE SCHEMA public"))
            started = time.perf_counter()
            upgrade()
            staff_id, file_ids = seed(app, args, app.config["UPLOAD_FOLDER"])
            print(f"{db.engine.dialect.name}: built in {time.perf_counter() - started:.1f} s: "
                  f"{args.tenants} tenants, {args.bookings} bookings, {args.events} events x "
                  f"{args.registrations} registrations, {args.services} service records, "
                  f"{args.scenarios} scenarios, {args.files} files of ~{args.file_kb} KB, "
                  f"{args.audit} audit entries")
            evidence_sheets = [s.title for s in registry().sheets if s.evidence]
            if not evidence_sheets:
                print("  note: no ledger sheet carries evidence files yet: the pack has none")
            today = date.today()
            period = Period.make(START, END, today)
            settings = current_settings(db.session)
            from community.export import write_workbook
            from community.report import render_html, write_pdf

            def workbook():
                out = tmp / "ledger.xlsx"
                write_workbook(db.session, registry(), targets(db.session), period, out,
                               community_name=settings.name, tz_name=settings.timezone)
                return out.stat().st_size

            seconds, mb, size = in_child(workbook)
            print(f"  workbook export: {seconds:.1f} s, peak +{mb:.0f} MB, "
                  f"{size / 1e6:.1f} MB")

            def pack():
                pack = ReportPack(kind="custom", start_on=START, end_on=END,
                                  requested_by_id=staff_id)
                db.session.add(pack)
                db.session.commit()
                built = packs.build_pack(
                    db.session, registry(), pack.id, folder=app.config["PACK_FOLDER"],
                    upload_folder=app.config["UPLOAD_FOLDER"], targets=targets(db.session),
                    settings=settings, today=today, render_html=render_html,
                    write_pdf=write_pdf)
                path = packs.pack_path(app.config["PACK_FOLDER"], built)
                with zipfile.ZipFile(path) as zf:
                    entries = sum(1 for n in zf.namelist() if n.startswith("证明材料/"))
                os.remove(path)
                return [built.size, entries]

            seconds, mb, (size, entries) = in_child(pack)
            print(f"  full pack: {seconds:.1f} s (aim < 30 s), peak +{mb:.0f} MB, "
                  f"{size / 1e6:.0f} MB zip, {entries} evidence files")
            keep = set(file_ids[::4])
            db.session.execute(update(Attachment).where(Attachment.id.not_in(keep)).values(
                withdrawn_at=utcnow(), withdraw_reason="bench"))
            db.session.commit()
            seconds_q, mb_q, (size_q, entries_q) = in_child(pack)
            print(f"  pack, a quarter of the files: {seconds_q:.1f} s, peak +{mb_q:.0f} MB, "
                  f"{size_q / 1e6:.0f} MB zip, {entries_q} evidence files "
                  f"(aim: peak memory the same as with all of them: streamed, "
                  f"{mb - mb_q:+.0f} MB for {entries - entries_q} more files)")

            def verify():
                problem = chain.verify(db.session)
                return [chain.head_of(db.session)[0], problem.text if problem else None]

            seconds, mb, (count, problem) = in_child(verify)
            print(f"  audit verify: {seconds:.1f} s, peak +{mb:.0f} MB, {count} entries, "
                  f"{'intact' if problem is None else problem} (aim: seconds, flat memory)")
            db.session.remove()
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as conn:
                    conn.execute(text("DROP SCHEMA public CASCADE"))
                    conn.execute(text("CREATE SCHEMA public"))
            db.engine.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
