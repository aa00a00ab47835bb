"""Every route × every role: who gets what, written down once.

The matrix walks `app.url_map`. Each endpoint is asked as anonymous, a member of
tenant A (whose records fill the path), a member of tenant B, staff, an assessor,
an admin and a scanner device (anonymous, with a device token). GET is asked of
every endpoint that answers GET; an endpoint that only takes POST is posted to,
empty. A POST the table expects to be refused must change nothing (no audit row,
no row anywhere). A page a member of tenant B or an anonymous visitor may open
must not show tenant A's name, people, purposes or secrets.

A new endpoint fails `test_every_endpoint_is_in_the_table` until it is added to
EXPECTED below; a new public one also fails `test_public_endpoints_are_pinned`
until it joins PUBLIC: opening a page to the world is a decision, not a default.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from flask import g
from sqlalchemy import func, select

from booking import rules as booking_rules
from booking.models import Room, TenantFeed
from community import rules
from community.dbsetup import utcnow
from community.extensions import db
from community.files import save_attachment
from community.models import AssessorGrant, Holiday, User
from community.settings import community_zone
from events import checkin
from events import rules as event_rules
from events.views import venue_key
from scenarios import rules as scenario_rules
from services import catalogue as service_catalogue
from services import rules as service_rules
from services import subsidies
from services.financing import rules as financing_rules
from services.models import Bill
from tests.conftest import PASSWORD, make_tenant_row, valid_uscc, zone_data
from tests.events.conftest import event_data, person

LOGIN = "login"  # a redirect to the sign-in page
ROLES = ("anonymous", "member_a", "member_b", "staff", "assessor", "admin", "device")
REFUSED = (401, 403, 404)


def answers(anonymous, member_a, member_b, staff, assessor, admin, device=None):
    """One row of the table; the device (no session, a bearer token) is answered
    as anonymous unless said otherwise."""
    return {"anonymous": anonymous, "member_a": member_a, "member_b": member_b,
            "staff": staff, "assessor": assessor, "admin": admin,
            "device": anonymous if device is None else device}


EVERYONE = answers(200, 200, 200, 200, 200, 200)
LOGGED_IN = answers(LOGIN, 200, 200, 200, 200, 200)
VIEW = answers(LOGIN, 403, 403, 200, 403, 200)  # "view": staff and admin (an assessor
# holds "assess": evidence of its granted periods only, and this world grants it none)
EDIT = answers(LOGIN, 403, 403, 200, 403, 200)  # the "edit" permission: staff and admin
ADMIN = answers(LOGIN, 403, 403, 403, 403, 200)
BOOK = answers(LOGIN, 200, 200, 200, 403, 200)  # the "book" permission: not assessors
EDIT_POST = answers(LOGIN, 403, 403, 302, 403, 302)  # an empty post: back with a message
SCANNER = answers(401, 401, 401, 401, 401, 401, device=200)  # only the device token

# The endpoints anyone may open without signing in (with a secret in the address
# for some). Adding one here is opening a page to the world: say why beside it.
PUBLIC = {
    "static",
    "community.login",
    "community.set_language",  # the language switch on the sign-in page
    "booking.room_feed",  # busy times only, no names
    "booking.room_feed_private",  # by the room's feed token
    "booking.tenant_feed",  # by the tenant's feed token
    "events_public.event_page",  # registration for people without accounts
    "events_public.event_ics_file",
    "events_public.here",  # self check-in, by the venue screen's changing code
    "events_public.here_submit",
    "events_public.ticket",  # the attendee's ticket, by its secret
    "events_public.ticket_qr",
    "events_public.ticket_cancel",
    "events_public.ticket_withdraw",
    "events_api.events",  # the scanner API: a device token, never a session (401)
    "events_api.event",
    "events_api.registrations",
    "events_api.checkins",
    "events_api.checkin_by_id",
}
# Public endpoints that open a record by a secret in the address: whoever holds the
# secret sees the record, so tenant A's data there is no leak.
BY_SECRET = {"booking.room_feed_private", "booking.tenant_feed", "events_public.ticket",
             "events_public.ticket_qr"}
# What an assessor (read-only) may post: signing out, its own password, public forms.
ASSESSOR_MAY_POST = PUBLIC | {"community.logout", "community.password",
                              "community.pack_request"}  # a pack of a granted period

# endpoint -> {role: answer}: the answer to GET, or to an empty POST for an endpoint
# that takes only POST. Refused roles posting to a GET-and-POST endpoint are
# refused alike; an assessor's post is refused (403) unless in ASSESSOR_MAY_POST.
EXPECTED = {
    #                                   anonymous member_a member_b staff assessor admin
    "static": EVERYONE,
    "community.login": answers(200, 302, 302, 302, 302, 302),  # signed in: home
    "community.logout": answers(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "community.password": LOGGED_IN,
    "community.set_language": answers(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),  # back to
    # the sign-in page when no `next` is given (and from there home when signed in)
    "community.dashboard": answers(LOGIN, 302, 302, 200, 200, 200),  # a founder: to its firm;
    # an assessor without a grant: a page saying none is granted
    "community.export": VIEW,  # an assessor only inside a granted period (none here)
    "community.evidence_gaps": EDIT,  # an assessor only inside a granted period (none here)
    "community.settings": ADMIN,
    "community.users": ADMIN,
    "community.user_new": ADMIN,
    "community.user_detail": ADMIN,
    "community.user_toggle": answers(LOGIN, 403, 403, 403, 403, 302),
    "community.audit_log": answers(LOGIN, 403, 403, 403, 200, 200),  # an assessor: its
    # periods' ledger records (here the page saying no period is granted)
    "community.period_locks": ADMIN,
    "community.corrections": answers(LOGIN, 200, 200, 200, 403, 200),  # anyone who writes
    "community.corrections_end": answers(LOGIN, 302, 302, 302, 403, 302),
    "community.assessor_list": ADMIN,
    "community.assessor_grant": answers(LOGIN, 403, 403, 403, 403, 302),  # empty: back
    "community.assessor_revoke": answers(LOGIN, 403, 403, 403, 403, 302),
    "community.zones": VIEW,
    "community.zone_detail": VIEW,
    "community.zone_edit": EDIT,
    "community.desks": VIEW,
    "community.desks_bulk": EDIT,
    "community.desk_detail": VIEW,  # its POST (assign) needs "edit"
    "community.desk_status": EDIT_POST,
    "community.assignment_end": EDIT_POST,
    "community.tenants": VIEW,
    "community.tenant_detail": answers(LOGIN, 200, 403, 200, 403, 200),
    "community.tenant_edit": EDIT,
    "community.tenant_import": EDIT,
    "community.tenant_import_template": EDIT,
    "community.member_add": EDIT_POST,
    "community.file_upload": EDIT_POST,
    "community.file_withdraw": EDIT_POST,  # an empty post: no reason, nothing withdrawn
    "community.file_replace": EDIT_POST,
    "community.file_download": answers(LOGIN, 200, 403, 200, 403, 200),  # tenant A's file
    "community.milestone_save": answers(LOGIN, 403, 403, 403, 403, 302),  # admin; empty: back
    "community.report": answers(LOGIN, 403, 403, 200, 403, 200),  # an assessor: inside a grant
    "community.report_pdf": answers(LOGIN, 403, 403, 200, 403, 200),
    "booking.rooms": BOOK,
    "booking.room_day": BOOK,
    "booking.room_week": BOOK,
    "booking.book": answers(LOGIN, 422, 422, 422, 403, 422),  # the day again, with why
    "booking.my_bookings": BOOK,  # a member sees its own tenant's bookings only
    "booking.booking_ics": answers(LOGIN, 200, 403, 200, 403, 200),  # tenant A's booking
    "booking.cancel": answers(LOGIN, 302, 403, 302, 403, 302),
    "booking.checkin": answers(LOGIN, 302, 403, 302, 403, 302),
    "booking.decide": EDIT_POST,
    "booking.calendar": VIEW,
    "booking.feeds": BOOK,
    "booking.room_feed": EVERYONE,
    "booking.room_feed_private": EVERYONE,
    "booking.tenant_feed": EVERYONE,
    "booking.door": BOOK,  # a member sees its own tenant's booking at the door only
    "booking.door_qr": EDIT,
    "booking.room_settings": EDIT,
    "booking.blackout_add": EDIT_POST,
    "events.index": VIEW,
    "events.detail": VIEW,
    "events.stats": VIEW,
    "events.edit": EDIT,
    "events.publish": EDIT_POST,
    "events.cancel": EDIT_POST,
    "events.held": EDIT_POST,
    "events.summary": EDIT_POST,
    "events.upload": EDIT_POST,
    "events.registration_cancel": EDIT_POST,
    "events.tenant_link": EDIT,
    "events.tenant_link_save": EDIT_POST,  # no tenant chosen: back with a message
    "events.tenant_unlink": EDIT_POST,
    "community.holidays": VIEW,
    "community.holiday_add": answers(LOGIN, 403, 403, 200, 403, 200),  # empty form: page again
    "community.holiday_import": EDIT_POST,
    "community.holiday_remove": EDIT_POST,
    "events.door": EDIT,
    "events.door_scan": EDIT_POST,
    "events.door_checkin": EDIT_POST,
    "events.door_walk_in": answers(LOGIN, 403, 403, 422, 403, 422),  # the form again
    "events.screen": EDIT,
    "events.venue_png": EDIT,
    "events.sheet": EDIT,
    "events.paper": EDIT,
    "events.paper_walk_in": EDIT_POST,
    "events.devices": EDIT,
    "events.device_revoke": EDIT_POST,
    "events_public.event_page": EVERYONE,
    "events_public.event_ics_file": EVERYONE,
    "events_public.here": EVERYONE,
    "events_public.here_submit": answers(410, 410, 410, 410, 410, 410),  # no door pass
    "events_public.ticket": EVERYONE,
    "events_public.ticket_qr": EVERYONE,
    "events_public.ticket_cancel": answers(302, 302, 302, 302, 302, 302),
    "events_public.ticket_withdraw": answers(302, 302, 302, 302, 302, 302),
    "events_api.events": SCANNER,
    "events_api.event": SCANNER,
    "events_api.registrations": SCANNER,
    "events_api.checkins": answers(401, 401, 401, 401, 401, 401, device=400),  # no code
    "events_api.checkin_by_id": SCANNER,
    "services.queue": VIEW,
    "services.request_detail": answers(LOGIN, 200, 403, 200, 403, 200),  # tenant A's request
    "services.request_new": answers(LOGIN, 200, 200, 200, 403, 200),  # a member: its own firm
    "services.request_assign": EDIT_POST,
    "services.request_start": EDIT_POST,
    "services.request_complete": EDIT_POST,
    "services.request_cancel": answers(LOGIN, 302, 403, 302, 403, 302),  # A's, not taken up
    "services.request_confirm": answers(LOGIN, 302, 403, 403, 403, 403),  # the firm rates
    "services.log_delivered": EDIT_POST,
    "services.mine": answers(LOGIN, 200, 200, 403, 403, 403),
    "services.grants": VIEW,
    "services.grant_void": EDIT_POST,
    "services.quotas": VIEW,
    "services.tenant_quotas": answers(LOGIN, 200, 403, 200, 403, 200),
    "services.catalogue_index": VIEW,
    "services.category_edit": ADMIN,
    "services.providers": VIEW,
    "services.provider_edit": EDIT,
    "services.provider_detail": VIEW,
    "services.bills": VIEW,
    "services.bill": VIEW,
    "services.bill_template": EDIT,
    "services.financing": VIEW,
    "services.finance_product": EDIT,
    "services.financing_need_add": answers(LOGIN, 302, 302, 302, 403, 302),  # a member: its own
    "services.financing_need": EDIT,
    "services.financing_need_close": EDIT_POST,
    "services.financing_meeting_add": EDIT_POST,
    "services.financing_meeting": VIEW,
    "services.financing_meeting_outcome": EDIT_POST,
    "services.financing_meeting_void": EDIT_POST,
    "services.financing_residency": EDIT_POST,
    "services.financing_mine": answers(LOGIN, 200, 200, 403, 403, 403),
    "services.amenities": answers(LOGIN, 200, 200, 200, 403, 200),  # members: what is listed now
    "services.amenity_edit": EDIT,
    "services.amenity_withdraw": EDIT_POST,
    "scenarios.board": VIEW,
    "scenarios.published": answers(LOGIN, 200, 200, 403, 403, 403),  # founders: published only
    "scenarios.detail": VIEW,
    "scenarios.edit": EDIT,
    "scenarios.activities": VIEW,
    "scenarios.activity_edit": EDIT,
    "scenarios.move": EDIT_POST,
    "scenarios.match": EDIT_POST,
    "scenarios.withdraw": EDIT_POST,
    "scenarios.interest": answers(LOGIN, 302, 302, 403, 403, 403),  # a founder, for its firm
    "community.packs": answers(LOGIN, 403, 403, 200, 200, 200),  # an assessor: its periods' packs
    "community.pack_request": answers(LOGIN, 403, 403, 422, 403, 422),  # empty: the form again;
    # an assessor without a grant may not ask for any
    "community.pack": answers(LOGIN, 403, 403, 200, 403, 200),  # a period granted to no one
    "community.pack_download": answers(LOGIN, 403, 403, 200, 403, 200),
}
# A record's evidence page asks what its files' download asks (tenant A's firm).
EXPECTED["community.evidence_files"] = EXPECTED["community.file_download"]


# --- tenant A's world ----------------------------------------------------------------

TENANT_A = "甲方隐私科技有限公司"
MEMBER_A = "甲方成员王五"
MOBILE_A = "13912345678"
PURPOSE_A = "甲方私密路演彩排"
ATTENDEE_A = "甲方报名人赵六"
FILE_A = "甲方营业执照.png"
SERVICE_A = "甲方未公开的专利方案"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@dataclass
class World:
    users: dict  # role -> User (anonymous and the device have none)
    token: str  # the scanner device's bearer token
    args: dict  # path argument -> value, for every endpoint
    overrides: dict  # (endpoint, argument) -> value, where one name means several things
    secrets: list  # tenant A's data no one else may see


def build_world(app):
    """Tenant A with a member account, a desk, a booking, an evidence file, a calendar
    feed and an attendee at an event; tenant B with its member; staff, an assessor,
    an admin and a scanner device."""
    now, tz = utcnow(), community_zone(db.session)
    tenant_a = make_tenant_row(name=TENANT_A)
    tenant_b = make_tenant_row(name="乙方另一科技有限公司")
    member = rules.add_member(db.session, None, tenant_a, MEMBER_A, MOBILE_A)
    users = {}
    for role, kind, tenant in (("member_a", "member", tenant_a), ("member_b", "member", tenant_b),
                               ("staff", "staff", None), ("assessor", "assessor", None),
                               ("admin", "admin", None)):
        users[role] = User(username=f"matrix-{role}", name=f"{role} user", role=kind,
                           tenant_id=tenant.id if tenant else None)
        users[role].set_password(PASSWORD)
        db.session.add(users[role])
    desk_zone = rules.save_zone(db.session, None, zone_data())
    desk = rules.bulk_create_desks(db.session, None, desk_zone, "MX", 1, 1, True,
                                   desk_zone.in_service_on)[0]
    db.session.flush()
    assignment = rules.assign_desk(db.session, None, desk, member, desk_zone.in_service_on)
    room_zone = rules.save_zone(db.session, None, zone_data(kind="meeting_room", bookable=True,
                                                            area_m2="60"))
    room = Room(zone=room_zone, opening_hours={str(d): ["08:00", "20:00"] for d in range(7)},
                open_on_holidays=True, quota_hours_per_week=0)
    db.session.add(room)
    db.session.flush()
    starts_at = datetime.combine(now.astimezone(tz).date() + timedelta(days=3), time(10), tz)
    booking = booking_rules.create_booking(
        db.session, users["member_a"], room, tenant_a.id, starts_at,
        starts_at + timedelta(hours=1), PURPOSE_A, now, tz)
    feed = TenantFeed(tenant_id=tenant_a.id)
    db.session.add(feed)
    attachment = save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], "tenant",
                                 tenant_a.id, FILE_A, PNG)
    event = event_rules.save_event(db.session, None, event_data(
        starts_at=now + timedelta(days=2)), now)
    event_rules.publish_event(db.session, None, event, now)
    registration, _ = event_rules.register(db.session, event, person(
        name=ATTENDEE_A, mobile=MOBILE_A, organisation=TENANT_A), now)
    device, token = checkin.create_device(db.session, None, "矩阵扫码枪", now)
    holiday = Holiday(day=date(starts_at.year, 10, 1), kind="off", name_zh="国庆节",
                      name_en="National Day", source="国务院办公厅通知")
    db.session.add(holiday)
    # The assessor's only grant was taken back: it reads no period here.
    revoked = AssessorGrant(user_id=users["assessor"].id, start_on=date(2000, 1, 1),
                            end_on=date(2000, 12, 31), revoked_at=now)
    db.session.add(revoked)
    service = _services(db.session, now, tenant_a, users["member_a"])
    service["pack_id"] = _finished_pack(app, users["staff"])
    db.session.commit()
    event_id = event.id
    args = {"tenant_id": tenant_a.id, "zone_id": desk_zone.id, "desk_id": desk.id,
            "assignment_id": assignment.id, "user_id": users["member_a"].id,
            "attachment_id": attachment.id, "owner_type": "tenant", "owner_id": tenant_a.id,
            "room_id": room.id, "booking_id": booking.id, "event_id": event_id,
            "registration_id": registration.id, "device_id": device.id,
            "secret": registration.secret, "kind": "photo", "filename": "css/app.css",
            "holiday_id": holiday.id, "year": holiday.day.year,
            "assessor_grant_id": revoked.id} | service
    overrides = {
        ("booking.door", "token"): room.door_token,
        ("booking.room_feed_private", "token"): room.feed_token,
        ("booking.tenant_feed", "token"): feed.token,
        ("community.set_language", "code"): "zh",
        # the venue screen's code changes every minute: made when asked for
        ("events_public.here", "code"): lambda: checkin.venue_code(venue_key(), event_id,
                                                                   utcnow()),
    }
    secrets = [TENANT_A, MEMBER_A, MOBILE_A, PURPOSE_A, ATTENDEE_A, FILE_A, SERVICE_A, feed.token,
               room.feed_token, registration.secret, token]
    return World(users, token, args, overrides, secrets)


def _services(session, now, tenant_a, member_a):
    """Tenant A's service request, a grant within its quota; a provider and its bill."""
    patent = service_catalogue.category(session, "patent")
    compute = service_catalogue.category(session, "compute")
    provider = service_catalogue.save_provider(session, None, {
        "name": "矩阵专利代理所", "kind": "patent_agency", "uscc": valid_uscc(),
        "categories": [patent.id, compute.id], "active": True})
    request = service_rules.request_service(session, member_a, tenant_a, patent, SERVICE_A, now)
    day = now.astimezone(community_zone(session)).date()
    subsidies.set_quota(session, None, tenant_a, day.year, compute, "quantity", 100)
    grant = subsidies.record_grant(session, None, tenant_a, compute, {
        "quantity": 10, "granted_on": day, "provider_id": provider.id}, day)
    bill = Bill(provider_id=provider.id, starts_on=day, ends_on=day, filename="账单.xlsx",
                sha256="0" * 64)
    session.add(bill)
    investor = service_catalogue.save_provider(session, None, {
        "name": "矩阵创投", "kind": "investor", "uscc": valid_uscc(), "active": True})
    product = financing_rules.save_product(session, None, {
        "name": "矩阵科创贷", "scale_wan": 1000, "formation": "own", "starts_on": day})
    need = financing_rules.save_need(session, None, tenant_a, {
        "amount_wan": 100, "stage": "seed", "purpose": SERVICE_A, "raised_on": day}, day)
    meeting = financing_rules.record_meeting(session, None, {
        "tenant": tenant_a, "provider": investor, "need": need, "met_on": day,
        "note": SERVICE_A}, day)
    amenity = financing_rules.save_amenity(session, None, {
        "name": "矩阵人才公寓", "kind": "apartment", "listed_on": day})
    activity = scenario_rules.save_activity(session, None, {
        "kind": "visit", "held_on": day, "staff": "矩阵员工", "counterpart": "矩阵医院"}, day)
    scenario = scenario_rules.save_scenario(session, None, {
        "title": "矩阵影像场景", "owner_name": "矩阵医院", "owner_type": "hospital_school",
        "source": "community", "discovered_on": day, "activity_id": activity.id}, day)
    scenario_rules.move(session, None, scenario, "published", day, "", day)
    match = scenario_rules.confirm_match(session, None, scenario, tenant_a, "", day)
    session.flush()
    return {"request_id": request.id, "provider_id": provider.id, "category_id": patent.id,
            "grant_id": grant.id, "bill_id": bill.id, "product_id": product.id,
            "need_id": need.id, "meeting_id": meeting.id, "amenity_id": amenity.id,
            "scenario_id": scenario.id, "match_id": match.id, "activity_id": activity.id}


