"""The report's charts, drawn on the server as inline SVG (no script, no outside
address: the PDF renders them as they are).

    target_bars(rows)   one bar per row: how far the actual figure reached towards its
                        target (the dashed mark), coloured by whether it got there
"""
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH, ROW, RIGHT_PAD, FONT = 720, 26, 80, 11
COLOURS = {"met": "#2e7d32", "ongoing": "#d9822b", "missed": "#c0392b", "ahead": "#9aa5b1",
           "none": "#3b7dd8"}


def _fmt(value):
    value = Decimal(value)
    if value == value.to_integral():
        return f"{value.quantize(Decimal(1)):,}"
    return f"{value.quantize(Decimal('0.1')):,}"


def _text_width(text):
    """About how wide a label is drawn: a CJK character is an em, the rest about 0.62."""
    return sum(FONT if ord(ch) > 0x2E80 else FONT * 0.62 for ch in text)


def target_bars(rows, title=""):
    """An SVG of `rows` — (label, actual or None, target or None, status) — as
    horizontal bars on one scale, with each target as a dashed mark."""
    rows = list(rows)
    label_w = int(min(max([_text_width(str(row[0])) for row in rows] + [100]) + 10, 360))
    numbers = [Decimal(v) for _, a, t, _ in rows for v in (a, t) if v is not None]
    top = max(numbers + [Decimal(1)])
    inner = WIDTH - label_w - RIGHT_PAD
    height = ROW * len(rows) + 8

    def x(v):
        return label_w + float(Decimal(v) / top) * inner

    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for i, (label, actual, target, status) in enumerate(rows):
        y = 4 + i * ROW
        parts.append(f'<text x="{label_w - 6:.0f}" y="{y + 15}" font-size="{FONT}" '
                     f'text-anchor="end" '
                     f'fill="#333">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w:.0f}" y="{y + 5}" width="{inner:.0f}" height="12" '
                     f'fill="#eef2f7"/>')
        if actual is not None and Decimal(actual) > 0:
            parts.append(f'<rect class="bar" x="{label_w:.0f}" y="{y + 5}" '
                         f'width="{x(actual) - label_w:.1f}" height="12" '
                         f'fill="{COLOURS.get(status, COLOURS["none"])}"/>')
        if target is not None:
            parts.append(f'<line class="target" x1="{x(target):.1f}" y1="{y + 1}" '
                         f'x2="{x(target):.1f}" y2="{y + 21}" stroke="#1a1a1a" '
                         f'stroke-width="1.5" stroke-dasharray="3 2"/>')
        words = ("—" if actual is None else _fmt(actual)) + (
            f" / {_fmt(target)}" if target is not None else "")
        parts.append(f'<text x="{WIDTH - RIGHT_PAD + 6}" y="{y + 15}" font-size="{FONT}" '
                     f'fill="#333">{escape(words)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
