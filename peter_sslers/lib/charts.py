"""Small charts rendered on the server as inline SVG strings: no JavaScript, every text escaped.

Each chart carries a ``<title>``/``<desc>`` and ``role="img"`` for screen readers; pages put a
plain text table next to it for Lynx, which ignores SVG.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Mapping, Sequence

SVG_NS = "http://www.w3.org/2000/svg"
FONT = 'font-family="system-ui, sans-serif"'
COLOURS = {
    "bar": "#0d6efd",
    "axis": "#6c757d",
    "grid": "#dee2e6",
    "active": "#198754",
    "expired": "#adb5bd",
    "inactive": "#6c8ebf",
    "revoked": "#dc3545",
    "today": "#fd7e14",
}


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _as_date(value: datetime.date | str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _as_utc(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc)


def _open_svg(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    chart_id = _esc(chart_id)
    return [
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'style="max-width:100%;height:auto" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart" id="{chart_id}">',
        f'<title id="{chart_id}-title">{_esc(title)}</title>',
        f'<desc id="{chart_id}-desc">{_esc(desc)}</desc>',
    ]


def _text(
    x: float,
    y: float,
    text: object,
    *,
    anchor: str = "middle",
    size: int = 11,
    fill: str = COLOURS["axis"],
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" '
        f'{FONT} aria-hidden="true">{_esc(text)}</text>'
    )


def expirations_histogram(
    weeks: Sequence[Mapping],
    *,
    width: int = 720,
    height: int = 240,
    chart_id: str = "expirations-chart",
) -> str:
    """Bars of ``[{"week_start": date, "count": n}, ...]``: certificates expiring per week."""
    left, right, top, bottom = 36, 8, 18, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    counts = [int(w["count"]) for w in weeks]
    total = sum(counts)
    peak = max(counts, default=0)
    scale_max = max(peak, 1)
    first = _as_date(weeks[0]["week_start"]) if weeks else None
    desc = (
        f"{total} active certificates expire in the {len(weeks)} weeks from {first}; "
        f"the busiest week has {peak}."
        if weeks
        else "No weeks to show."
    )
    parts = _open_svg(chart_id, width, height, "Active certificates expiring per week", desc)
    base_y = top + plot_h
    for value in sorted({0, scale_max, (scale_max + 1) // 2} if scale_max > 1 else {0, 1}):
        y = base_y - plot_h * value / scale_max
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{COLOURS["grid"]}" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y + 4, value, anchor="end"))
    slot = plot_w / max(len(weeks), 1)
    bar_w = slot * 0.7
    for i, (week, count) in enumerate(zip(weeks, counts, strict=True)):
        start = _as_date(week["week_start"])
        x = left + i * slot + (slot - bar_w) / 2
        bar_h = plot_h * count / scale_max
        label = f"Week of {start.isoformat()}: {count} certificate{'' if count == 1 else 's'}"
        parts.append(
            f'<rect x="{x:.1f}" y="{base_y - bar_h:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" '
            f'fill="{COLOURS["bar"]}"><title>{_esc(label)}</title></rect>'
        )
        if count:
            parts.append(_text(x + bar_w / 2, base_y - bar_h - 4, count, fill="#212529"))
        parts.append(_text(x + bar_w / 2, base_y + 16, start.strftime("%b %d")))
    parts.append(
        f'<line x1="{left}" y1="{base_y}" x2="{width - right}" y2="{base_y}" stroke="{COLOURS["axis"]}"/>'
    )
    parts.append(_text(left + plot_w / 2, height - 6, "week starting (UTC)"))
    parts.append("</svg>")
    return "\n".join(parts)


def certificate_state(cert: Mapping, now: datetime.datetime | None = None) -> str:
    """revoked, expired, active or inactive: how the timeline colours a certificate."""
    now = _as_utc(now or datetime.datetime.now(datetime.timezone.utc))
    if cert.get("is_revoked"):
        return "revoked"
    if _as_utc(cert["timestamp_not_after"]) < now:
        return "expired"
    return "active" if cert.get("is_active") else "inactive"


def certificate_timeline(
    certs: Sequence[Mapping],
    now: datetime.datetime | None = None,
    *,
    width: int = 720,
    max_rows: int = 20,
    chart_id: str = "certificate-timeline",
) -> str:
    """One bar per certificate from not-before to not-after, with a marker for today."""
    now = _as_utc(now or datetime.datetime.now(datetime.timezone.utc))
    rows = list(certs)[:max_rows]
    left, right, top, row_h, bottom = 56, 12, 20, 18, 26
    height = top + row_h * max(len(rows), 1) + bottom
    plot_w = width - left - right
    starts = [_as_utc(c["timestamp_not_before"]) for c in rows] + [now]
    ends = [_as_utc(c["timestamp_not_after"]) for c in rows] + [now]
    lo, hi = min(starts), max(ends)
    span = max((hi - lo).total_seconds(), 86400.0)
    lo -= datetime.timedelta(seconds=span * 0.02)
    span *= 1.04

    def x_of(moment: datetime.datetime) -> float:
        return left + plot_w * (_as_utc(moment) - lo).total_seconds() / span

    desc = f"{len(rows)} certificates from {min(starts).date()} to {max(ends).date()}; today is {now.date()}."
    parts = _open_svg(chart_id, width, height, "Certificate validity timeline", desc)
    for i, cert in enumerate(rows):
        y = top + i * row_h
        x1, x2 = x_of(cert["timestamp_not_before"]), x_of(cert["timestamp_not_after"])
        state = certificate_state(cert, now)
        label = (
            f"Certificate {cert['id']} ({state}): {_as_utc(cert['timestamp_not_before']).date()} "
            f"to {_as_utc(cert['timestamp_not_after']).date()}"
        )
        parts.append(
            f'<rect x="{x1:.1f}" y="{y + 3}" width="{max(x2 - x1, 2):.1f}" height="{row_h - 6}" rx="3" '
            f'fill="{COLOURS[state]}"><title>{_esc(label)}</title></rect>'
        )
        parts.append(_text(left - 6, y + row_h - 5, f"#{cert['id']}", anchor="end"))
    axis_y = top + row_h * max(len(rows), 1)
    parts.append(
        f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" stroke="{COLOURS["axis"]}"/>'
    )
    for moment, anchor in (
        (lo, "start"),
        (lo + datetime.timedelta(seconds=span / 2), "middle"),
        (lo + datetime.timedelta(seconds=span), "end"),
    ):
        parts.append(_text(x_of(moment), axis_y + 16, moment.date().isoformat(), anchor=anchor))
    today_x = x_of(now)
    parts.append(
        f'<line x1="{today_x:.1f}" y1="{top - 6}" x2="{today_x:.1f}" y2="{axis_y}" '
        f'stroke="{COLOURS["today"]}" stroke-width="2" stroke-dasharray="4 3"/>'
    )
    parts.append(_text(today_x, top - 8, "today", fill=COLOURS["today"]))
    parts.append("</svg>")
    return "\n".join(parts)
