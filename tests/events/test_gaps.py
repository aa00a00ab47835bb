"""E1's evidence gaps: a held event without notice, sign-in or photos is one gap, named
with what it lacks, until its files are filed; E1's 缺证据记录 counts the same."""
from datetime import date

from community.dbsetup import utcnow
from community.extensions import db
from community.files import save_attachment
from community.periods import Period
from community.registry import evaluate, registry
from events import checkin
from events.gaps import event_gaps
from events.rules import mark_held

H1 = Period(date(2026, 1, 1), date(2026, 6, 30), date(2026, 6, 30))
H2 = Period(date(2026, 7, 1), date(2026, 12, 31), date(2026, 12, 31))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"


def e1_lacking(period):
    return {r.code: r for r in evaluate(db.session, registry(), {}, period)}["E1"].lacking


def file(app, kind, event, name, data):
    attachment = save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], kind, event.id,
                                 name, data)
    db.session.commit()
    return attachment


def test_a_held_event_lacks_its_notice_sign_in_and_photos_until_they_are_filed(
        app, make_event, make_registration):
    bare = make_event(title="无材料的培训", notice_text="")
    mark_held(db.session, None, bare, bare.ends_at, "")
    signed = make_event(title="已签到的沙龙")
    r = make_registration(signed)
    checkin.check_in(db.session, signed.id, secret=r.secret, method="scanner",
                     now=signed.starts_at)
    mark_held(db.session, None, signed, signed.ends_at, "")
    make_event(title="未举办", notice_text="")  # published, never held: not an E1 row
    db.session.commit()

    gaps = event_gaps(db.session, H1)
    assert [(g.sheet, g.record, g.lacks, g.endpoint, g.args) for g in gaps] == [
        ("活动台账", "无材料的培训（2026-06-08）", "活动通知、签到记录、现场照片",
         "events.detail", {"event_id": bare.id}),
        ("活动台账", "已签到的沙龙（2026-06-08）", "现场照片", "events.detail",
         {"event_id": signed.id})]
    assert e1_lacking(H1) == 2
    assert event_gaps(db.session, H2) == [] and not e1_lacking(H2)  # another half year

    file(app, "event_notice", bare, "通知.pdf", PDF)
    file(app, "event_photo", bare, "现场.jpg", JPEG)
    photo = file(app, "event_photo", signed, "合影.jpg", JPEG)
    assert [(g.record, g.lacks) for g in event_gaps(db.session, H1)] == [
        ("无材料的培训（2026-06-08）", "签到记录")]
    assert e1_lacking(H1) == 1

    # A withdrawn photo evidences nothing: the gap comes back.
    photo.withdrawn_at, photo.withdraw_reason = utcnow(), "拍错了活动"
    db.session.commit()
    assert [(g.record, g.lacks) for g in event_gaps(db.session, H1)] == [
        ("无材料的培训（2026-06-08）", "签到记录"), ("已签到的沙龙（2026-06-08）", "现场照片")]
    assert e1_lacking(H1) == 2
