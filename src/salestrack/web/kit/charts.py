"""Charts drawn on the server as SVG by pygal and inlined in the page.

No JavaScript reaches the browser: pygal's tooltip script is turned off and its inline
``<script>`` removed; its ``<style>`` elements carry the page's CSP nonce (the page's
policy allows no other inline style). Values are printed on the bars, and every chart
sits beside a table with the same numbers (the text fallback).

Labels are what users typed (campaign and source names), so the chart is changed only as
a tree, never as text: pygal's own XML filter hook hands over the element tree it built,
the changes are made on elements and attributes, and pygal's serializer escapes every
text and attribute. No pattern ever runs over markup.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pygal
from markupsafe import Markup
from pygal.graph.graph import Graph
from pygal.style import Style

# pygal appends a legacy import hook (for its map plugins, unused here) to sys.meta_path;
# it has no find_spec, so every later failed import warns (ImportWarning). Take it out.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__module__ != "pygal"]

# Dark enough on white for text (WCAG AA) and distinct from each other.
PALETTE = ("#1f5f99", "#b3541e", "#2e7d32", "#6a3d9a", "#8a6d00", "#a4243b", "#00695c")
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d2733",
    foreground_strong="#1d2733",
    foreground_subtle="#5b6776",
    opacity=".9",
    opacity_hover="1",
    colors=PALETTE,
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=14,
    major_label_font_size=14,
    value_font_size=13,
    legend_font_size=14,
    title_font_size=17,
    tooltip_font_size=13,
    value_colors=("#ffffff",) * len(PALETTE),
)
# Characters XML 1.0 cannot carry (C0 controls but tab and line breaks, lone surrogates,
# U+FFFE/U+FFFF) and C1 and DEL, which it can but no one means to show: each becomes U+FFFD.
_NOT_SHOWN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_PROPERTY = re.compile(r"[a-z][a-z-]*\Z")


def _config(**extra: object) -> dict[str, object]:
    return {
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "width": 820,
        "height": 360,
        "print_values": True,
        "truncate_label": -1,
        "truncate_legend": -1,
        "legend_at_bottom": True,
        "margin": 16,
        **extra,
    }


def to_svg(chart: Graph, label: str, nonce: str) -> Markup:
    """The chart's SVG, safe to inline under the page's CSP, described for screen readers."""
    chart.add_xml_filter(functools.partial(_harden, label=label, nonce=nonce))
    svg = chart.render(is_unicode=True)
    return Markup(svg)  # noqa: S704 - serialized by the XML library from a tree, scripts removed


def _harden(root: Any, *, label: str, nonce: str) -> Any:
    """pygal's element tree, made fit for the page: no script or comment, the nonce on each
    ``<style>``, presentation attributes for ``style="..."``, only characters XML may carry,
    and a role and label for screen readers on the root."""
    for parent in list(root.iter()):
        for child in list(parent):
            if _name(child.tag) in ("script", ""):  # "": a comment
                parent.remove(child)
    for element in root.iter():
        if _name(element.tag) == "style":
            _put_first(element, "nonce", nonce)
        declarations = element.attrib.pop("style", None)
        if declarations is not None:
            element.attrib.update(_presentation(declarations))
        element.text = _shown(element.text)
        element.tail = _shown(element.tail)
        for key, value in list(element.attrib.items()):
            element.set(key, _shown(value))
    _put_first(root, "aria-label", _shown(label) or "")
    _put_first(root, "role", "img")
    return root


def _name(tag: object) -> str:
    """An element's local name; "" for a comment or processing instruction (whose tag is
    the factory function, in both xml.etree and lxml)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _put_first(element: Any, key: str, value: str) -> None:
    others = {k: v for k, v in element.attrib.items() if k != key}
    element.attrib.clear()
    element.set(key, value)
    element.attrib.update(others)


def _shown(text: str | None) -> str | None:
    return None if text is None else _NOT_SHOWN.sub("\ufffd", text)


def _presentation(declarations: str) -> dict[str, str]:
    """``style="opacity: 0"`` (which the CSP blocks) as SVG attributes: ``opacity="0"``;
    anything that is not a plain CSS property name is dropped, not turned into markup."""
    pairs = (part.split(":", 1) for part in declarations.split(";") if ":" in part)
    found = {name.strip().lower(): value.strip() for name, value in pairs}
    return {name: value for name, value in found.items() if _PROPERTY.match(name)}


def _number(value: Decimal | int | str | None) -> float | None:
    return None if value is None else float(Decimal(str(value)))


def funnel_chart(
    stages: Sequence[tuple[str, int]], title: str, nonce: str, formatter: object
) -> Markup:
    """A funnel: one band per stage, widest at the top."""
    chart = pygal.Funnel(
        **_config(value_formatter=formatter, height=380, show_y_labels=False, show_y_guides=False)
    )
    chart.title = title
    for name, count in stages:
        chart.add(name, [count])
    text = "; ".join(f"{name}: {count}" for name, count in stages)
    return to_svg(chart, f"{title}. {text}", nonce)


def bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | int | str | None]]],
    title: str,
    nonce: str,
    formatter: object,
    *,
    horizontal: bool = False,
) -> Markup:
    """Grouped bars: one group per label, one bar per series."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    height = max(360, 60 + 34 * len(labels) * len(series)) if horizontal else 380
    chart = kind(**_config(value_formatter=formatter, height=height, x_label_rotation=0))
    chart.title = title
    # pygal stacks horizontal groups bottom-up; reverse them so the first reads at the top.
    order = list(reversed(range(len(labels)))) if horizontal else list(range(len(labels)))
    chart.x_labels = [labels[i] for i in order]
    for name, values in series:
        chart.add(name, [_number(values[i]) for i in order])
    parts = [
        f"{label}: " + ", ".join(f"{name} {values[i]}" for name, values in series)
        for i, label in enumerate(labels)
    ]
    return to_svg(chart, f"{title}. " + "; ".join(parts), nonce)
