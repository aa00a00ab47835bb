"""The scenarios blueprint (/scenarios): the pipeline board with its funnel, a
scenario's page (stages, matches, suggestions, evidence), the scenario form, the
sourcing work, and the published scenarios founders answer with their interest."""
from flask import Blueprint

bp = Blueprint("scenarios", __name__, url_prefix="/scenarios")

from scenarios.views import activities, board, founders, pages  # noqa: E402,F401
