"""What the fuzz suite sends: path ids, query strings, form fields, JSON bodies,
uploads and hostile text, as Hypothesis strategies."""
import importlib
import json
from urllib.parse import quote

from flask_wtf import FlaskForm
from hypothesis import strategies as st
from wtforms import fields
from wtforms.fields.core import UnboundField

# Text a stranger may type, each a class of input that once broke something somewhere.
HOSTILE = ["\ud800", "\x00", "a\x00b", "%", "_", "%_%", "../", "../../etc/passwd", "\\", "'",
           "\"", "' OR '1'='1", "'; DROP TABLE tenant; --", "=cmd|' /C calc'!A0", "+1", "-1",
           "@SUM(1)", "\u202etxt.exe", "\u200f\u200e", "😀👩‍💻", "𠀀", "<script>x</script>",
           "{{7*7}}", "%s%(x)s", " ", "\t\r\n", "ｘ", "null", "[]", "{}", "0", "-0", "1e309",
           "NaN", "9" * 40, "a" * 5000, "中" * 3000, "x" * 70000, "2026-02-30", "9999-12-31",
           "0000-00-00", "2026-06-01T25:61", "//evil.example", "https://evil.example/",
           "javascript:alert(1)", "\ufeff", "\x7f", "\x1b[31m"]
INTS = [0, 1, 2, 3, 4, 5, -1, 2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**63 - 1, 2**63, 2**64,
        10**30]
QUERY_KEYS = ["q", "page", "date", "day", "period", "start", "end", "next", "year", "status",
              "kind", "show", "category", "tenant", "zone_id", "full", "relationship", "opc",
              "start_on", "end_on", "format", "lang", "code", "preset", "month"]
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]"
       b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
FILE_NAMES = ["a.png", "a.pdf", "证明.jpg", "x.exe", "../../x.png", "", "a\x00.png", "a\ud800.pdf",
              "a" * 300 + ".png", "报表.xlsx", "data.csv", "=cmd|.csv"]
PACKAGES = ("community", "booking", "events", "services", "scenarios")


def _import_forms():
    """Import every package's forms modules, so FlaskForm knows all its subclasses."""
    import pkgutil
    for package in PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, package + "."):
            if "forms" in info.name:
                importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def form_fields():
    """Every field name of the app's forms -> a plausible value by the field's type."""
    _import_forms()
    found = {}
    for form in _subclasses(FlaskForm):
        for name in dir(form):
            unbound = getattr(form, name, None)
            if isinstance(unbound, UnboundField):
                found.setdefault(name, plausible(unbound.field_class))
    found.pop("csrf_token", None)
    return found


def plausible(field_class):
    if issubclass(field_class, (fields.DateTimeLocalField, fields.DateTimeField)):
        return "2026-06-01T10:00"
    if issubclass(field_class, fields.DateField):
        return "2026-06-01"
    if issubclass(field_class, fields.TimeField):
        return "10:00"
    if issubclass(field_class, (fields.IntegerField, fields.DecimalField, fields.FloatField)):
        return "1"
    if issubclass(field_class, fields.BooleanField):
        return "y"
    if issubclass(field_class, (fields.SelectField, fields.RadioField)):
        return "1"
    if issubclass(field_class, fields.SelectMultipleField):
        return "1"
    if issubclass(field_class, fields.FileField):
        return None  # an upload, drawn separately
    if issubclass(field_class, fields.EmailField):
        return "a@example.com"
    if issubclass(field_class, fields.TelField):
        return "13800138000"
    return "测试内容"


def text():
    return st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40),
                     st.integers(-2**70, 2**70).map(str), st.sampled_from(
                         ["2026-06-01", "2026-01-01", "2025-12-31", "1", "y", "on", "true",
                          "zh", "en", "staff", "admin", "member", "assessor"]))


def path_value(converter, known):
    """A path argument: tenant A's own object, ids 0..5 and past every integer range,
    or hostile text for a string argument."""
    if converter == "IntegerConverter":
        return st.one_of(st.sampled_from(INTS), st.integers(0, 2**70),
                         st.just(known) if known is not None else st.nothing())
    options = [text().filter(lambda s: s != "")]
    if known is not None:
        options.append(st.just(known))
    return st.one_of(*options)


def query():
    keys = st.one_of(st.sampled_from(QUERY_KEYS), st.text(min_size=1, max_size=12))
    values = st.one_of(text(), st.sampled_from(INTS).map(str))
    return st.lists(st.tuples(keys, values), max_size=5)


def encode_pairs(pairs):
    """A query string or form body as a browser would send it; lone surrogates go as
    their CESU bytes, which no valid UTF-8 decoder accepts."""
    return "&".join(f"{quote(k, safe='', errors='surrogatepass')}="
                    f"{quote(v, safe='', errors='surrogatepass')}" for k, v in pairs)


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                      st.floats(allow_nan=False), st.sampled_from(HOSTILE),
                      st.text(max_size=20))


def json_body(field_names):
    keys = st.one_of(st.sampled_from(["code", "secret", "nonce", "q", "name", "mobile",
                                      "consent"] + field_names), st.text(max_size=8))
    tree = st.recursive(json_leaf, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=4)), max_leaves=12)
    nested = st.integers(50, 5000).map(lambda depth: "[" * depth + "]" * depth)
    return st.one_of(
        st.dictionaries(keys, tree, max_size=6).map(lambda d: json.dumps(d)),
        tree.map(json.dumps), nested,
        st.sampled_from(["", "{", "nul", "[1,", "\"\\ud800\"", "{\"code\": \"\\u0000\"}",
                         "{\"code\": \"\\ud800\", \"nonce\": \"\\ud800\"}",
                         "{\"code\": 1e999}", "{\"code\": 123, \"nonce\": []}",
                         "{\"code\": {\"a\": 1}, \"nonce\": {\"b\": 2}}"]))


upload = st.tuples(st.one_of(st.binary(max_size=200), st.sampled_from([PNG, PDF, b""])),
                   st.sampled_from(FILE_NAMES))
