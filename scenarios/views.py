"""The scenarios blueprint (not built yet)."""
from flask import Blueprint, render_template

from community.web import requires

bp = Blueprint("scenarios", __name__, url_prefix="/scenarios")


@bp.route("/board")
@requires("view")
def board():
    return render_template("base.html")


@bp.route("/published")
@requires("see_scenarios")
def published():
    return render_template("base.html")
