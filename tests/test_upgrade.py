"""A community already running on the previous release upgrades without losing a
record, and the services the old rules counted but the new ones would not are
voided (kept, with why, and audited) — on SQLite and on PostgreSQL."""
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from community.extensions import db
from tests.conftest import PG_URL, _truncate_all, base_config, valid_uscc

BEFORE = "0003"  # the schema of the release before dated history and licence facts
DAY = date(2026, 5, 6)
AT = datetime(2026, 5, 6, 2, 0, tzinfo=timezone.utc)


def at(hour):
    """A moment of DAY as the old schema stores it on this database."""
    moment = AT.replace(hour=hour)
    return moment if PG_URL else moment.replace(tzinfo=None)


def fill(table, **given):
    """A row for a table as it stood at BEFORE: what is given, and a plain value for
    every other column that may not be empty."""
    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key:
            continue
        kind = column.type
        if isinstance(kind, sa.Boolean):
            row[column.name] = False
        elif isinstance(kind, (sa.Integer, sa.Numeric)):
            row[column.name] = 0
        elif isinstance(kind, sa.DateTime):
            row[column.name] = at(2)
        elif isinstance(kind, sa.Date):
            row[column.name] = DAY
        elif isinstance(kind, sa.JSON):
            row[column.name] = {}
        else:
            row[column.name] = "x"
    return row


def adder(conn):
    """add(table, **given): a row into the schema as it stands (reflected), its id back."""
    tables = sa.MetaData()
    tables.reflect(conn)

    def add(table, **given):
        t = tables.tables[table]
        return conn.execute(t.insert().values(fill(t, **given)).returning(t.c.id)).scalar_one()
    return add


@pytest.fixture
def old_app(migrated, tmp_path):
    yield from app_at(BEFORE, tmp_path)


def app_at(revision, tmp_path):
    """An app whose database stands at `revision`; the shared test database is put back
    to the head afterwards."""
    if PG_URL:
        uri = PG_URL
    else:
        uri = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app(base_config(tmp_path, uri))
    with app.app_context():
        with db.engine.begin() as conn:
            if PG_URL:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade(revision=revision)
        yield app
        db.session.remove()
        if PG_URL:  # leave the shared test database as the other tests expect it
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
            upgrade()
            _truncate_all()
        db.engine.dispose()


