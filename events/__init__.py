"""Events: public registration, QR tickets, check-in at the door, attendance, E1.

A checked-in attendee serves a tenant (S4, source SERVED_SOURCE) only when known
to belong to it: a member's registered mobile, or a link staff confirmed
(events.rules). Attendees' personal data is kept until the settings' keep-until
date, then EVENTS_RETENTION_DAYS after each event (`flask events purge`).
"""

SERVED_SOURCE = "events"


def init_app(app):
    from community.labels import N_
    from community.dbsetup import utcnow
    from community.extensions import csrf
    from community.registry import NavItem, registry
    from events import cli, gaps, ledger, models  # noqa: F401  (tables known to Alembic)
    from events.demo import load_demo
    from events.labels import LABELS
    from events.messages import MESSAGES
    from events.rules import can_view
    from events.views import api_bp, bp, public_bp

    # Days after an event its attendees' data is kept once the keep-until date passed.
    app.config.setdefault("EVENTS_RETENTION_DAYS", 365)
    app.jinja_env.globals["now_utc"] = utcnow
    app.jinja_env.filters["mask_name"] = ledger.mask_name
    app.register_blueprint(bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # token-authenticated, no cookie: nothing to forge
    reg = registry(app)
    reg.add_messages(MESSAGES)
    reg.add_labels(LABELS)
    reg.add_served_source(SERVED_SOURCE, "活动参与")
    reg.add_audit_words(objects={"event": N_("活动"), "registration": N_("报名"),
                                 "scanner_device": N_("扫码设备"),
                                 # attachment owners, named on their evidence page
                                 "event_notice": N_("活动通知"), "event_photo": N_("活动照片")},
                        actions={"event.attendees_purged": N_("清除参会人个人信息"),
                                 "registration.tenant_linked": N_("确认参会人所属企业"),
                                 "registration.tenant_unlinked": N_("取消参会人与企业的关联"),
                                 "registration.consent_withdrawn": N_("撤回个人信息同意"),
                                 "registration.promoted": N_("候补报名转为正式"),
                                 "registration.checked_in": N_("为报名者签到"),
                                 "event.held": N_("将活动标记为已举办")},
                        fields={"published_at": N_("发布时间"), "held_at": N_("举办确认时间"),
                                "organiser": N_("主办单位"), "co_organisers": N_("协办单位"),
                                "notice_text": N_("活动通知"), "venue_address": N_("活动地点"),
                                "registration_closes_at": N_("报名截止时间"),
                                "booking_id": N_("场地预约"), "purged_at": N_("个人信息清除时间"),
                                "assessor_consent": N_("同意提供给考核评估方"),
                                "consent_at": N_("同意时间"), "queued_at": N_("候补时间"),
                                "checked_in_by_id": N_("签到操作人"),
                                "checkin_device_id": N_("签到设备"), "event_id": N_("活动")})
    ledger.register(reg)
    gaps.register(reg)
    reg.add_dated("event", "starts_at")  # community.locks: an event belongs to its day
    reg.add_nav(NavItem("events.index", "活动", can_view))
    from events.views.manage import attention
    reg.add_attention(attention)
    reg.add_demo(load_demo)
    reg.add_attachment_owner(ledger.NOTICE, lambda user, _id: can_view(user))
    reg.add_attachment_owner(ledger.PHOTO, lambda user, _id: can_view(user))
    cli.register(app)
