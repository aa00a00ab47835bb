"""Evidence files: one record's files on a page of their own (for records shown only in
lists: a booking, a grant, a meeting), and withdrawing or replacing one with a reason
(upload and download are in admin.py). Changes: editors only, on records they may see."""
from flask import abort, current_app, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from community.extensions import db
from community.files import (attachments_of, can_view_attachment, replace_attachment,
                              withdraw_attachment)
from community.forms import ReplaceFileForm, WithdrawFileForm
from community.models import Attachment
from community.registry import registry
from community.views import bp
from community.web import local_referrer, requires, safe_next, submit


@bp.app_template_global()
def evidence_of(owner_type, owner_id):
    """A record's files for its page's evidence panel (templates/_evidence.html)."""
    return attachments_of(db.session, owner_type, owner_id)


@bp.route("/files/<owner_type>/<int:owner_id>", methods=["GET"])
def evidence_files(owner_type, owner_id):
    if owner_type not in registry().attachment_owners:
        abort(404)
    # The one check a download passes, asked of the record (a file not yet stored)
    if not can_view_attachment(current_user, Attachment(owner_type=owner_type,
                                                        owner_id=owner_id)):
        abort(403)
    back = request.args.get("next")
    return render_template(
        "community/evidence_files.html", owner_type=owner_type, owner_id=owner_id,
        record=registry().audit_words["objects"].get(owner_type),
        files=attachments_of(db.session, owner_type, owner_id),
        back=safe_next(back) if back else local_referrer())


def _editable(attachment_id):
    attachment = db.get_or_404(Attachment, attachment_id)
    if not can_view_attachment(current_user, attachment):
        abort(403)
    return attachment


@bp.route("/files/<int:attachment_id>/withdraw", methods=["POST"])
@requires("edit")
def file_withdraw(attachment_id):
    attachment = _editable(attachment_id)
    form = WithdrawFileForm()
    submit(form, lambda: withdraw_attachment(db.session, current_user, attachment,
                                             form.reason.data),
           _("文件已撤回，仍保留在记录中。"), errors="flash")
    return redirect(safe_next(request.form.get("next")))


@bp.route("/files/<int:attachment_id>/replace", methods=["POST"])
@requires("edit")
def file_replace(attachment_id):
    attachment = _editable(attachment_id)
    form = ReplaceFileForm()
    submit(form, lambda: replace_attachment(
        db.session, current_user, current_app.config["UPLOAD_FOLDER"], attachment,
        form.file.data.filename or "", form.file.data.read(), form.reason.data),
        _("文件已替换，原文件仍保留在记录中。"), errors="flash")
    return redirect(safe_next(request.form.get("next")))
