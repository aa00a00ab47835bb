"""Assessor accounts and the periods they may read (admin), and the audit trail (an
admin reads all of it, an assessor the entries about ledger records of its periods)."""
from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community import assessors
from community.dbsetup import utcnow
from community.export import mask_person
from community.extensions import db
from community.forms import GrantForm, RevokeGrantForm
from community.models import AssessorGrant, AuditEntry, User
from community.permissions import can
from community.registry import registry
from community.settings import community_zone
from community.views import bp
from community.web import paginate, requires, submit

# Records whose names are people's: never named in the trail an assessor reads.
PERSONAL_TYPES = frozenset({"member", "user", "registration", "attendee"})
NAME_KEYS = ("name", "title", "code", "filename", "label")


@bp.route("/assessors")
@requires("admin")
def assessor_list():
    return render_template("community/assessors.html", rows=assessors.assessors(db.session),
                           form=GrantForm(), revoke=RevokeGrantForm())


@bp.route("/assessors/<int:user_id>/grants", methods=["POST"])
@requires("admin")
def assessor_grant(user_id):
    user = db.get_or_404(User, user_id)
    form = GrantForm()
    submit(form, lambda: assessors.grant(db.session, current_user, user, form.start_on.data,
                                         form.end_on.data, utcnow()),
           _("已授予评估期间。"), errors="flash")
    return redirect(url_for("community.assessor_list"))


@bp.route("/assessors/grants/<int:assessor_grant_id>/revoke", methods=["POST"])
@requires("admin")
def assessor_revoke(assessor_grant_id):
    row = db.get_or_404(AssessorGrant, assessor_grant_id)
    form = RevokeGrantForm()
    submit(form, lambda: assessors.revoke(db.session, current_user, row, form.note.data,
                                          utcnow()),
           _("已收回评估期间。"), errors="flash")
    return redirect(url_for("community.assessor_list"))


def record_name(entry, reader_is_assessor):
    """The record's own name from the entry's snapshot (a firm's name, an event's
    title), never a person's name for an assessor."""
    if reader_is_assessor and entry.object_type in PERSONAL_TYPES:
        return ""
    for data in (entry.after, entry.before):
        if isinstance(data, dict):
            for key in NAME_KEYS:
                if isinstance(data.get(key), str) and data[key].strip():
                    return data[key].strip()[:60]
    return ""


@bp.route("/audit")
def audit_log():
    query = select(AuditEntry).options(selectinload(AuditEntry.actor))
    if can(current_user, "admin"):
        reader_is_assessor = False
    elif can(current_user, "assess"):
        if not assessors.active_grants(db.session, current_user):
            return render_template("community/no_grant.html")
        reader_is_assessor = True
        query = query.where(assessors.trail_filter(
            db.session, current_user, registry(), community_zone(db.session)))
    else:
        abort(403)
    page = paginate(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    names = {entry.id: record_name(entry, reader_is_assessor) for entry in page.items}
    # who did it: an assessor reads no person's name in full, staff's included (王*)
    who = {entry.id: (mask_person(entry.actor.name) if reader_is_assessor
                      else entry.actor.name) if entry.actor else _("系统")
           for entry in page.items}
    return render_template("community/audit.html", page=page, names=names, who=who,
                           reader_is_assessor=reader_is_assessor,
                           grants=assessors.active_grants(db.session, current_user)
                           if reader_is_assessor else [])
