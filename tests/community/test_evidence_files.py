"""Evidence files are replaced or withdrawn with a reason, never deleted; a withdrawn
file still downloads, marked; every ledger sheet lists its rows' files in force with
their SHA-256."""
import hashlib
import io
import os
from datetime import date
from urllib.parse import quote

import pandas as pd
import pytest
from sqlalchemy import func, select

from community import rules
from community.export import EVIDENCE_TITLE, sheet_frame, write_workbook
from community.extensions import db
from community.files import replace_attachment, save_attachment, withdraw_attachment
from community.models import Attachment, AuditEntry
from community.periods import Period
from community.refusals import Invalid, Refused
from community.registry import registry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF2 = b"%PDF-1.4\n2 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 31))


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def actions():
    return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


@pytest.fixture
def filed(app, make_zone):
    """A zone with one file, uploaded by nobody (a command)."""
    zone = make_zone()
    attachment = save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], "zone",
                                 zone.id, "产权证明.pdf", PDF)
    db.session.commit()
    return zone, attachment


# --- the rules --------------------------------------------------------------------------

def test_withdrawing_keeps_the_file_and_says_why(app, filed):
    zone, attachment = filed
    withdraw_attachment(db.session, None, attachment, "  上传错了区域  ")
    db.session.commit()
    assert attachment.withdrawn_at is not None and attachment.withdraw_reason == "上传错了区域"
    assert count(Attachment) == 1
    assert os.path.exists(os.path.join(app.config["UPLOAD_FOLDER"], attachment.stored_name))
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "attachment.withdrawn")).one()
    assert entry.note == "上传错了区域" and entry.before["withdrawn_at"] is None


@pytest.mark.parametrize("reason", ["", "   ", None, "长" * 301])
def test_a_withdrawal_without_a_reason_is_refused_and_changes_nothing(app, filed, reason):
    _zone, attachment = filed
    before = actions()
    with pytest.raises(Invalid) as refused:
        withdraw_attachment(db.session, None, attachment, reason)
    db.session.rollback()
    assert refused.value.errors == {"reason": "evidence_reason_required" if not (reason or "")
                                    .strip() else "too_long"}
    assert db.session.get(Attachment, attachment.id).withdrawn_at is None
    assert actions() == before


def test_replacing_keeps_the_old_file_linked_to_the_new(app, filed):
    zone, old = filed
    new = replace_attachment(db.session, None, app.config["UPLOAD_FOLDER"], old,
                             "产权证明（盖章版）.pdf", PDF2, "换成盖章版")
    db.session.commit()
    assert (new.owner_type, new.owner_id) == ("zone", zone.id)
    assert old.replaced_by_id == new.id and old.withdraw_reason == "换成盖章版"
    assert new.sha256 == hashlib.sha256(PDF2).hexdigest() and new.withdrawn_at is None
    assert count(Attachment) == 2
    assert actions()[-2:] == ["attachment.created", "attachment.replaced"]


def test_a_replacement_without_reason_or_with_wrong_content_changes_nothing(app, filed):
    _zone, old = filed
    before = actions()
    for name, data, reason, code in (("新.pdf", PDF2, "", "invalid"),
                                     ("新.pdf", b"MZ\x90\x00 not a pdf", "换新", "upload_type")):
        with pytest.raises(Refused) as refused:
            replace_attachment(db.session, None, app.config["UPLOAD_FOLDER"], old, name, data,
                               reason)
        db.session.rollback()
        assert refused.value.code == code
    assert count(Attachment) == 1 and db.session.get(Attachment, old.id).withdrawn_at is None
    assert actions() == before


def test_a_withdrawn_file_is_not_withdrawn_twice(app, filed):
    _zone, attachment = filed
    withdraw_attachment(db.session, None, attachment, "错传")
    with pytest.raises(Refused) as refused:
        withdraw_attachment(db.session, None, attachment, "再撤一次")
    assert refused.value.code == "evidence_already_withdrawn"
    with pytest.raises(Refused):
        replace_attachment(db.session, None, app.config["UPLOAD_FOLDER"], attachment,
                           "新.pdf", PDF2, "换新")


# --- the pages --------------------------------------------------------------------------

