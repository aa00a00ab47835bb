"""Sessions that end for real and accounts an admin manages: a copied cookie stops
working once its user logs out, is disabled, gets a new role or a new password;
an admin's password reset must be replaced at the next login; all of it audited."""
import pytest
from flask import g, request_started
from sqlalchemy import func, select

from community.extensions import db
from community.models import AuditEntry, User
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def each_request_loads_its_own_user(app):
    """Requests share the fixture's app context, so Flask-Login's cached user would
    carry over from one browser to the next; here each request loads its own."""
    def forget(sender, **extra):
        g.pop("_login_user", None)
    request_started.connect(forget, app)
    yield
    request_started.disconnect(forget, app)


def sign_in(client, username, password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def signed_in(client):
    """Whether the client's cookie still opens a page (the dashboard or the user's home)."""
    return client.get("/password").status_code == 200


def copy_of(app, client):
    """A second browser holding a copy of the client's session cookie (a stolen one)."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def trail(user, action):
    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "user", AuditEntry.object_id == user.id,
        AuditEntry.action == action)).all()


def test_logging_out_voids_every_copy_of_the_cookie(app, client, make_user):
    make_user("staff", username="lina")
    sign_in(client, "lina")
    thief = copy_of(app, client)
    assert signed_in(thief)
    client.post("/logout")
    assert not signed_in(client)
    assert not signed_in(thief)  # the copy no longer signs anyone in
    assert sign_in(client, "lina").status_code == 302  # the user signs in again as ever
    assert signed_in(client)


def test_a_disabled_users_stolen_cookie_stops_working(app, client, make_user):
    make_user("staff", username="lina")
    sign_in(client, "lina")
    thief = copy_of(app, client)
    admin_client = app.test_client()
    make_user("admin", username="boss")
    sign_in(admin_client, "boss")
    lina = db.session.scalar(select(User).where(User.username == "lina"))
    admin_client.post(f"/users/{lina.id}/active")
    assert not signed_in(thief) and not signed_in(client)
    assert "用户名或密码不正确" in sign_in(client, "lina").get_data(as_text=True)


def test_changing_ones_password_ends_the_other_sessions_not_this_one(app, client, make_user):
    make_user("staff", username="lina")
    sign_in(client, "lina")
    other_device = app.test_client()
    sign_in(other_device, "lina")
    response = client.post("/password", data={"current": PASSWORD, "new": "a-new-password-1"})
    assert response.status_code == 302
    assert signed_in(client)
    assert not signed_in(other_device)


@pytest.fixture
def admin_client(app, make_user):
    client = app.test_client()
    make_user("admin", username="boss")
    sign_in(client, "boss")
    return client


def reset(admin_client, user, password="temporary-pass-1"):
    """The admin's 重设密码 form on the user's page."""
    return admin_client.post(f"/users/{user.id}", data={"action": "reset-password",
                                                        "reset-password": password})


def change_role(admin_client, user, role, tenant_id=0):
    return admin_client.post(f"/users/{user.id}", data={"role-role": role,
                                                        "role-tenant_id": tenant_id})


def test_admin_sets_a_new_password_the_user_must_replace(app, client, admin_client, make_user):
    lina = make_user("staff", username="lina")
    sign_in(client, "lina")
    page = admin_client.get(f"/users/{lina.id}").get_data(as_text=True)
    assert "重设密码" in page and "修改角色" in page
    assert reset(admin_client, lina).status_code == 302
    assert not signed_in(client)  # her open session ended
    assert sign_in(client, "lina").status_code == 200  # the old password is gone
    response = sign_in(client, "lina", "temporary-pass-1")
    assert response.headers["Location"] == "/password"
    # Every page leads to the password form; nothing can be changed meanwhile.
    assert client.get("/tenants").headers["Location"] == "/password"
    assert client.post("/zones/new", data={"name": "X"}).status_code == 403
    page = client.get("/password").get_data(as_text=True)
    assert "管理员为您设置了新密码" in page
    refused = client.post("/password", data={"current": "temporary-pass-1",
                                              "new": "temporary-pass-1"})
    assert "不能与管理员设置的密码相同" in refused.get_data(as_text=True)
    client.post("/password", data={"current": "temporary-pass-1", "new": "her-own-pass-22"})
    assert client.get("/tenants").status_code == 200
    db.session.refresh(lina)
    assert not lina.must_change_password and lina.check_password("her-own-pass-22")
    entry, = trail(lina, "user.password_reset")
    assert entry.actor.username == "boss"


def test_a_weak_reset_password_is_refused_and_nothing_changes(admin_client, make_user):
    lina = make_user("staff", username="lina")
    token = lina.session_token
    response = reset(admin_client, lina, "short")
    assert response.status_code == 200
    assert "至少10位" in response.get_data(as_text=True)
    db.session.refresh(lina)
    assert lina.check_password(PASSWORD) and not lina.must_change_password
    assert lina.session_token == token and not trail(lina, "user.password_reset")


def test_admin_changes_a_role_and_the_user_signs_in_again(app, client, admin_client,
                                                          make_user, make_tenant):
    lina = make_user("staff", username="lina")
    sign_in(client, "lina")
    firm = make_tenant()
    assert change_role(admin_client, lina, "member").status_code == 200  # a member needs a firm
    db.session.refresh(lina)
    assert lina.role == "staff" and signed_in(client)
    assert change_role(admin_client, lina, "member", firm.id).status_code == 302
    db.session.refresh(lina)
    assert (lina.role, lina.tenant_id) == ("member", firm.id)
    assert not signed_in(client)
    entry, = trail(lina, "user.updated")
    assert entry.before["role"] == "staff" and entry.after["role"] == "member"
    assert "password_hash" not in entry.after and "session_token" not in entry.after
    sign_in(client, "lina")
    assert client.get("/tenants").status_code == 403  # the new role's pages only


def test_nobody_changes_their_own_role_or_resets_their_own_password(admin_client):
    boss = db.session.scalar(select(User).where(User.username == "boss"))
    page = admin_client.get(f"/users/{boss.id}").get_data(as_text=True)
    assert "这是您自己的账号" in page
    assert "不能修改自己的角色" in change_role(admin_client, boss, "staff").get_data(
        as_text=True)
    assert "请在“修改密码”中修改自己的密码" in reset(admin_client, boss).get_data(as_text=True)
    db.session.refresh(boss)
    assert boss.role == "admin" and boss.check_password(PASSWORD)
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.object_type == "user")) == 0


@pytest.mark.parametrize("role", ["staff", "member", "assessor"])
def test_only_an_admin_manages_accounts(client, login, make_user, role):
    target = make_user("staff", username="lina")
    login(role)
    assert client.get(f"/users/{target.id}").status_code == 403
    assert reset(client, target).status_code == 403
    db.session.refresh(target)
    assert target.check_password(PASSWORD)


# --- limits: failures count, a crowd is not turned away ---------------------

def test_successful_logins_from_one_address_are_never_throttled(client, make_user):
    make_user("staff", username="lina")
    for _ in range(25):  # an office signing in behind one address
        assert sign_in(client, "lina").status_code == 302
        client.post("/logout")


def test_failed_logins_are_throttled_per_user_name_and_per_address(app, client, make_user):
    make_user("staff", username="lina")
    make_user("staff", username="wang")
    for _ in range(10):
        assert sign_in(client, "lina", "wrong").status_code == 200
    assert sign_in(client, "lina").status_code == 429  # lina's name is being guessed
    # From another address, wang still signs in; lina's name stays locked for a while.
    other = app.test_client()
    elsewhere = {"REMOTE_ADDR": "198.51.100.7"}
    assert other.post("/login", data={"username": "wang", "password": PASSWORD},
                      environ_base=elsewhere).status_code == 302
    assert other.post("/login", data={"username": "lina", "password": PASSWORD},
                      environ_base=elsewhere).status_code == 429
    # One address guessing many names is stopped too.
    guesser = app.test_client()
    spray = {"REMOTE_ADDR": "203.0.113.9"}
    for n in range(10):
        guesser.post("/login", data={"username": f"user{n}", "password": "x"},
                     environ_base=spray)
    assert guesser.post("/login", data={"username": "wang", "password": PASSWORD},
                        environ_base=spray).status_code == 429


def test_error_pages_speak_the_readers_language(client, login):
    login("staff")
    client.post("/lang/en", data={"next": "/"})
    page = client.get("/tenants/999999").get_data(as_text=True)
    assert "Page not found" in page and "页面不存在" not in page
