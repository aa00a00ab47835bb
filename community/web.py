"""What every package's views share: login by default, one permission check,
one commit per request, safe redirects, pagination, refusals as messages."""
from functools import wraps
from math import ceil
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app import db
from community.dbsetup import begin_write
from community.messages import message
from community.rules import Invalid, can

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def public(view):
    """Mark a view as reachable without logging in (few, and obvious)."""
    view.public = True
    return view


def requires(permission):
    """Refuse (403) unless the user's role grants `permission`."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)
        wrapped.permission = permission
        return wrapped
    return decorator


def enforce_login():
    """before_request: every endpoint needs a login unless its view is @public."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "public", False) or current_user.is_authenticated:
        return None
    from app import login_manager
    return login_manager.unauthorized()


def start_write_transaction():
    """before_request: a write request runs as one serialised transaction."""
    if request.method not in SAFE_METHODS:
        begin_write(db.session)


def commit():
    """The one place a request's work is committed; teardown rolls back the rest."""
    db.session.commit()


def attempt(action, success=None):
    """Run a rule and commit, flashing `success`; on a refusal roll back and flash why.

    Returns (True, result) or (False, the refusal)."""
    from community.rules import Refused
    try:
        result = action()
    except Refused as exc:
        db.session.rollback()
        flash(message(exc.code, **exc.params), "error")
        return False, exc
    commit()
    if success:
        flash(success, "success")
    return True, result


def flash_form_errors(form):
    """For forms posted from a page that redirects back: each field error as a message."""
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}：{error}", "error")


def safe_next(target, default="community.dashboard"):
    """Only a local path: refuse //host, backslashes, schemes and hosts."""
    if target and target.startswith("/") and not target.startswith("//") \
            and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for(default)


def form_errors(form, exc):
    """Put a rule's field codes beside the form's fields (or flash them)."""
    if isinstance(exc, Invalid):
        for field, code in exc.errors.items():
            target = getattr(form, field, None)
            text = message(code)
            if target is not None:
                target.errors = list(target.errors or []) + [text]
            else:
                flash(text, "error")
    else:
        flash(message(exc.code, **exc.params), "error")


class Page:
    """A page of a query's results."""

    def __init__(self, query, page, per_page):
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None)
                                                                   .subquery()))
        self.total, self.per_page = total, per_page
        self.pages = max(1, ceil(total / per_page))
        self.page = min(max(1, page), self.pages)
        self.items = db.session.scalars(
            query.limit(per_page).offset((self.page - 1) * per_page)).all()

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages


def paginate(query):
    page = request.args.get("page", 1, type=int)
    return Page(query, page, current_app.config["PAGE_SIZE"])


def community_tz():
    """The community's time zone, read once per request (templates ask for it per row)."""
    from flask import g

    from community.settings import current_settings
    if "opc_tz" not in g:
        try:
            g.opc_tz = ZoneInfo(current_settings(db.session).timezone)
        except Exception:  # a bad zone name in settings must not break every page
            g.opc_tz = ZoneInfo(current_app.config["TIMEZONE_FALLBACK"])
    return g.opc_tz


def today():
    """Today in the community's time zone (the clock the views pass to rules)."""
    from community.dbsetup import utcnow
    return utcnow().astimezone(community_tz()).date()
