"""Community settings and targets, users, evidence files, the audit trail."""

from flask import (abort, current_app, redirect, render_template, request,
                   send_from_directory, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice
from sqlalchemy import select

from community import audit
from community.extensions import db
from community.files import can_view_attachment, download_name, save_attachment
from community.forms import (ActionForm, ResetPasswordForm, RoleForm, SettingsForm, UploadForm,
                             UserForm)
from community.models import Attachment, Tenant, User
from community.permissions import can
from community.registry import registry
from community.settings import (TARGET_YEARS, current_settings, save_settings, save_targets,
                                settings_data)
from community.settings import targets as saved_targets
from community.users import change_role, create_user, reset_password, toggle_active
from community.views import bp
from community.web import attempt, commit, requires, safe_next, submit


@bp.route("/settings", methods=["GET", "POST"])
@requires("admin")
def settings():
    from community.views.reports import operator_record_context, prefill_operator_record
    row = current_settings(db.session)
    form = SettingsForm(obj=row)
    if request.method == "GET":
        prefill_operator_record(form, row)

    def save():
        save_settings(db.session, current_user, settings_data(form.data))
        save_targets(db.session, current_user, {
            (i.code, year): request.form.get(f"target-{i.code}-{year}", "")
            for i in registry().indicators for year in TARGET_YEARS})

    if submit(form, save, _("设置已保存。"))[0]:
        return redirect(url_for("community.settings"))
    return render_template("community/settings.html", form=form, years=TARGET_YEARS,
                           indicators=registry().indicators,
                           targets=saved_targets(db.session),
                           **operator_record_context(db.session, row))


@bp.route("/users")
@requires("admin")
def users():
    rows = db.session.scalars(select(User).order_by(User.role, User.username)).all()
    return render_template("community/users.html", users=rows)


def _tenant_choices(form):
    form.tenant_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(t.id, t.name) for t in db.session.scalars(select(Tenant).order_by(Tenant.name))]


@bp.route("/users/new", methods=["GET", "POST"])
@requires("admin")
def user_new():
    form = UserForm()
    _tenant_choices(form)
    if submit(form, lambda: create_user(
            db.session, current_user, form.username.data, form.name.data, form.role.data,
            form.password.data, form.tenant_id.data or None), _("用户已创建。"))[0]:
        return redirect(url_for("community.users"))
    return render_template("community/user_form.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("admin")
def user_detail(user_id):
    """One account: its role (and firm), and a new password for someone who lost theirs.
    Both forms post here; the button pressed says which."""
    user = db.get_or_404(User, user_id)
    role_form = RoleForm(obj=user, prefix="role")
    _tenant_choices(role_form)
    if request.method == "GET":
        role_form.tenant_id.data = user.tenant_id or 0
    reset_form = ResetPasswordForm(prefix="reset")
    if request.form.get("action") == "reset-password":
        done = submit(reset_form, lambda: reset_password(
            db.session, current_user, user, reset_form.password.data),
            _("已设置新密码：该用户已登录的设备全部退出，下次登录时须修改密码。"))[0]
    else:
        done = submit(role_form, lambda: change_role(
            db.session, current_user, user, role_form.role.data, role_form.tenant_id.data or None),
            _("角色已修改：该用户须重新登录。"))[0]
    if done:
        return redirect(url_for("community.user_detail", user_id=user.id))
    return render_template("community/user_detail.html", user=user, role_form=role_form,
                           reset_form=reset_form, action=ActionForm(),
                           history=audit.history(db.session, "user", user.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@requires("admin")
def user_toggle(user_id):
    user = db.get_or_404(User, user_id)
    if ActionForm().validate_on_submit():
        attempt(lambda: toggle_active(db.session, current_user, user))
    return redirect(safe_next(request.form.get("next"), "community.users"))


@bp.route("/files/<owner_type>/<int:owner_id>", methods=["POST"])
@requires("edit")
def file_upload(owner_type, owner_id):
    form = UploadForm()
    submit(form, lambda: save_attachment(
        db.session, current_user, current_app.config["UPLOAD_FOLDER"], owner_type, owner_id,
        form.file.data.filename or "", form.file.data.read()), _("文件已上传。"),
        errors="flash")
    return redirect(safe_next(request.form.get("next")))


@bp.route("/files/<int:attachment_id>")
def file_download(attachment_id):
    attachment = db.get_or_404(Attachment, attachment_id)
    if not can_view_attachment(current_user, attachment):
        abort(403)
    if can(current_user, "assess"):  # every assessor download is in the trail
        audit.record(db.session, current_user, "attachment.downloaded",
                     object_type="attachment", object_id=attachment.id,
                     note=attachment.filename)
        commit()
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], attachment.stored_name,
                               as_attachment=True, download_name=download_name(attachment),
                               mimetype=attachment.content_type)
