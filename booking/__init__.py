"""Room booking: founders book the roadshow hall and meeting rooms themselves."""


def init_app(app):
    from booking import models  # noqa: F401  (tables known to the app and Alembic)
