"""Sign in and out, password change, language switch."""
from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from community.extensions import LANGUAGES, db, limiter
from community.forms import LoginForm, PasswordForm
from community.models import User
from community.views import bp
from community.users import change_password, end_sessions
from community.web import commit, public, safe_next, submit


def _login_limit():
    return current_app.config["LOGIN_LIMIT"]


def _username_key():
    return "login:" + (request.form.get("username") or "").strip().lower()[:64]


def _failed(response):
    """Only a failed attempt counts: a whole office signing in behind one address
    in the morning is never turned away, someone guessing a password is."""
    return g.get("login_failed", False)


def home_for(user):
    """Where a role lands: a founder on its firm's page, everyone else on the dashboard."""
    if user.role == "member" and user.tenant_id:
        return url_for("community.tenant_detail", tenant_id=user.tenant_id)
    return url_for("community.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], error_message="too_many_logins",
               deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], key_func=_username_key,
               error_message="too_many_logins", deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(
            User.username == form.username.data.strip()))
        if user is not None and user.active and user.check_password(form.password.data):
            lang = session.get("lang")
            session.clear()  # a fresh session on login; only the language choice survives
            if lang:
                session["lang"] = lang
            login_user(user)
            session.permanent = True
            if user.must_change_password:
                return redirect(url_for("community.password"))
            return redirect(safe_next(request.args.get("next"), "community.dashboard")
                            if request.args.get("next") else home_for(user))
        g.login_failed = True
        flash(_("用户名或密码不正确。"), "error")
    return render_template("community/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out here and everywhere: the user's session token changes, so a copy of
    this cookie (or the session on another device) no longer signs anyone in."""
    end_sessions(current_user)
    commit()
    logout_user()
    session.clear()
    return redirect(url_for("community.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if submit(form, lambda: change_password(db.session, current_user, form.current.data,
                                            form.new.data), _("密码已修改。"))[0]:
        login_user(current_user._get_current_object())  # this session goes on with the new token; the others end
        return redirect(home_for(current_user))
    return render_template("community/password.html", form=form,
                           forced=current_user.must_change_password)


@bp.route("/lang/<code>", methods=["POST"])
@public
def set_language(code):
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(request.form.get("next"), "community.login"))
