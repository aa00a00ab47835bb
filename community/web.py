"""What every package's views share: login by default, one permission check,
one commit per request, safe redirects, pagination, refusals as messages."""
from functools import wraps
from math import ceil
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from community.extensions import db
from community.dbsetup import begin_write, write_from_here
from community.messages import message
from community.permissions import can
from community.refusals import Invalid, Refused

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def public(view):
    """Mark a view as reachable without logging in (few, and obvious)."""
    view.public = True
    return view


def writes(view):
    """Mark a GET view that may write (a cache it fills): it runs as a write
    transaction from the start, as a POST does, so its commit never finds the
    database taken (SQLite) after it has read."""
    view.writes = True
    return view


def bearer(view):
    """Mark a JSON API view whose caller is a device sending its own bearer token,
    checked by the view's blueprint, which answers 401 without a valid one (a
    url_value_preprocessor, events.views.api): no login is needed, as for @public,
    and the hooks about a person (people_only) pass it over, so no session user is
    loaded and no password change or correction reason applies. Its blueprint is
    exempt from CSRF: no cookie authenticates it."""
    view.public = True
    view.bearer = True
    return view


def bearer_request():
    """True when this request goes to a @bearer view."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "bearer", False)


def people_only(hook):
    """A before_request hook about the person logged in, passed over for @bearer views."""
    @wraps(hook)
    def hook_for_people():
        return None if bearer_request() else hook()
    return hook_for_people


def locks_late(view):
    """Mark a form-post view whose reads before its rule decide nothing the rule does
    not check again: the request takes SQLite's write lock only when web.submit or
    web.attempt runs the rule (dbsetup.write_from_here), so parsing the form, loading
    the user and the page's data, and rendering a refusal stay outside it."""
    view.locks_late = True
    return view


def requires(permission):
    """Refuse (403) unless the user's role grants `permission`."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)
        wrapped.permission = permission  # @wraps carried over a `writes` mark
        return wrapped
    return decorator


def enforce_login():
    """before_request: every endpoint needs a login unless its view is @public."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "public", False) or current_user.is_authenticated:
        return None
    from community.extensions import login_manager
    return login_manager.unauthorized()


# What someone whose password an admin set may still open before choosing their own.
PASSWORD_CHANGE_OPEN = ("community.password", "community.logout", "community.set_language")


def enforce_password_change():
    """before_request: after an admin set a user's password, every page leads to
    the password form until the user has chosen their own."""
    if (request.endpoint in (None, "static") + PASSWORD_CHANGE_OPEN
            or not current_user.is_authenticated
            or not current_user.must_change_password):
        return None
    if request.method in SAFE_METHODS:
        return redirect(url_for("community.password"))
    abort(403)


def start_write_transaction():
    """before_request: a write request (or a view marked @writes) runs as one
    serialised transaction."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if getattr(view, "locks_late", False):
        return
    if request.method not in SAFE_METHODS or getattr(view, "writes", False):
        begin_write(db.session)


def commit():
    """The one place a request's work is committed; teardown rolls back the rest."""
    db.session.commit()


def attempt(action, success=None):
    """Run a rule for a button (no form to validate) and commit, flashing `success`;
    on a refusal roll back and flash why. Returns (True, result) or (False, the refusal)."""
    return _run(action, success, None)


def submit(form, action, success=None, *, errors="form"):
    """The one form post: validate the form, run the rule, commit or roll back, say so.

    `success` is the message (or a function of the rule's result giving it).
    `errors="form"` puts problems beside the form's fields, for a view that
    renders the form again; `errors="flash"` flashes them, for a form posted
    from a page the view redirects back to. Returns (True, result) when the
    work was committed, else (False, the refusal or None).
    """
    if not form.validate_on_submit():
        if errors == "flash" and request.method == "POST":
            flash_form_errors(form)
        return False, None
    return _run(action, success, form if errors == "form" else None)


def _run(action, success, form):
    write_from_here(db.session)  # a no-op unless the view @locks_late
    try:
        result = action()
    except Refused as exc:
        db.session.rollback()
        if form is not None:
            form_errors(form, exc)
        else:
            flash_refusal(exc)
        return False, exc
    commit()
    if callable(success):
        success = success(result)
    if success:
        flash(success, "success")
    return True, result


def flash_refusal(exc):
    """A refusal as messages: each field's problem, or the rule's one reason."""
    if isinstance(exc, Invalid):
        for code in exc.errors.values():
            flash(message(code), "error")
    else:
        flash(message(exc.code, **exc.params), refusal_category(exc))


def refusal_category(exc):
    """How a refusal is shown: a change inside a locked period offers, beside the
    message, the form that starts a correction (templates/base.html)."""
    return "locked" if exc.code == "period_locked" else "error"


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


def public_url(endpoint, **values):
    """The address handed out, in a QR code, a calendar feed or a copied link: on the
    public base URL when one is set (the https address in front of the reverse proxy,
    README), else on the address this request came to."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base + url_for(endpoint, **values)


def public_host():
    """The host name in public addresses (a calendar event's UID ends with it)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    return urlsplit(base).hostname if base else request.host.split(":")[0]


def local_referrer():
    """The page the request came from, when it is one of ours (else None): where an
    error page leads back to."""
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    if not referrer or (parts.netloc and parts.netloc != request.host):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if safe_next(path, "community.dashboard") == path else None


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
        flash(message(exc.code, **exc.params), refusal_category(exc))


class Page:
    """A page of a query's results."""

    def __init__(self, query, page, per_page):
        page, items, total = max(1, page), None, None
        if page == 1:  # the usual case: a first page that is not full needs no count
            items = db.session.scalars(query.limit(per_page)).all()
            if len(items) < per_page:
                total = len(items)
        if total is None:
            total = db.session.scalar(select(func.count()).select_from(
                query.order_by(None).subquery()))
        self.total, self.per_page = total, per_page
        self.pages = max(1, ceil(total / per_page))
        self.page = min(page, self.pages)
        if items is None or self.page != page:
            items = db.session.scalars(
                query.limit(per_page).offset((self.page - 1) * per_page)).all()
        self.items = items

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

    from community.settings import community_zone
    if "opc_tz" not in g:
        g.opc_tz = community_zone(db.session)
    return g.opc_tz


def today():
    """Today in the community's time zone (the clock the views pass to rules)."""
    from community.dbsetup import utcnow
    return utcnow().astimezone(community_tz()).date()