def _finished_pack(app, staff):
    """A report pack that was built (a small zip in the pack folder); returns its id."""
    import os

    from community.models import ReportPack
    os.makedirs(app.config["PACK_FOLDER"], exist_ok=True)
    with open(os.path.join(app.config["PACK_FOLDER"], "matrix.zip"), "wb") as fh:
        fh.write(b"PK\x05\x06" + b"\0" * 18)  # an empty zip
    pack = ReportPack(kind="annual", start_on=date(2026, 1, 1), end_on=date(2026, 12, 31),
                      status="done", stored_name="matrix.zip", size=22, sha256="0" * 64,
                      requested_by=staff, finished_at=utcnow())
    db.session.add(pack)
    db.session.flush()
    return pack.id


def unknown_arguments(rule, world):
    return [name for name in sorted(rule.arguments)
            if (rule.endpoint, name) not in world.overrides and name not in world.args]


def path_for(app, rule, world):
    """This rule's address, filled with tenant A's objects."""
    values = {}
    for name in rule.arguments:
        value = world.overrides.get((rule.endpoint, name), world.args.get(name))
        values[name] = value() if callable(value) else value
    urls = app.url_map.bind("localhost")
    path = urls.build(rule.endpoint, values)
    method = "GET" if "GET" in rule.methods else "POST"
    assert urls.match(path, method=method, return_rule=True)[0] is rule, path
    return path


