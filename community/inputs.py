"""What a request may carry before any view reads it.

Refused here, once for every package, so no view meets a driver error or a
parser's recursion: an id in the address past the database's integer (PostgreSQL's
integer ends at 2**31 - 1: such an id is no row, 404); a JSON body that does not
parse, is not one object, or nests deeper than any form or scanner sends (400,
`json_invalid`); text carrying NUL or a lone surrogate, which no database column
holds (PostgreSQL refuses NUL, UTF-8 has no lone surrogates) in the query, the
form, the JSON, the address or a file's name (400, `text_invalid`). A refusal
answers JSON to a JSON request (as the scanner API does) and the error page to a
browser.
"""

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from community.web import local_referrer

MAX_ID = 2**31 - 1
MAX_JSON_DEPTH = 16
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class IdConverter(IntegerConverter):
    """`<int:…>` within the database's integer: a larger number matches no route (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def unreadable(value):
    """True when a text holds NUL or a lone surrogate."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _json_problem(value):
    """The code refusing a parsed JSON body, or None: one object, shallow, readable text."""
    if not isinstance(value, dict):
        return "json_invalid"
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return "json_invalid"
        if isinstance(item, dict):
            for key, inner in item.items():
                if unreadable(key):
                    return "text_invalid"
                stack.append((inner, depth + 1))
        elif isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)
        elif isinstance(item, str) and unreadable(item):
            return "text_invalid"
    return None


def _texts():
    for key, value in (request.view_args or {}).items():
        if isinstance(value, str):
            yield value
    for key, values in request.args.lists():
        yield key
        yield from values
    if request.mimetype not in FORM_TYPES:  # werkzeug parses no other body as a form
        return
    for key, values in request.form.lists():
        yield key
        yield from values
    for key, storage in request.files.items(multi=True):
        yield key
        yield storage.filename or ""


def problem():
    """The code refusing this request's input, or None."""
    if request.is_json and request.method not in ("GET", "HEAD", "OPTIONS") \
            and request.get_data(cache=True):
        try:  # parsed once: the view's request.get_json() is answered from werkzeug's cache
            data = request.get_json()
        except (BadRequest, RecursionError):
            return "json_invalid"
        code = _json_problem(data)
        if code:
            return code
    if any(unreadable(text) for text in _texts()):
        return "text_invalid"
    return None


def refuse_unreadable_input():
    """before_request: answer 400 with a code when the input is refused above, and 413
    (never echoing it back) to a form whose text passes MAX_FORM_MEMORY_SIZE: werkzeug
    applies that limit to multipart fields only, so a url-encoded form is measured here."""
    limit = current_app.config.get("MAX_FORM_MEMORY_SIZE")
    try:
        if limit and request.mimetype == "application/x-www-form-urlencoded" \
                and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()
        code = problem()
    except RequestEntityTooLarge:
        if (request.content_length or 0) > (current_app.config.get("MAX_CONTENT_LENGTH") or 0):
            raise  # a file past the upload limit: the 413 page says so
        return render_template("error.html", code=413, title=gettext("表单内容过长"),
                               text=gettext("提交的内容超过了大小限制，未保存任何内容。请缩短后重试。"),
                               back=local_referrer()), 413
    except BadRequest:  # a body the form parser cannot read
        code = "body_invalid"
    if code is None:
        return None
    return refusal(code)


def refusal(code):
    from community.messages import message
    if request.is_json or request.path.startswith("/api/") \
            or request.accept_mimetypes.best == "application/json":
        response = jsonify({"status": "error", "reason": code})
        response.status_code = 400
        return response
    return render_template("error.html", code=400, title=gettext("请求无效"), text=message(code),
                           back=local_referrer()), 400
