"""The pages that follow the live floor: the script, the regions it refreshes, the
indicator it fills in, and nothing of it on pages that do not follow it."""

from __future__ import annotations

import re

from fastapi import FastAPI

from tests.journey.helpers import new_lead
from tests.support import TenantWorld
from tests.web.support import logged_in

HIDDEN_STATUS = re.compile(r'<span class="live-status" data-live-status[^>]* hidden>')


def test_follow_ups_dashboard_and_lead_page_subscribe(app: FastAPI, world: TenantWorld) -> None:
    lead = new_lead(world.admin)
    manager = logged_in(app, world, "manager")
    pages = {
        "/follow-ups": ['data-live-kinds="lead milestone follow_up"', 'id="live-follow-ups"'],
        "/reports": ['id="live-report"', 'id="live-report-period"'],
        f"/leads/{lead['id']}": [
            f'data-live-lead="{lead["id"]}"',
            'id="live-timeline"',
            'id="live-lead-status"',
            'id="live-status-history"',
        ],
    }
    for path, marks in pages.items():
        html = manager.get(path).text
        assert '<script src="/static/live.js" defer' in html, path
        assert HIDDEN_STATUS.search(html), path  # shown only once the script runs
        for mark in marks:
            assert mark in html, (path, mark)
    assert "live.js" not in manager.get("/reports?tab=funnel").text  # only the dashboard
    assert "live.js" not in manager.get("/leads").text


def test_the_script_is_served_from_this_origin(app: FastAPI, world: TenantWorld) -> None:
    answer = logged_in(app, world, "rep").get("/static/live.js")
    assert answer.status_code == 200
    assert "javascript" in answer.headers["content-type"]
    assert 'new EventSource("/live/events")' in answer.text
