"""Small charts drawn on the server as inline SVG: no script, print-friendly (the PDF
renders them as they are), sized to fit a 360 px phone (the SVG scales to its box).

    month_chart(values, line)   twelve month slots: a bar per month read so far and the
                                target line over the whole year (dashed)
    pace_chart(pace)            the same for a community.pace.Pace
"""
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH, HEIGHT = 320, 132
LEFT, RIGHT, TOP, BOTTOM = 30, 8, 10, 18  # margins for the axis labels


def _fmt(value):
    value = Decimal(value)
    if value == value.to_integral():
        return str(value.quantize(Decimal(1)))
    return str(value.quantize(Decimal("0.1")))


def month_chart(values, line=None, *, title="", behind=False, months=12, unit=""):
    """An SVG of `values` (one number per month read so far, January first) as bars,
    with `line` (one number per month slot, or None) as the target line over all
    `months` slots. `behind` draws the bars in the warning colour."""
    values = [Decimal(v) for v in values]
    line = [None if v is None else Decimal(v) for v in (line or [])]
    top = max([Decimal(1)] + values + [v for v in line if v is not None])
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = Decimal(inner_w) / months

    def y(v):
        return TOP + inner_h - float(Decimal(v) / top * inner_h)

    def x(i):
        return LEFT + float(slot * i)

    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
             f'style="max-width:{WIDTH}px;height:auto" preserveAspectRatio="xMinYMin meet">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    base = TOP + inner_h
    parts.append(f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" '
                 f'stroke="#999" stroke-width="1"/>')
    parts.append(f'<text x="{LEFT - 4}" y="{TOP + 4}" font-size="10" text-anchor="end" '
                 f'fill="#666">{_fmt(top)}</text>')
    parts.append(f'<text x="{LEFT - 4}" y="{base}" font-size="10" text-anchor="end" '
                 f'fill="#666">0</text>')
    fill = "#d9822b" if behind else "#3b7dd8"
    bar_w = float(slot) * 0.64
    for i, v in enumerate(values[:months]):
        h = base - y(v)
        parts.append(f'<rect class="chart-bar" x="{x(i) + float(slot) * 0.18:.1f}" y="{y(v):.1f}" '
                     f'width="{bar_w:.1f}" height="{h:.1f}" fill="{fill}">'
                     f'<title>{i + 1}: {_fmt(v)}{escape(unit)}</title></rect>')
    for i in range(months):
        parts.append(f'<text x="{x(i) + float(slot) / 2:.1f}" y="{HEIGHT - 5}" font-size="9" '
                     f'text-anchor="middle" fill="#666">{i + 1}</text>')
    points = [(x(i) + float(slot) / 2, y(v)) for i, v in enumerate(line[:months])
              if v is not None]
    if points:
        if len({round(py, 1) for _, py in points}) == 1:  # a level target: edge to edge
            points = [(LEFT, points[0][1]), (WIDTH - RIGHT, points[0][1])]
        else:
            points = [(LEFT, float(base))] + points
        coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline class="chart-target" points="{coords}" fill="none" '
                     f'stroke="#c0392b" stroke-width="1.5" stroke-dasharray="4 3"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def pace_chart(pace, title=""):
    """The chart of a community.pace.Pace: its monthly values against its target line
    over the whole year."""
    from community.pace import month_ends, target_line
    from datetime import date

    if pace.target is None:
        line = None
    elif pace.rolling:
        line = [pace.target] * 12
    else:
        line = [target_line(pace.target, day)
                for day in month_ends(pace.year, date(pace.year, 12, 31))]
    return month_chart([p.value for p in pace.points], line, title=title or pace.code,
                       behind=pace.behind, unit=pace.unit)
