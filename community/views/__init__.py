"""The community blueprint: sign-in, dashboard and export, space, tenants, admin."""
from flask import Blueprint

bp = Blueprint("community", __name__)

from community.views import admin, auth, dashboard, holidays, space, tenants  # noqa: E402,F401
from community.views import files  # noqa: E402,F401
from community.views import locks  # noqa: E402,F401
from community.views import assessors  # noqa: E402,F401
from community.views import reports  # noqa: E402,F401
from community.views import packs  # noqa: E402,F401
from community.views import evidence  # noqa: E402,F401
