"""Events: public registration, QR tickets, check-in at the door, attendance, E1."""


def init_app(app):
    from community.labels import LABELS
    from community.messages import add_messages
    from events.labels import LABELS as EVENT_LABELS
    from events.messages import MESSAGES as EVENT_MESSAGES

    # Labels first: the forms build their choices from them when imported.
    add_messages(EVENT_MESSAGES)
    LABELS.update(EVENT_LABELS)

    from app import csrf
    from community.files import register_owner
    from community.registry import NavItem, registry
    from events import cli, ledger, models  # noqa: F401  (tables known to Alembic)
    from events.demo import load_demo
    from events.rules import can_view
    from events.views import api_bp, bp, public_bp

    from community.dbsetup import utcnow

    app.config.setdefault("EVENTS_RETENTION_DAYS", 365)
    app.jinja_env.globals["now_utc"] = utcnow
    app.jinja_env.filters["mask_name"] = ledger.mask_name
    app.register_blueprint(bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # token-authenticated, no cookie: nothing to forge
    reg = registry(app)
    ledger.register(reg)
    reg.nav.append(NavItem("events.index", "活动", can_view))
    reg.demo_loaders.append(load_demo)
    register_owner(ledger.NOTICE, lambda user, _id: can_view(user))
    register_owner(ledger.PHOTO, lambda user, _id: can_view(user))
    cli.register(app)