def sign_in(client, user):
    """Sign the client in as the user (or out, for None) without the login form."""
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    # Requests share the fixture's app context: forget the user Flask-Login cached.
    g.pop("_login_user", None)


def answer_of(response):
    if response.status_code == 302 and urlsplit(response.location).path == "/login":
        return LOGIN
    return response.status_code


def refused(answer, role):
    return answer in REFUSED or (answer == LOGIN and role in ("anonymous", "device"))


def fingerprint():
    """How many rows each table holds (the audit trail included): a refused post
    must leave every count as it was."""
    counts = {t.name: db.session.scalar(select(func.count()).select_from(t))
              for t in db.metadata.sorted_tables}
    db.session.rollback()  # end the read before the next request begins its own
    return counts


def post_answer(rule, role):
    """What a post to a GET-and-POST endpoint answers, where the table implies it:
    refused like the page, or refused because an assessor only reads."""
    answer = EXPECTED[rule.endpoint][role]
    if refused(answer, role):
        return answer
    if role == "assessor" and rule.endpoint not in ASSESSOR_MAY_POST:
        return 403
    return None  # allowed: the package's own view tests post real forms


# --- the tests -------------------------------------------------------------------------

@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False}  # every role posts to the rate-limited forms


def test_every_endpoint_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(EXPECTED))
    assert not missing, (
        f"new endpoints {missing}: add each to EXPECTED in tests/test_routes.py with the "
        f"answer every role should get (and to PUBLIC if anyone may open it)")
    stale = sorted(set(EXPECTED) - endpoints)
    assert not stale, f"EXPECTED names endpoints that no longer exist: {stale}"


