"""Room booking: founders book the roadshow hall and meeting rooms themselves."""


def init_app(app):
    from booking import feeds, ledger, models, views  # noqa: F401  (routes, tables)
    from booking.demo import load_demo
    from booking.messages import MESSAGES as BOOKING_MESSAGES
    from booking.messages import STATUS_LABELS
    from community.labels import LABELS
    from community.messages import add_messages
    from community.registry import NavItem, registry
    from community.rules import can, grant

    grant("member", "book")
    grant("staff", "book")
    grant("admin", "book")
    add_messages(BOOKING_MESSAGES)
    LABELS["booking_status"] = STATUS_LABELS
    reg = registry(app)
    ledger.register(reg)
    reg.nav.append(NavItem("booking.rooms", "预约场地", lambda user: can(user, "book")))
    reg.nav.append(NavItem("booking.my_bookings", "预约记录", lambda user: can(user, "book")))
    reg.demo_loaders.append(load_demo)
    reg.attention.append(views.attention)
    app.register_blueprint(views.bp)

    from datetime import timedelta

    from flask_babel import gettext

    from booking.forms import WEEKDAYS
    app.jinja_env.globals.update(
        timedelta=timedelta, weekday_label=lambda day: gettext(str(WEEKDAYS[day.weekday()])))