def test_the_upgrade_keeps_every_record_and_voids_what_did_not_happen(old_app):
    with db.engine.begin() as conn:
        add = adder(conn)
        firm = add("tenant", name="重庆老数据科技有限公司", uscc=valid_uscc(),
                   relationship="resident", is_opc=True)
        other = add("tenant", name="重庆另一家科技有限公司", uscc=valid_uscc(),
                    relationship="served", is_opc=True)
        add("member", tenant_id=firm, name="张三", phone="13800138000")
        zone = add("zone", name="会议室", kind="meeting_room", bookable=True)
        desk = add("desk", code="A-001", zone_id=zone, zero_rent=True, status="available")
        room = add("room", zone_id=zone, opening_hours={}, feed_token="f", door_token="d")
        claimed = add("booking", uid="u1", room_id=room, tenant_id=firm, status="confirmed",
                      starts_at=at(2), ends_at=at(3), checked_in_at=at(2))
        unclaimed = add("booking", uid="u2", room_id=room, tenant_id=firm, status="confirmed",
                        starts_at=at(4), ends_at=at(5))
        cancelled = add("booking", uid="u3", room_id=room, tenant_id=firm, status="cancelled",
                        starts_at=at(4), ends_at=at(5))
        held = add("event", status="held", kind="training", starts_at=at(2), ends_at=at(3))
        dropped = add("event", status="cancelled", kind="training", starts_at=at(2),
                      ends_at=at(3))
        add("registration", event_id=held, name="张三", mobile="13800138000", tenant_id=firm,
            secret="s1", status="registered",
            checked_in_at=at(3))
        typed = add("registration", event_id=held, name="李四", mobile="13900139000",
                    tenant_id=other, secret="s2", status="registered",
                    checked_in_at=at(3))
        for ref, tenant, source in ((claimed, firm, "booking"), (unclaimed, firm, "booking"),
                                    (cancelled, firm, "booking"),
                                    (f"event:{held}:tenant:{firm}", firm, "events"),
                                    (f"event:{held}:tenant:{other}", other, "events"),
                                    (f"event:{dropped}:tenant:{firm}", firm, "events")):
            add("served_record", tenant_id=tenant, served_on=DAY, source=source, ref=str(ref))

    upgrade()

    with db.engine.connect() as conn:
        served = {ref: reason for ref, reason in conn.execute(sa.text(
            "SELECT ref, void_reason FROM served_record WHERE voided_at IS NOT NULL"))}
        kept = set(conn.scalars(sa.text(
            "SELECT ref FROM served_record WHERE voided_at IS NULL")))
        assert kept == {str(claimed), f"event:{held}:tenant:{firm}"}
        assert set(served) == {str(unclaimed), str(cancelled), f"event:{held}:tenant:{other}",
                               f"event:{dropped}:tenant:{firm}"}
        assert "活动已取消" in served[f"event:{dropped}:tenant:{firm}"]
        assert conn.scalar(sa.text(
            "SELECT count(*) FROM audit_entry WHERE action = 'served_record.voided'")) == 4
        links = dict(conn.execute(sa.text("SELECT id, tenant_basis FROM registration "
                                          "WHERE tenant_id IS NOT NULL")).all())
        assert typed not in links and set(links.values()) == {"member"}
        assert conn.scalar(sa.text("SELECT count(*) FROM tenant")) == 2
        assert conn.scalar(sa.text(
            "SELECT count(*) FROM desk_state WHERE desk_id = :d"), {"d": desk}) == 1
        assert conn.scalar(sa.text("SELECT count(*) FROM licence")) == 0  # to be entered



@pytest.fixture
def app_at_0012(migrated, tmp_path):
    yield from app_at("0012", tmp_path)


def test_the_upgrade_dates_the_end_of_each_desk_state_and_licence(app_at_0012):
    """Desk states and licence facts written before 0013 learn the day the next ones
    took effect."""
    with db.engine.begin() as conn:
        add = adder(conn)
        zone = add("zone", name="开放工位区", kind="desk_area")
        desks = [add("desk", code=code, zone_id=zone, zero_rent=True, status="available",
                     in_service_on=date(2026, 1, 1)) for code in ("A-001", "A-002")]
        for day in (date(2026, 6, 1), date(2026, 1, 1), date(2026, 3, 1)):  # out of order
            add("desk_state", desk_id=desks[0], effective_on=day, status="available",
                zero_rent=True)
        add("desk_state", desk_id=desks[1], effective_on=date(2026, 1, 1),
            status="available", zero_rent=True)
        firm = add("tenant", name="重庆老数据科技有限公司", uscc=valid_uscc())
        for day in (date(2026, 4, 1), date(2025, 3, 1)):
            add("licence", tenant_id=firm, effective_on=day, company_type="个人独资企业",
                investors=1)

    upgrade()

    with db.engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT desk_id, effective_on, superseded_on FROM desk_state "
            "ORDER BY desk_id, effective_on")).all()
        facts = conn.execute(sa.text(
            "SELECT effective_on, superseded_on FROM licence ORDER BY effective_on")).all()

    def as_dates(*values):
        return tuple(value and date.fromisoformat(str(value)) for value in values)

    assert [as_dates(*facts_row) for facts_row in facts] == [
        (date(2025, 3, 1), date(2026, 4, 1)), (date(2026, 4, 1), None)]
    assert [(desk, *as_dates(on, until)) for desk, on, until in rows] == [
        (desks[0], date(2026, 1, 1), date(2026, 3, 1)),
        (desks[0], date(2026, 3, 1), date(2026, 6, 1)),
        (desks[0], date(2026, 6, 1), None),
        (desks[1], date(2026, 1, 1), None)]