def test_every_path_argument_can_be_filled(app):
    world = build_world(app)
    unknown = {f"{rule.endpoint} {rule.rule}": unknown_arguments(rule, world)
               for rule in app.url_map.iter_rules() if unknown_arguments(rule, world)}
    assert not unknown, (f"no value for these path arguments: {unknown}; give tenant A's "
                         f"object in build_world (in args, or in overrides where a name "
                         f"means different things to different endpoints)")


def test_public_endpoints_are_pinned(app):
    public = {"static"} | {endpoint for endpoint, view in app.view_functions.items()
                           if getattr(view, "public", False)}
    assert sorted(public - PUBLIC) == [], "newly public: add to PUBLIC only if meant, saying why"
    assert sorted(PUBLIC - public) == [], "no longer public: take out of PUBLIC"


def test_the_table_keeps_its_own_rules(app):
    """Every row answers every role; only public endpoints let anonymous in; an
    assessor's post is refused unless it may post; nothing is expected to fail."""
    post_only = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" not in rule.methods}
    for endpoint, row in EXPECTED.items():
        assert set(row) == set(ROLES), endpoint
        assert all(a == LOGIN or a < 500 for a in row.values()), endpoint
        if endpoint not in PUBLIC:
            assert row["anonymous"] == row["device"] == LOGIN, endpoint
        if endpoint in post_only and endpoint not in ASSESSOR_MAY_POST:
            assert row["assessor"] == 403, endpoint


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(app, client, role):
    world = build_world(app)
    sign_in(client, world.users.get(role))
    headers = {"Authorization": f"Bearer {world.token}"} if role == "device" else {}
    gets, posts = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if rule.endpoint not in EXPECTED or unknown_arguments(rule, world):
            continue  # the two tests above name it
        expected = EXPECTED[rule.endpoint][role]
        if "GET" not in rule.methods:
            posts.append((rule, expected))
        else:
            gets.append((rule, expected))
            if "POST" in rule.methods and post_answer(rule, role) is not None:
                posts.append((rule, post_answer(rule, role)))
    posts.sort(key=lambda p: p[0].endpoint == "community.logout")  # signing out comes last

    wrong, leaks = [], []

    def ask(method, rule, expected):
        path = path_for(app, rule, world)
        before = fingerprint() if method == "POST" and refused(expected, role) else None
        try:
            response = client.open(path, method=method, headers=headers)
        except Exception as exc:  # noqa: BLE001 - a crash is a finding, the walk goes on
            wrong.append(f"{method} {path} ({rule.endpoint}): raised {exc!r}")
            return
        got, body = answer_of(response), response.get_data()
        response.close()
        if got != expected:
            wrong.append(f"{method} {path} ({rule.endpoint}): {got}, expected {expected}")
        elif before is not None and fingerprint() != before:
            wrong.append(f"{method} {path} ({rule.endpoint}): refused, yet data changed")
        if got == 200 and role in ("anonymous", "member_b", "device") \
                and rule.endpoint not in BY_SECRET:
            seen = [s for s in world.secrets if s.encode() in body]
            if seen:
                leaks.append(f"{method} {path} ({rule.endpoint}) shows tenant A's {seen}")

    for rule, expected in gets:
        ask("GET", rule, expected)
    for rule, expected in posts:
        ask("POST", rule, expected)
    assert not wrong and not leaks, "\n".join(
        [f"{role}: answers differ from the table:"] + wrong + leaks)
