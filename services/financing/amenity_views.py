"""Living amenities (/services/amenities) on the services blueprint: staff list,
correct and withdraw them; assessors read the register; founders see what is near."""
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from community import audit
from community.extensions import db
from community.permissions import can
from community.web import requires, submit, today
from services.financing import rules
from services.financing.forms import AmenityForm, WithdrawForm
from services.models import Amenity
from services.views import bp


@bp.route("/amenities")
def amenities():
    """Staff and assessors read the register; founders see what is near."""
    if not (can(current_user, "view") or can(current_user, "request_service")):
        abort(403)
    rows = db.session.scalars(select(Amenity).order_by(
        Amenity.withdrawn_on.is_not(None), Amenity.kind, Amenity.distance_m,
        Amenity.name)).all()
    if not can(current_user, "view"):
        rows = [a for a in rows if a.withdrawn_on is None and a.listed_on <= today()]
    return render_template("services/financing/amenities.html", amenities=rows,
                           withdraw=WithdrawForm(formdata=None, withdrawn_on=today()),
                           today=today())


@bp.route("/amenities/new", methods=["GET", "POST"])
@bp.route("/amenities/<int:amenity_id>", methods=["GET", "POST"])
@requires("edit")
def amenity_edit(amenity_id=None):
    amenity = db.get_or_404(Amenity, amenity_id) if amenity_id else None
    form = AmenityForm(obj=amenity)
    if request.method == "GET" and amenity is None:
        form.listed_on.data = today()
    ok, _saved = submit(form, lambda: rules.save_amenity(db.session, current_user, {
        key: form[key].data for key in ("name", "kind", "address", "distance_m", "note",
                                        "listed_on")}, amenity), _("生活配套已保存。"))
    if ok:
        return redirect(url_for("services.amenities"))
    history = audit.history(db.session, "amenity", amenity.id) if amenity else []
    return render_template("services/financing/amenity_form.html", form=form, amenity=amenity,
                           withdraw=WithdrawForm(formdata=None, withdrawn_on=today()),
                           history=history)


@bp.route("/amenities/<int:amenity_id>/withdraw", methods=["POST"])
@requires("edit")
def amenity_withdraw(amenity_id):
    amenity = db.get_or_404(Amenity, amenity_id)
    form = WithdrawForm()
    submit(form, lambda: rules.withdraw_amenity(db.session, current_user, amenity,
                                                form.withdrawn_on.data, today()),
           _("已下架；此前期间的生活配套清单仍列出它。"), errors="flash")
    return redirect(url_for("services.amenities"))
