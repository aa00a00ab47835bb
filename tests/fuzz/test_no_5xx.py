"""No request a stranger (or a signed-in user) sends gives a 5xx, and a refused one
changes nothing.

For every endpoint in `app.url_map` (but static) and every role (anonymous, a
member of tenant A, staff, an assessor with a period granted, an admin, a scanner
device by its bearer token), Hypothesis sends FUZZ_EXAMPLES generated requests:
path ids (tenant A's own rows, 0, -1, 2**31, 2**63, huge), query strings (known
keys and random ones), form fields (every FlaskForm field name, filled with a
plausible value, some replaced by hostile text), JSON bodies (objects, non-objects,
deeply nested), uploads (random bytes, a real PNG or PDF under a wrong name) and
raw bodies. A response >= 500 (or an exception) fails, naming the request; a 4xx
must leave every table's row count and the audit chain's head as they were.

Reproducible: derandomized, no example database. FUZZ_EXAMPLES (default below)
bounds the time.
"""
import os
import re
import traceback
from collections import Counter
from datetime import date
from io import BytesIO

import pytest
from flask import g
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from community.dbsetup import utcnow
from community.extensions import db
from community.models import AssessorGrant, User
from tests.fuzz import strategies as fz
from tests.test_routes import build_world

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# Shrinking a failure to its smallest request costs time; FUZZ_SHRINK=0 skips it.
PHASES = [Phase.explicit, Phase.generate] + ([Phase.shrink] if os.environ.get("FUZZ_SHRINK", "1") != "0" else [])
ROLES = ("anonymous", "member", "staff", "assessor", "admin", "device")
WORLD_ROLE = {"member": "member_a", "staff": "staff", "assessor": "assessor", "admin": "admin"}
SENT = Counter()  # role -> requests sent this run (tests/fuzz/conftest.py prints it)
FAILED = Counter()  # role -> requests answered >= 500 (or raising)
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded",
                 "multipart/form-data", "multipart/form-data; boundary=x", "application/xml",
                 "application/json; charset=latin-1", "image/png"]


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False}  # every role posts to the rate-limited forms


def fingerprint():
    """Every table's row count and the audit chain's head, in one query."""
    parts = [f"SELECT '{t.name}', COUNT(*) FROM \"{t.name}\"" for t in db.metadata.sorted_tables]
    parts.append("SELECT head, seq FROM audit_chain")
    counts = db.session.execute(text(" UNION ALL ".join(parts[:-1]))).all()
    head = db.session.execute(text("SELECT head, seq FROM audit_chain")).all()
    db.session.rollback()  # end the read before the request begins its own
    return counts, head


def prepare(world):
    """Grant the assessor a period (this year), keep each role user's state to restore."""
    today = utcnow().date()
    db.session.add(AssessorGrant(user_id=world.users["assessor"].id,
                                 start_on=date(today.year - 1, 1, 1),
                                 end_on=date(today.year, 12, 31)))
    db.session.commit()
    return {role: (user.id, user.role, user.tenant_id) for role, user in world.users.items()}


def restore(client, kept, role):
    """Every role user active with its role again (a fuzzed post may have changed it),
    and the client signed in as the role's user (by get_id: it carries the session token)."""
    db.session.rollback()
    users = {}
    for name, (user_id, user_role, tenant_id) in kept.items():
        user = db.session.get(User, user_id)
        user.active, user.role, user.tenant_id = True, user_role, tenant_id
        if getattr(user, "must_change_password", False):
            user.must_change_password = False
        users[name] = user
    if db.session.dirty:
        db.session.commit()
    user = users.get(WORLD_ROLE.get(role))
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    db.session.rollback()
    g.pop("_login_user", None)


def _no_surrogates(value):
    return value.encode("utf-8", "replace").decode() if isinstance(value, str) else value


