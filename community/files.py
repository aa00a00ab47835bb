"""Evidence files on any record: checked by content, hashed, stored under random names."""
import hashlib
import os
import secrets

import filetype
from sqlalchemy import select

from community import audit
from community.models import Attachment
from community.refusals import Refused
from community.registry import registry

# Extension -> the extensions whose content may stand behind it.
ALLOWED = {
    "jpg": {"jpg"}, "jpeg": {"jpg"}, "png": {"png"}, "gif": {"gif"}, "webp": {"webp"},
    "heic": {"heic"}, "pdf": {"pdf"}, "doc": {"doc"}, "xls": {"xls"}, "ppt": {"ppt"},
    "docx": {"docx"}, "xlsx": {"xlsx"}, "pptx": {"pptx"},
}
MAX_FILE_SIZE = 20 * 1024 * 1024



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


def attachments_of(session, owner_type, owner_id):
    """A record's files, withdrawn ones included (shown struck through, with why)."""
    return session.scalars(select(Attachment).where(
        Attachment.owner_type == owner_type, Attachment.owner_id == owner_id)
        .order_by(Attachment.uploaded_at)).all()


def active_attachments(session, owner_type, owner_ids):
    """{owner id: [its files not withdrawn, oldest first]} for many records in one query
    (the ledger sheets' 证明材料 column, the report pack)."""
    found = {}
    ids = list(owner_ids)
    for start in range(0, len(ids), 500):
        for attachment in session.scalars(select(Attachment).where(
                Attachment.owner_type == owner_type,
                Attachment.owner_id.in_(ids[start:start + 500]),
                Attachment.withdrawn_at.is_(None)).order_by(Attachment.uploaded_at,
                                                             Attachment.id)):
            found.setdefault(attachment.owner_id, []).append(attachment)
    return found
