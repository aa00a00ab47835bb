"""Services: the public-service package (G1), professional support (P1), subsidy
quotas, provider bills, financing matchmaking and living amenities.

Delivering a service is recording it: a completed request, a grant and a
matchmaking meeting each record the firm as served (S4, source SERVED_SOURCE)
on the community's day it took place.
"""

SERVED_SOURCE = "services"


def init_app(app):
    from community.labels import N_
    from community.files import tenant_record
    from community.permissions import can
    from community.registry import NavItem, TenantSection, registry
    from services import bills, financing, gaps, ledger, models  # noqa: F401  (tables for Alembic)
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
    reg.add_audit_words(objects={
        "service_request": N_("服务申请"), "grant": N_("补贴发放"), "service_grant": N_("补贴发放"), "subsidy_grant": N_("补贴发放"),
        "quota": N_("补贴额度"), "provider": N_("服务机构"), "agreement": N_("合作协议"),
        "service_category": N_("服务项目"), "bill": N_("账单"), "financing_need": N_("融资需求"),
        "match_meeting": N_("投融资对接"), "amenity": N_("生活配套"),
        "finance_product": N_("金融服务产品")},
        actions={"provider.residency": N_("登记金融机构入驻日期"),
                 "match_meeting.outcome": N_("记录投融资对接结果"),
                 "service_request.confirmed": N_("确认并评价服务"),
                 "service_request.assigned": N_("为服务申请派单"),
                 "service_request.started": N_("开始办理服务申请")},
        fields={"assigned_at": N_("派单时间"), "cancel_reason": N_("取消原因"),
                "completed_at": N_("办结时间"), "completed_on": N_("办结日期"),
                "confirmed_at": N_("确认时间"), "rating_comment": N_("评价内容"),
                "started_at": N_("开始办理时间"), "value_fen": N_("金额"),
                "request_id": N_("服务申请"), "granted_on": N_("发放日期"),
                "signed_on": N_("签订日期"), "resident_since": N_("入驻日期"),
                "resident_until": N_("迁出日期"), "position": N_("排序"),
                "target_days": N_("办结时限（天）"), "measure": N_("计量方式"),
                "billed_on": N_("账单日期"), "amount_wan": N_("金额（万元）"),
                "met_on": N_("对接日期"), "need_id": N_("融资需求"), "raised_on": N_("提出日期")})
    ledger.register(reg)
    gaps.register(reg)
    # community.locks: what places each record in a period (a request by the day it was
    # completed: an open one is in no ledger yet).
    reg.add_dated("service_request", "completed_on")
    reg.add_dated("subsidy_grant", "granted_on")
    reg.add_dated("match_meeting", "met_on")
    reg.add_dated("agreement", "starts_on", "ends_on", ranged=True)
    reg.add_dated("amenity", "listed_on", "withdrawn_on", ranged=True)
    reg.add_attachment_owner(ledger.AGREEMENT, lambda user, _id: can(user, "view"))
    reg.add_attachment_owner(ledger.REQUEST, request_views.can_view_files)
    reg.add_attachment_owner(bills.BILL_FILE, bill_views.can_view_file)
    reg.add_attachment_owner(ledger.GRANT, tenant_record(models.Grant))
    reg.add_attachment_owner(ledger.PROVIDER, lambda user, _id: can(user, "view"))
    reg.add_nav(NavItem("services.queue", N_("服务"), lambda user: can(user, "view")))
    reg.add_nav(NavItem("services.mine", N_("企业服务"),
                        lambda user: can(user, "request_service")))
    reg.add_attention(request_views.attention)
    reg.add_tenant_section(TenantSection("services/_tenant_section.html",
                                         request_views.tenant_section))
    reg.add_demo(load_demo)
    financing.register(app, reg)
    app.register_blueprint(bp)