@st.composite
def a_request(draw, rule, world, fields):
    """One request to `rule`: method, path, query string, body."""
    method = draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})))
    path = rule.rule
    for name in ARGUMENT.findall(rule.rule):
        known = world.overrides.get((rule.endpoint, name), world.args.get(name))
        known = known() if callable(known) else known
        converter = type(rule._converters[name]).__name__
        value = draw(fz.path_value(converter, known), label=name)
        path = re.sub(r"<(?:[^:<>]+:)?" + re.escape(name) + ">",
                      fz.quote(str(value), safe="", errors="surrogatepass").replace("\\", "\\\\"),
                      path, count=1)
    names = [n for n, v in fields.items() if v is not None]
    pairs = draw(st.one_of(fz.query(), st.lists(st.tuples(st.sampled_from(names), fz.text()),
                                                max_size=3)))
    request = {"method": method, "path": path, "query_string": fz.encode_pairs(pairs)}
    if method == "GET":
        return request
    kind = draw(st.sampled_from(["form", "form", "form", "json", "multipart", "raw", "empty"]))
    if kind == "form":
        form = {} if draw(st.booleans()) else {n: v for n, v in fields.items() if v is not None}
        form.update(draw(st.dictionaries(st.sampled_from(names) | st.text(max_size=10),
                                         fz.text(), max_size=5)))
        request["data"] = fz.encode_pairs(form.items())
        request["content_type"] = "application/x-www-form-urlencoded"
    elif kind == "json":
        request["data"] = draw(fz.json_body(names))
        request["content_type"] = "application/json"
    elif kind == "multipart":
        form = {n: _no_surrogates(v) for n, v in fields.items() if v is not None} \
            if draw(st.booleans()) else {}
        form.update({k: _no_surrogates(v) for k, v in draw(st.dictionaries(
            st.sampled_from(names), fz.text(), max_size=3)).items()})
        for name in draw(st.lists(st.sampled_from([n for n, v in fields.items() if v is None]),
                                  min_size=1, max_size=2, unique=True)):
            content, filename = draw(fz.upload)
            form[name] = (content, _no_surrogates(filename))
        request["data"] = form
        request["content_type"] = "multipart/form-data"
    elif kind == "raw":
        request["data"] = draw(st.binary(max_size=300))
        request["content_type"] = draw(st.sampled_from(CONTENT_TYPES))
    return request


def known_classes(rule, fields):
    """Besides the generated requests, each endpoint is sent the classes of input that
    once gave a 5xx somewhere, so no seed can miss them: ids past every integer range
    with NUL in the query, JSON nested past any parser's depth (or not an object), and
    every form field carrying NUL or a lone surrogate."""
    method = "POST" if "POST" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    path = ARGUMENT.sub(lambda m: str(2**63) if type(rule._converters[m.group(1)]).__name__
                        == "IntegerConverter" or "int:" in m.group(0) else "%00", rule.rule)
    plain = ARGUMENT.sub(lambda m: "1" if "int:" in m.group(0) else "photo", rule.rule)
    yield {"method": method, "path": path, "query_string": "q=%00&page=" + "9" * 30}
    if method != "GET":
        yield {"method": method, "path": plain, "query_string": "",
               "data": "[" * 3000 + "]" * 3000,
               "content_type": "application/json"}
        hostile = {name: ("\\ud800" if n % 2 else "a\\u0000b") for n, name in enumerate(fields)}
        yield {"method": method, "path": plain, "query_string": "",
               "data": "{" + ", ".join(f'"{k}": "{v}"' for k, v in hostile.items()) + "}",
               "content_type": "application/json"}


def describe(role, request):
    shown = {k: (v if not isinstance(v, (bytes, str)) or len(v) < 300 else v[:300] + "…")
             for k, v in request.items()}
    return f"{role}: {shown}"


def send(client, world, role, request):
    headers = {"Authorization": f"Bearer {world.token}"} if role == "device" else {}
    data = request.get("data")
    if isinstance(data, dict):  # multipart: files as streams
        data = {k: (BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}
    elif isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return client.open(request["path"], method=request["method"], headers=headers,
                       query_string=request["query_string"], data=data,
                       content_type=request.get("content_type"))


@pytest.mark.parametrize("role", ROLES)
def test_no_request_gives_a_5xx_and_a_refusal_changes_nothing(app, client, role):
    world = build_world(app)
    kept = prepare(world)
    fields = fz.form_fields()
    failures = []
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"),
                   key=lambda r: (r.endpoint == "community.logout", r.endpoint, r.rule))

    for rule in rules:
        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  phases=PHASES, suppress_health_check=list(HealthCheck))
        @given(request=a_request(rule, world, fields))
        def probe(request):
            restore(client, kept, role)
            before = fingerprint()
            SENT[role] += 1
            try:
                response = send(client, world, role, request)
            except Exception as exc:  # noqa: BLE001 - a crash is the finding
                FAILED[role] += 1
                frames = traceback.extract_tb(exc.__traceback__)[-3:]
                raise AssertionError(f"{describe(role, request)} raised {exc!r} at "
                                     f"{[f'{f.filename}:{f.lineno}' for f in frames]}") from None
            status = response.status_code
            response.close()
            FAILED[role] += status >= 500
            assert status < 500, f"{describe(role, request)} answered {status}"
            if 400 <= status < 500:
                assert fingerprint() == before, \
                    f"{describe(role, request)} answered {status}, yet data changed"

        for known in known_classes(rule, fields):
            probe = example(request=known)(probe)
        try:
            probe()
        except Exception as exc:  # noqa: BLE001 - every endpoint is tried, all failures named
            found = getattr(exc, "exceptions", None) or [exc]  # several distinct failures
            failures.append(f"{rule.endpoint} {rule.rule}: "
                            + "\n  ".join(str(e)[:1500] for e in found))
    assert not failures, f"{len(failures)} endpoints failed for {role}:\n" + "\n".join(failures)
