"""Charts stay well-formed SVG whatever users name things (issue 17, item 7): quotes, ``<``,
``&``, ``style="``, markup and control characters in campaign and source names are shown
as text, on the report pages and straight from the chart functions."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from salestrack.core.tenancy import tenant_transaction
from salestrack.leads.models import Campaign
from salestrack.web.kit import charts
from tests.support import TenantWorld
from tests.web.support import WebClient

SALES = "/api/v1/sales"
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = (
    'zz style="',
    'Say "hi" & <b>bye</b>',
    "<script>alert(1)</script>",
    "]]> <!-- x --> it's",
    'a" onload="alert(1)',
)


def _parsed(svg: str) -> ET.Element:
    """The SVG as an XML parser reads it (raises on any malformed markup)."""
    return ET.fromstring(svg)


def _well_behaved(root: ET.Element, nonce: str) -> str:
    """Check what the page's CSP and screen readers rely on; the chart's visible text."""
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    names = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert "script" not in names
    for element in root.iter():
        assert element.get("style") is None, element.tag  # blocked by the CSP
        assert not any(name.startswith("on") for name in element.attrib), element.attrib
    styles = list(root.iter(f"{SVG}style"))
    assert styles
    assert all(style.get("nonce") == nonce for style in styles)
    return " ".join(" ".join(root.itertext()).split())


def _page_svgs(page: str) -> list[str]:
    """The page's charts (its header's icons are SVG too, marked aria-hidden)."""
    return [s for s in re.findall(r"<svg\b.*?</svg>", page, re.S) if 'role="img"' in s]


def test_hostile_names_are_text_in_every_kind_of_chart() -> None:
    names = [*HOSTILE, "Spr\x01ing\x1b \x7f end", "tab\there"]
    values = list(range(1, len(names) + 1))
    series = [("Actual ROI", values), ('Leads style="x', values)]
    drawn = [
        charts.bar_chart(names, series, 'ROI "&" <%>', "n0nce", str, horizontal=True),
        charts.bar_chart(names, series, "Bookings", "n0nce", str),
        charts.funnel_chart(list(zip(names, values, strict=True)), "Funnel <&>", "n0nce", str),
    ]
    for svg in drawn:
        root = _parsed(str(svg))
        text = _well_behaved(root, "n0nce")
        label = root.get("aria-label") or ""
        for name in HOSTILE:
            assert " ".join(name.split()) in text
            assert name in label
        assert "Spr\ufffding\ufffd \ufffd end" in text  # control characters: visibly replaced
        assert "Spr\ufffding\ufffd \ufffd end" in label
    assert 'Leads style="x' in " ".join(_parsed(str(drawn[0])).itertext())


def test_the_campaigns_and_sources_charts_show_hostile_names(
    admin_web: WebClient, world: TenantWorld
) -> None:
    for name in HOSTILE:
        body = {"campaign_name": name, "campaign_type": "email", "budget": "1000"}
        campaign = world.admin.ok("POST", f"{SALES}/campaigns", 201, json=body)
        source = world.admin.ok(
            "POST",
            f"{SALES}/lead-sources",
            201,
            json={"source_type": "website", "subsource_name": name, "channel": "Direct"},
        )
        lead = {"name": "Asha Rao", "source_id": source["id"], "campaign_id": campaign["id"]}
        world.admin.ok("POST", f"{SALES}/leads", 201, json=lead)
    for tab in ("campaigns", "sources"):
        page = admin_web.get("/reports", params={"tab": tab})
        assert page.status_code == 200
        nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"])
        assert nonce is not None
        svgs = _page_svgs(page.text)
        assert len(svgs) == 1, tab
        text = _well_behaved(_parsed(svgs[0]), nonce.group(1))
        for name in HOSTILE:
            assert " ".join(name.split()) in text, (tab, name)


def test_a_legacy_name_with_control_characters_still_draws(
    admin_web: WebClient, world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    """Names saved before input was bounded may hold characters XML cannot carry."""
    body = {"campaign_name": "Spring", "campaign_type": "email", "budget": "1000"}
    made = world.admin.ok("POST", f"{SALES}/campaigns", 201, json=body)
    with tenant_transaction(session_factory, world.tenant_id) as session:
        session.execute(
            update(Campaign)
            .where(Campaign.tenant_id == world.tenant_id, Campaign.id == uuid.UUID(made["id"]))
            .values(campaign_name='Spr\x01ing\x1b style="')
        )
    page = admin_web.get("/reports", params={"tab": "campaigns"})
    assert page.status_code == 200
    svgs = _page_svgs(page.text)
    assert len(svgs) == 1
    root = _parsed(svgs[0])
    assert 'Spr\ufffding\ufffd style="' in " ".join(root.itertext())
