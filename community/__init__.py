"""The community core every other package builds on.

`init_app(app)` makes the app's registry (community.registry: the contract
every package plugs in through), then plugs the core itself in through it.
"""
from decimal import Decimal

from flask import session as http_session
from flask_babel import gettext
from flask_login import current_user

from community.registry import Registry, registry

SERVED_SOURCE = "community"  # services staff logged by hand before the services package


def init_app(app):
    from community import audit, chain, cli, ledger, opc, views  # noqa: F401 (chain: seals)
    from community import packs
    from community import gaps
    from community import inputs
    from community import assessors
    from community.extensions import db
    from community.files import tenant_record
    from community.models import DeskAssignment
    from community.labels import LABELS
    from community.messages import MESSAGES
    from community.permissions import CORE_GRANTS, can, can_view_tenant
    from community.views import holidays as holiday_views, locks as lock_views
    from community.views.space import desks_ending
    from community.views.tenants import undetermined_firms
    from community.web import (enforce_login, enforce_password_change, people_only,
                               start_write_transaction)

    # Before any blueprint adds a route: every <int:…> ends at the database's integer.
    app.url_map.converters["int"] = inputs.IdConverter
    app.extensions["opc_registry"] = reg = Registry()
    for role, permissions in CORE_GRANTS.items():
        reg.grant(role, *permissions)
    reg.add_messages(MESSAGES)
    holiday_views.register(reg)
    reg.add_labels(LABELS)
    reg.add_attachment_owner("tenant", can_view_tenant)
    reg.add_attachment_owner("zone", lambda user, _id: can(user, "view"))
    # The site's tenure (lease, agreement, deed: 附件2 场地权属), owned by the settings row.
    reg.add_attachment_owner("community", lambda user, _id: can(user, "edit"))
    reg.add_attachment_owner(opc.LICENCE_FILE, can_view_tenant)
    reg.add_attachment_owner("desk", lambda user, _id: can(user, "view"))
    reg.add_attachment_owner("desk_assignment", tenant_record(DeskAssignment))
    reg.add_attention(undetermined_firms)
    reg.add_attention(desks_ending)
    reg.add_served_source(SERVED_SOURCE, "登记服务")
    reg.add_audit_words(objects=audit.CORE_OBJECTS, actions=audit.CORE_ACTIONS,
                        verbs=audit.VERBS, fields=audit.CORE_FIELDS)
    assessors.register(reg)
    ledger.register(reg)
    gaps.register(reg)  # the completeness page: the rows that still lack evidence
    packs.register(app, reg)
    # What dates the core's ledger records (community.locks): a state or an area from a
    # day on reaches onward, so it is declared as an end.
    reg.add_dated("tenant", "moved_in_on", "moved_out_on", "closed_on", ranged=True)
    reg.add_dated("desk_assignment", "starts_on", "ends_on", ranged=True)
    reg.add_dated("desk", "in_service_on", "state_from", ranged=True)
    reg.add_dated("zone", "in_service_on", "out_of_service_on", "area_from", ranged=True)
    reg.add_dated("served_record", "served_on")
    reg.add_dated("licence", "effective_on")

    # Input no view could store is refused first, before a transaction begins.
    app.before_request(inputs.refuse_unreadable_input)
    # The write transaction must begin before anything reads (loading the user does).
    app.before_request(start_write_transaction)
    app.before_request(enforce_login)
    # About the person logged in: a device's @bearer request loads no user for them.
    app.before_request(people_only(enforce_password_change))
    app.before_request(people_only(lock_views.apply_correction_reason))

    @app.teardown_request
    def rollback_uncommitted(exc):
        db.session.rollback()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    app.register_blueprint(views.bp)
    cli.register(app)
    _error_pages(app)
    _template_helpers(app)


