"""User accounts: creation by an admin or the create-user command."""
from sqlalchemy import select

from community import audit
from community.models import Tenant, User
from community.permissions import ROLES
from community.refusals import Invalid, Refused


def create_user(session, actor, username, name, role, password, tenant_id=None):
    """Create an account; a member is bound to exactly one tenant."""
    username = (username or "").strip()
    errors = {}
    if not username:
        errors["username"] = "required"
    elif session.scalar(select(User.id).where(User.username == username)):
        errors["username"] = "username_taken"
    if role not in ROLES:
        errors["role"] = "choice_invalid"
    if len(password or "") < 10:
        errors["password"] = "password_weak"
    if role == "member" and (not tenant_id or session.get(Tenant, tenant_id) is None):
        errors["tenant_id"] = "tenant_required"
    if errors:
        raise Invalid(errors)
    user = User(username=username, name=(name or username).strip(), role=role,
                tenant_id=tenant_id if role == "member" else None)
    user.set_password(password)
    session.add(user)
    audit.record(session, actor, "user.created", user, after={
        "username": username, "role": role, "tenant_id": user.tenant_id})
    return user


def change_password(session, user, current, new):
    """A user changes their own password, proving they know the current one."""
    if not user.check_password(current or ""):
        raise Invalid({"current": "password_wrong"})
    if len(new or "") < 10:
        raise Invalid({"new": "password_weak"})
    user.set_password(new)
    audit.record(session, user, "user.password_changed", object_type="user",
                 object_id=user.id)
    return user


def toggle_active(session, actor, user):
    """Disable an account (it can no longer log in) or enable it again; never one's own."""
    if user.id == getattr(actor, "id", None):
        raise Refused("cannot_disable_self")
    before = audit.snapshot(user)
    user.active = not user.active
    audit.record(session, actor, "user.updated", user, before=before)
    return user