def test_staff_withdraw_from_the_page_and_the_file_still_downloads_marked(
        client, login, filed):
    zone, attachment = filed
    login("staff")
    page = f"/zones/{zone.id}"
    response = client.post(f"/files/{attachment.id}/withdraw",
                           data={"reason": "", "next": page}, follow_redirects=True)
    assert "撤回或替换证明材料须写明原因" in response.get_data(as_text=True)
    assert db.session.get(Attachment, attachment.id).withdrawn_at is None
    response = client.post(f"/files/{attachment.id}/withdraw",
                           data={"reason": "上传错了区域", "next": page})
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    text = client.get(page).get_data(as_text=True)
    assert "<s>产权证明.pdf</s>" in text and "上传错了区域" in text and "已撤回" in text
    assert attachment.sha256 in text  # the whole hash, to select and compare
    download = client.get(f"/files/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    assert quote("已撤回-产权证明.pdf") in download.headers["Content-Disposition"]
    download.close()


def test_staff_replace_from_the_page(client, login, filed):
    zone, attachment = filed
    login("staff")
    page = f"/zones/{zone.id}"
    client.post(f"/files/{attachment.id}/replace", data={
        "file": (io.BytesIO(PDF2), "产权证明（盖章版）.pdf"), "reason": "换成盖章版",
        "next": page})
    text = client.get(page).get_data(as_text=True)
    assert "<s>产权证明.pdf</s>" in text and "产权证明（盖章版）.pdf" in text
    assert "已替换" in text and hashlib.sha256(PDF2).hexdigest() in text
    response = client.post(f"/files/{attachment.id}/replace", data={
        "file": (io.BytesIO(PDF2), "再换.pdf"), "reason": "再换", "next": page},
        follow_redirects=True)
    assert "该文件已撤回或已被替换" in response.get_data(as_text=True)
    assert count(Attachment) == 2


def test_only_editors_withdraw_and_replace(client, login, filed, make_tenant):
    _zone, attachment = filed
    for role in ("member", "assessor"):
        login(role)
        assert client.post(f"/files/{attachment.id}/withdraw",
                           data={"reason": "不要了"}).status_code == 403
        assert client.post(f"/files/{attachment.id}/replace", data={
            "file": (io.BytesIO(PDF2), "新.pdf"), "reason": "换"}).status_code == 403
    assert db.session.get(Attachment, attachment.id).withdrawn_at is None
    login("staff")
    assert client.post("/files/999999/withdraw", data={"reason": "x"}).status_code == 404


def test_a_founder_sees_its_own_desk_files_but_cannot_withdraw_them(
        app, client, login, make_tenant, make_member, make_desks):
    tenant = make_tenant()
    desk = make_desks(1)[0]
    assignment = rules.assign_desk(db.session, None, desk, make_member(tenant),
                                   date(2026, 1, 1))
    db.session.flush()
    attachment = save_attachment(db.session, None, app.config["UPLOAD_FOLDER"],
                                 "desk_assignment", assignment.id, "工位使用协议.pdf", PDF)
    db.session.commit()
    login("member", tenant=make_tenant())
    assert client.get(f"/files/{attachment.id}").status_code == 403
    login("member", tenant=tenant)
    response = client.get(f"/files/{attachment.id}")
    assert response.status_code == 200
    response.close()
    assert client.post(f"/files/{attachment.id}/withdraw",
                       data={"reason": "x"}).status_code == 403


# --- the sheets -------------------------------------------------------------------------

def sheet(title):
    return next(s for s in registry().sheets if s.title == title)


def test_every_sheet_that_lists_records_declares_its_evidence(app):
    owners = registry().attachment_owners
    declared = {s.title: s.evidence for s in registry().sheets if s.evidence}
    assert {"场地台账", "工位台账", "入驻/服务企业台账", "预约台账", "活动台账", "专业服务台账",
            "公共服务台账", "服务资源清单", "投融资对接台账", "入驻金融机构", "场景台账"} <= set(declared)
    for evidence in declared.values():
        for owner in (evidence,) if isinstance(evidence, str) else evidence:
            assert owner in owners


def test_the_sheet_lists_files_in_force_with_their_sha256(app, filed, make_zone):
    zone, attachment = filed
    bare = make_zone()
    folder = app.config["UPLOAD_FOLDER"]
    kept = save_attachment(db.session, None, folder, "zone", zone.id, "=平面图.pdf", PDF2)
    withdraw_attachment(db.session, None, attachment, "错传")
    db.session.commit()
    frame = sheet_frame(db.session, sheet("场地台账"), YEAR)
    assert list(frame.columns)[-1] == EVIDENCE_TITLE
    cells = dict(zip(frame["区域名称"], frame[EVIDENCE_TITLE]))
    # the withdrawn file is left out; a name Excel would run as a formula is escaped
    assert cells[zone.name] == f"'=平面图.pdf {kept.sha256}"
    assert pd.isna(cells[bare.name])


def test_a_desk_row_lists_its_assignments_files(app, make_tenant, make_member, make_desks):
    desk, idle = make_desks(2)
    assignment = rules.assign_desk(db.session, None, desk, make_member(make_tenant()),
                                   date(2026, 1, 1))
    db.session.flush()
    folder = app.config["UPLOAD_FOLDER"]
    first = save_attachment(db.session, None, folder, "desk_assignment", assignment.id,
                            "工位使用协议.pdf", PDF)
    second = save_attachment(db.session, None, folder, "desk_assignment", assignment.id,
                             "零租金确认.pdf", PDF2)
    db.session.commit()
    frame = sheet_frame(db.session, sheet("工位台账"), YEAR)
    cells = dict(zip(frame["工位编号"], frame[EVIDENCE_TITLE]))
    assert cells[desk.code] == (f"工位使用协议.pdf {first.sha256}\n"
                                f"零租金确认.pdf {second.sha256}")
    assert pd.isna(cells[idle.code])


def test_a_withdrawn_licence_no_longer_counts_as_filed(app, make_tenant):
    tenant = make_tenant()
    licence = save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], "tenant_licence",
                              tenant.id, "营业执照.pdf", PDF)
    db.session.commit()
    frame = sheet_frame(db.session, sheet("入驻/服务企业台账"), YEAR)
    assert list(frame["营业执照已上传"]) == ["是"]
    assert frame[EVIDENCE_TITLE][0] == f"营业执照.pdf {licence.sha256}"
    withdraw_attachment(db.session, None, licence, "照片不清楚")
    db.session.commit()
    frame = sheet_frame(db.session, sheet("入驻/服务企业台账"), YEAR)
    assert list(frame["营业执照已上传"]) == ["否"] and pd.isna(frame[EVIDENCE_TITLE][0])


def test_a_file_name_with_a_control_character_still_exports(app, filed):
    """A browser may send a name carrying a control character; the workbook cannot hold
    one, so the exporter drops it instead of failing the whole workbook (and pack)."""
    zone, attachment = filed
    odd = save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], "zone", zone.id,
                          "平面\x1b图\x07.pdf", PDF2)
    db.session.commit()
    out = io.BytesIO()
    write_workbook(db.session, registry(), {}, YEAR, out)
    frame = pd.read_excel(io.BytesIO(out.getvalue()), sheet_name="场地台账")
    assert f"平面图.pdf {odd.sha256}" in frame[EVIDENCE_TITLE].iloc[0]
