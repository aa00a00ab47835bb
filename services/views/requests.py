"""Service requests: the staff queue, a request's page, the founders' own services."""
from flask import render_template

from community.permissions import can
from community.web import requires
from services.views import bp


def can_view_files(user, request_id):
    return can(user, "view")


def attention(session, user):
    return []


@bp.route("")
@requires("view")
def queue():
    return render_template("services/queue.html")


@bp.route("/mine")
@requires("request_service")
def mine():
    return render_template("services/mine.html")
