"""Room booking: founders book the roadshow hall and meeting rooms themselves."""

SERVED_SOURCE = "booking"


def init_app(app):
    from community.labels import N_
    from datetime import timedelta

    from flask_babel import gettext

    from booking import feeds, ledger, models, views  # noqa: F401  (routes, tables)
    from booking.demo import load_demo
    from booking.forms import WEEKDAYS
    from booking.messages import MESSAGES, STATUS_LABELS
    from community.files import tenant_record
    from community.permissions import can
    from community.registry import NavItem, registry

    reg = registry(app)
    for role in ("member", "staff", "admin"):
        reg.grant(role, "book")
    reg.add_messages(MESSAGES)
    reg.add_labels({"booking_status": STATUS_LABELS})
    reg.add_served_source(SERVED_SOURCE, "场地预约")
    reg.add_audit_words(objects={"booking": N_("场地预约"), "room": N_("预约规则"),
                                 "blackout": N_("停用时段")},
                        actions={"booking.released": N_("释放未签到的预约"),
                                 "booking.checked_in": N_("确认预约已签到")},
                        fields={"booked_by_id": N_("预约人"), "decided_at": N_("审批时间"),
                                "decided_by_id": N_("审批人"), "decision_reason": N_("审批意见"),
                                "released_at": N_("释放时间"), "series_id": N_("每周重复"),
                                "uid": N_("日历标识"), "book_ahead_days": N_("可提前预约天数"),
                                "cancel_deadline_minutes": N_("取消截止（开始前分钟）"),
                                "min_minutes": N_("最短时长（分钟）"),
                                "max_minutes": N_("最长时长（分钟）"),
                                "slot_minutes": N_("时段（分钟）"), "needs_approval": N_("需要审批"),
                                "open_on_holidays": N_("节假日开放"),
                                "opening_hours": N_("开放时间"),
                                "quota_hours_per_week": N_("每周限额（小时）"),
                                "release_after_minutes": N_("未签到释放（分钟）")})
    ledger.register(reg)
    reg.add_dated("booking", "starts_at")  # community.locks: a booking belongs to its day
    reg.add_attachment_owner(ledger.EVIDENCE, tenant_record(models.Booking))
    reg.add_nav(NavItem("booking.rooms", "预约场地", lambda user: can(user, "book")))
    reg.add_nav(NavItem("booking.my_bookings", "预约记录", lambda user: can(user, "book")))
    reg.add_demo(load_demo)
    reg.add_attention(views.attention)
    # The holiday table is community's (community/holidays.py); booking is what reads it,
    # so booking warns when a year rooms can be booked in is missing from it.
    reg.add_attention(views.holiday_attention)
    app.register_blueprint(views.bp)
    app.jinja_env.globals.update(
        timedelta=timedelta, weekday_label=lambda day: gettext(str(WEEKDAYS[day.weekday()])))
