"""Financing matchmaking (投融资对接) and living amenities (生活配套): the
application form's 金融服务 and 生活配套 items (F1, L1). Products, needs,
meetings and amenities are kept by staff on the services blueprint; a meeting
serves its firm (S4) unless voided; a founder records its own firm's financing
needs and sees them, with its meetings, in a panel on its tenant page."""


def register(app, reg):
    """Plug financing and amenities into the app (their routes live on services.bp)."""
    from community.permissions import can
    from community.registry import NavItem, TenantSection
    from services.financing import amenity_views, ledger, views  # noqa: F401  (routes)
    from services.financing.demo import load_demo
    from services.financing.labels import LABELS
    from services.financing.messages import MESSAGES
    from community.files import tenant_record
    from community.labels import N_
    from services.models import MatchMeeting

    reg.add_messages(MESSAGES)
    reg.add_labels(LABELS)
    ledger.register(reg)
    reg.add_attachment_owner(ledger.MEETING, tenant_record(MatchMeeting))
    # Staff reach financing and amenities through the services tabs (services/_layout.html).
    reg.add_nav(NavItem("services.financing_mine", N_("融资对接"),
                        lambda user: can(user, "request_service") and not can(user, "view")))
    reg.add_attention(views.attention)
    reg.add_tenant_section(TenantSection("services/financing/_tenant_section.html",
                                         views.tenant_section))
    reg.add_demo(load_demo)
