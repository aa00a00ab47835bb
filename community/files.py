"""Evidence files on any record: checked by content, hashed, stored under random names.

A file is never deleted: it is withdrawn, or replaced by a newer one, with a reason;
the old file stays stored, downloadable by whoever may see its record, and marked."""
import hashlib
import os
import secrets

import filetype
from sqlalchemy import select

from community import audit
from community.dbsetup import utcnow
from community.models import Attachment
from community.permissions import can, member_of
from community.refusals import Invalid, Refused
from community.registry import registry

# Extension -> the extensions whose content may stand behind it.
ALLOWED = {
    "jpg": {"jpg"}, "jpeg": {"jpg"}, "png": {"png"}, "gif": {"gif"}, "webp": {"webp"},
    "heic": {"heic"}, "pdf": {"pdf"}, "doc": {"doc"}, "xls": {"xls"}, "ppt": {"ppt"},
    "docx": {"docx"}, "xlsx": {"xlsx"}, "pptx": {"pptx"},
}
MAX_FILE_SIZE = 20 * 1024 * 1024
REASON_MAX = 300



def can_view_attachment(user, attachment, session=None):
    """Whether the record the file belongs to lets the user read it (the owner
    type's check, declared by its package through the registry). An assessor reads
    the evidence files of ledger records while it holds a granted period (the
    download is written to the trail: community.views.admin.file_download)."""
    check = registry().attachment_owners.get(attachment.owner_type)
    if check is None:
        return False
    from community.permissions import can
    if can(user, "assess"):
        from community.assessors import active_grants
        from community.extensions import db
        return bool(active_grants(session or db.session, user))
    return bool(check(user, attachment.owner_id))


def download_name(attachment):
    """The name a file downloads under: a withdrawn or replaced one says so in front, so
    a copy passed on is never mistaken for current evidence."""
    if attachment.withdrawn_at is None:
        return attachment.filename
    return ("已替换-" if attachment.replaced_by_id else "已撤回-") + attachment.filename


def sniff(filename, data):
    """(the name's extension, what the bytes are: a filetype kind or None) of an
    upload that is neither empty nor too large (else Refused)."""
    if not data:
        raise Refused("upload_empty")
    if len(data) > MAX_FILE_SIZE:
        raise Refused("upload_too_large")
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return ext, filetype.guess(data)


def check_content(filename, data):
    """The stored MIME type if the bytes are what the name says, else Refused."""
    ext, kind = sniff(filename, data)
    if ext not in ALLOWED or kind is None or kind.extension not in ALLOWED[ext]:
        raise Refused("upload_type")
    return kind.mime


def save_attachment(session, actor, folder, owner_type, owner_id, filename, data):
    """Check and store an uploaded file for a record; return the Attachment."""
    if owner_type not in registry().attachment_owners:
        raise Refused("upload_type")
    mime = check_content(filename, data)
    stored = secrets.token_hex(16)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, stored), "wb") as fh:
        fh.write(data)
    attachment = Attachment(owner_type=owner_type, owner_id=owner_id,
                            filename=os.path.basename(filename)[:255] or "file",
                            stored_name=stored, content_type=mime, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(),
                            uploaded_by_id=getattr(actor, "id", None))
    session.add(attachment)
    audit.record(session, actor, "attachment.created", attachment)
    return attachment


def _reason(reason):
    """The stated reason, stripped; Invalid when missing or longer than the column."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": "evidence_reason_required"})
    if len(reason) > REASON_MAX:
        raise Invalid({"reason": "too_long"})
    return reason


def _retire(session, actor, attachment, reason, action, replaced_by=None):
    if attachment.withdrawn_at is not None:
        raise Refused("evidence_already_withdrawn")
    before = audit.snapshot(attachment)
    attachment.withdrawn_at = utcnow()
    attachment.withdrawn_by_id = getattr(actor, "id", None)
    attachment.withdraw_reason = reason
    attachment.replaced_by_id = replaced_by.id if replaced_by is not None else None
    audit.record(session, actor, action, attachment, before=before, note=reason)


def withdraw_attachment(session, actor, attachment, reason):
    """Withdraw a file with a reason: it stays stored and listed, struck through, and
    no longer counts as its record's evidence."""
    reason = _reason(reason)
    _retire(session, actor, attachment, reason, "attachment.withdrawn")
    return attachment


def replace_attachment(session, actor, folder, old, filename, data, reason):
    """Put a new file in place of `old` with a reason; `old` is kept, marked replaced.
    The new file is checked like any upload; a refusal changes nothing."""
    reason = _reason(reason)
    if old.withdrawn_at is not None:
        raise Refused("evidence_already_withdrawn")
    new = save_attachment(session, actor, folder, old.owner_type, old.owner_id, filename, data)
    session.flush()
    _retire(session, actor, old, reason, "attachment.replaced", replaced_by=new)
    return new


def attachments_of(session, owner_type, owner_id):
    """A record's files, withdrawn ones included (shown struck through, with why)."""
    return session.scalars(select(Attachment).where(
        Attachment.owner_type == owner_type, Attachment.owner_id == owner_id)
        .order_by(Attachment.uploaded_at)).all()


def active_attachments(session, owner_type, owner_ids):
    """{owner id: [its files not withdrawn, oldest first]} for many records in one query
    (the ledger sheets' 证明材料 column, the report pack). `owner_type` may be a tuple of
    types whose records share their ids (an event's notices and photos)."""
    types = (owner_type,) if isinstance(owner_type, str) else tuple(owner_type)
    ids = {i for i in owner_ids if i is not None}
    if not ids:
        return {}
    query = select(Attachment).where(Attachment.owner_type.in_(types),
                                     Attachment.withdrawn_at.is_(None))
    if len(ids) <= 500:  # a long sheet reads its types' files whole: still one query
        query = query.where(Attachment.owner_id.in_(sorted(ids)))
    found = {}
    for attachment in session.scalars(query.order_by(Attachment.uploaded_at, Attachment.id)):
        if attachment.owner_id in ids:
            found.setdefault(attachment.owner_id, []).append(attachment)
    return found


def evidence_text(attachments):
    """A ledger cell listing files, one a line: "文件名 SHA-256"."""
    return "\n".join(f"{a.filename} {a.sha256}" for a in attachments) or None


def tenant_record(model, permission="view"):
    """can_view for the files of a record that belongs to a firm (a booking, a grant, a
    desk assignment): roles granted `permission`, and that firm's own members."""
    def can_view(user, owner_id):
        if can(user, permission):
            return True
        from community.extensions import db
        tenant_id = db.session.scalar(select(model.tenant_id).where(model.id == owner_id))
        return member_of(user, tenant_id)
    return can_view
