"""The roof: the application factory. It sets the configuration, binds the
extensions (community/extensions.py) and plugs in each package by name.
Nothing imports this module but the entry points (flask --app app, gunicorn,
tests, benchmarks).
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path

from urllib.parse import urlsplit

from flask import Flask, has_request_context, session
from werkzeug.middleware.proxy_fix import ProxyFix

import booking
import community
import events
import scenarios
import services
from community import dbsetup
from community.extensions import LANGUAGES, babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent
# The packages plugged in, in this order: each hands what it adds to the registry
# community.init_app makes (community/registry.py says how).
PACKAGES = (community, booking, events, services, scenarios)


def _secret_key(instance_path):
    """Read the instance's secret key, making one on first start (never committed)."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _public_base(url):
    """The public base URL as scheme://host[:port], or "" (none set); anything else
    stops the start with a clear message rather than printing wrong QR codes."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname \
            or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"OPC_PUBLIC_URL must look like https://opc.example.cn, not {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def _select_locale():
    """Simplified Chinese unless the user switched to English (the session remembers)."""
    lang = session.get("lang") if has_request_context() else None
    return lang if lang in LANGUAGES else "zh"


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or (
        "sqlite:///" + os.path.join(app.instance_path, "opc.sqlite3"))
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://"):]
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_FOLDER=os.path.join(app.instance_path, "uploads"),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
        BABEL_DEFAULT_LOCALE="zh",
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Secure cookies everywhere but a development console on http://127.0.0.1.
        SESSION_COOKIE_SECURE=os.environ.get("OPC_ENV", "production") != "development",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        REMEMBER_COOKIE_HTTPONLY=True,
        TIMEZONE_FALLBACK="Asia/Shanghai",
        # memory:// counts per process: fine for `make run`; with several gunicorn
        # workers set redis://… so the limits hold across them (README).
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Behind a reverse proxy (README): how many proxies in front to trust for the
        # client's address and scheme, and the public https address handed out in QR
        # codes, calendar feeds and copied links.
        TRUSTED_PROXIES=int(os.environ.get("OPC_TRUSTED_PROXIES", "0") or 0),
        PUBLIC_BASE_URL=os.environ.get("OPC_PUBLIC_URL", ""),
        RATELIMIT_ENABLED=True,  # explicit: the limiter object outlives one app
        LOGIN_LIMIT="10 per 5 minutes",
        PAGE_SIZE=25,
    )
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)
    app.config["PUBLIC_BASE_URL"] = _public_base(app.config["PUBLIC_BASE_URL"])
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops, x_prefix=hops)

    dbsetup.configure_engine_options(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    limiter.init_app(app)

    for package in PACKAGES:
        package.init_app(app)
    return app