def _template_helpers(app):
    from community.labels import label, unit as unit_words
    from community.permissions import can
    from community.validators import mask_phone
    from community.web import community_tz, public_url

    def page_url(page):
        from flask import request, url_for
        view_args = request.view_args or {}
        args = {k: v for k, v in request.args.items()
                if not k.startswith("_") and k not in view_args} | {"page": page}
        return url_for(request.endpoint, **view_args, **args)

    # Globals, not a context processor: imported macros see globals only.
    def nav_items():
        return [item for item in registry().nav if item.visible(current_user)]

    app.jinja_env.globals.update(can=lambda permission: can(current_user, permission),
                                 page_url=page_url, nav_items=nav_items, public_url=public_url,
                                 correction_reason=lambda: http_session.get(
                                     "correction_reason"))  # community.views.locks

    @app.context_processor
    def helpers():
        return {"lang": http_session.get("lang", "zh")}

    app.template_filter("unit")(unit_words)

    @app.template_filter("label")
    def label_filter(value, group):
        text = label(group, value)
        return gettext(text) if text else ""

    @app.template_filter("day")
    def day_filter(value):
        return f"{value:%Y-%m-%d}" if value else ""

    @app.template_filter("moment")
    def moment_filter(value):
        return f"{value.astimezone(community_tz()):%Y-%m-%d %H:%M}" if value else ""

    @app.template_filter("hm")
    def hm_filter(value):
        return f"{value.astimezone(community_tz()):%H:%M}" if value else ""

    @app.template_filter("area")
    def area_filter(value):
        return f"{Decimal(value):,.2f}" if value is not None else ""

    @app.template_filter("yuan")
    def yuan_filter(fen):
        return f"¥{Decimal(fen) / 100:,.2f}" if fen is not None else ""

    @app.template_filter("number")
    def number_filter(value):
        if value is None:
            return "—"
        value = Decimal(value)
        return f"{value:,.0f}" if value == value.to_integral() else f"{value:,.2f}"

    app.template_filter("mask")(mask_phone)

    @app.template_filter("audit_action")
    def audit_action_filter(action):
        from community.audit import describe
        return describe(action, registry().audit_words)

    @app.template_filter("audit_object")
    def audit_object_filter(object_type):
        name = registry().audit_words["objects"].get(object_type)
        return gettext(name) if name else object_type

    @app.template_filter("audit_field")
    def audit_field_filter(key):
        from community.audit import field_titles
        title = field_titles(registry()).get(key)
        return gettext(title) if title else key

    @app.template_filter("audit_value")
    def audit_value_filter(value, object_type, key):
        from community.audit import shown_value
        return shown_value(registry(), object_type, key, value, community_tz())


def _error_pages(app):
    from flask import render_template
    from community.labels import N_
    from flask_wtf.csrf import CSRFError

    texts = {
        400: (N_("请求无效"), N_("请返回上一页重试。")),
        403: (N_("没有权限"), N_("您的账号无权访问此页面或执行此操作。")),
        404: (N_("页面不存在"), N_("要找的记录不存在或已被删除。")),
        413: (N_("文件过大"), N_("上传的文件超过了大小限制（20 MB）。")),
        429: (N_("操作过于频繁"), N_("操作过于频繁，请稍后再试。")),
    }
    # What a limit says when it is reached (its error_message, community.views.auth and
    # events.views.public): the login's and the door's own words.
    too_many = {
        "too_many_logins": (N_("登录尝试过多"), N_("登录尝试过于频繁，请5分钟后再试。")),
        "too_many_tries": (N_("尝试次数过多"), N_("尝试次数过多，请一分钟后再试，或请现场工作人员帮您签到。")),
    }

    def render(code, title, text):
        from community.web import local_referrer
        return render_template("error.html", code=code, title=gettext(title),
                               text=gettext(text), back=local_referrer()), code

    def handler(code):
        return lambda exc: render(code, *texts[code])

    for code in texts:
        app.register_error_handler(code, handler(code))

    @app.errorhandler(429)
    def too_many_requests(exc):
        return render(429, *too_many.get(getattr(exc, "description", ""), texts[429]))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render(400, N_("页面已过期"), N_("表单安全令牌缺失或已过期，请刷新页面后重新提交。"))
