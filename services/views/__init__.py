"""The services blueprint (/services): the staff queue and a request's page, the
founders' own services, the catalogue, the provider directory, quotas and
grants, bills, and (services.financing) financing and amenities."""
from flask import Blueprint

bp = Blueprint("services", __name__, url_prefix="/services")

from services.views import bills, catalogue, requests, subsidies  # noqa: E402,F401
