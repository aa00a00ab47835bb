"""The evidence completeness page: for a period, the ledger rows each indicator still
lacks evidence for, and where each is filed (community.gaps)."""
from flask import abort, render_template, request
from flask import session as http_session
from flask_babel import gettext
from flask_login import current_user

from community.extensions import db
from community.forms import PeriodForm
from community.gaps import collect, lacks_words
from community.permissions import may_read_period
from community.registry import registry
from community.views import bp
from community.views.dashboard import chosen_period

SHOWN = 500  # per indicator: a city-wide community may lack thousands of licence files


@bp.route("/evidence/gaps")
def evidence_gaps():
    """Staff and admin for any period; an assessor only inside a period granted to it."""
    form = PeriodForm(request.args)
    form.validate()
    period = chosen_period(form)
    if not may_read_period(db.session, current_user, period):
        abort(403)
    groups = collect(db.session, registry(), period)
    joiner = ", " if http_session.get("lang") == "en" else "、"
    return render_template("community/evidence_gaps.html", form=form, period=period,
                           groups=groups, total=sum(len(g.gaps) for g in groups), shown=SHOWN,
                           lacks=lambda gap: lacks_words(gap.lacks, gettext, joiner))
