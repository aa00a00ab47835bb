"""Services: the public-service package (G1), professional support (P1), subsidy
quotas, provider bills, financing matchmaking and living amenities.

Delivering a service is recording it: a completed request, a grant and a
matchmaking meeting each record the firm as served (S4, source SERVED_SOURCE)
on the community's day it took place.
"""

SERVED_SOURCE = "services"


def init_app(app):
    from community.labels import N_
    from community.permissions import can
    from community.registry import NavItem, TenantSection, registry
    from services import bills, financing, ledger, models  # noqa: F401  (tables for Alembic)
    from services.demo import load_demo
    from services.labels import LABELS
    from services.messages import MESSAGES
    from services.views import bills as bill_views, bp, requests as request_views

    reg = registry(app)
    reg.grant("member", "request_service")
    reg.add_messages(MESSAGES)
    reg.add_messages(bill_views.MESSAGES)
    reg.add_labels(LABELS)
    reg.add_served_source(SERVED_SOURCE, "公共服务")
    ledger.register(reg)
    reg.add_attachment_owner(ledger.AGREEMENT, lambda user, _id: can(user, "view"))
    reg.add_attachment_owner(ledger.REQUEST, request_views.can_view_files)
    reg.add_attachment_owner(bills.BILL_FILE, bill_views.can_view_file)
    reg.add_nav(NavItem("services.queue", N_("服务"), lambda user: can(user, "view")))
    reg.add_nav(NavItem("services.mine", N_("企业服务"),
                        lambda user: can(user, "request_service")))
    reg.add_attention(request_views.attention)
    reg.add_tenant_section(TenantSection("services/_tenant_section.html",
                                         request_views.tenant_section))
    reg.add_demo(load_demo)
    financing.register(app, reg)
    app.register_blueprint(bp)
