"""User accounts: creation by an admin or the create-user command, and what an
admin does to an account later (disable, change its role, set a new password)."""
from sqlalchemy import select

from community import audit
from community.models import Tenant, User, new_session_token
from community.permissions import ROLES
from community.refusals import Invalid, Refused


def _role_errors(session, role, tenant_id):
    """A known role; a member bound to a tenant that exists."""
    errors = {}
    if role not in ROLES:
        errors["role"] = "choice_invalid"
    if role == "member" and (not tenant_id or session.get(Tenant, tenant_id) is None):
        errors["tenant_id"] = "tenant_required"
    return errors


def create_user(session, actor, username, name, role, password, tenant_id=None):
    """Create an account; a member is bound to exactly one tenant."""
    username = (username or "").strip()
    errors = {}
    if not username:
        errors["username"] = "required"
    elif session.scalar(select(User.id).where(User.username == username)):
        errors["username"] = "username_taken"
    if len(password or "") < 10:
        errors["password"] = "password_weak"
    errors |= _role_errors(session, role, tenant_id)
    if errors:
        raise Invalid(errors)
    user = User(username=username, name=(name or username).strip(), role=role,
                tenant_id=tenant_id if role == "member" else None)
    user.set_password(password)
    session.add(user)
    audit.record(session, actor, "user.created", user, after={
        "username": username, "role": role, "tenant_id": user.tenant_id})
    return user


def end_sessions(user):
    """End every session the user has open, on any device: each login cookie
    carries the token, so a new one makes all of them (and any stolen copy) void."""
    user.session_token = new_session_token()


def change_password(session, user, current, new):
    """A user changes their own password, proving they know the current one. Their
    other sessions end (the caller signs the current one in again)."""
    if not user.check_password(current or ""):
        raise Invalid({"current": "password_wrong"})
    if len(new or "") < 10:
        raise Invalid({"new": "password_weak"})
    if user.must_change_password and user.check_password(new):
        raise Invalid({"new": "password_unchanged"})
    user.set_password(new)
    user.must_change_password = False
    end_sessions(user)
    audit.record(session, user, "user.password_changed", object_type="user",
                 object_id=user.id)
    return user


def _not_self(actor, user, code):
    if user.id == getattr(actor, "id", None):
        raise Refused(code)


def toggle_active(session, actor, user):
    """Disable an account (it can no longer log in, and its open sessions end at
    their next request) or enable it again; never one's own."""
    _not_self(actor, user, "cannot_disable_self")
    before = audit.snapshot(user)
    user.active = not user.active
    end_sessions(user)
    audit.record(session, actor, "user.updated", user, before=before)
    return user


def change_role(session, actor, user, role, tenant_id=None):
    """Give an account another role (a member is bound to one tenant); never one's
    own, so the community cannot lose its last admin by a slip. The user signs in again."""
    _not_self(actor, user, "cannot_change_own_role")
    errors = _role_errors(session, role, tenant_id)
    if errors:
        raise Invalid(errors)
    tenant_id = tenant_id if role == "member" else None
    if (role, tenant_id) == (user.role, user.tenant_id):
        raise Refused("user_unchanged")
    before = audit.snapshot(user)
    user.role, user.tenant_id = role, tenant_id
    end_sessions(user)
    audit.record(session, actor, "user.updated", user, before=before)
    return user


def reset_password(session, actor, user, password):
    """An admin sets a new password for someone who lost theirs: every session of
    the user ends, and they must choose their own at the next login."""
    _not_self(actor, user, "reset_own_password")
    if len(password or "") < 10:
        raise Invalid({"password": "password_weak"})
    user.set_password(password)
    user.must_change_password = True
    end_sessions(user)
    audit.record(session, actor, "user.password_reset", object_type="user",
                 object_id=user.id)
    return user
