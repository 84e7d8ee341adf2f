"""The Sales page's chart: revenue per day as bars, orders per day as a line on a second
scale, an SVG drawn on the server by pygal and shown as a data: image (no script runs:
pygal's tooltips script is left out, and an <img> runs none anyway)."""

from __future__ import annotations

import base64
from collections.abc import Sequence

import pygal  # type: ignore[import-untyped]  # pygal ships no type information
from pygal.style import Style  # type: ignore[import-untyped]

from bookshop.store.orders.reports import Day

_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#333",
    foreground_strong="#000",
    foreground_subtle="#666",
    colors=("#417690", "#c2610c"),
    font_family="system-ui, sans-serif",
)


def sales_chart(days: Sequence[Day]) -> str:
    """The chart of these days as an SVG data: URL."""
    chart = pygal.Bar(
        js=[],
        style=_STYLE,
        width=900,
        height=360,
        x_label_rotation=45,
        show_minor_x_labels=False,
        truncate_label=-1,
        legend_at_bottom=True,
        title="Revenue and orders per day",
    )
    labels = [day.day.strftime("%d %b") for day in days]
    chart.x_labels = labels
    # Every 7th date on the axis: 90 labels would overlap.
    chart.x_labels_major = labels[::7]
    chart.add("Revenue", [float(day.revenue) for day in days])
    chart.add("Orders", [day.orders for day in days], secondary=True)
    svg: bytes = chart.render()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
