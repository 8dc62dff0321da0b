"""The release diff's HTML in headless Chromium: offline, no errors, hostile values inert."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reporter.diff import diff_reports
from reporter.render.diff import render_diff
from tests.factory import make_report
from tests.render.test_browser import _assert_clean, browser, open_page

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the Chromium fixture, shared with the report's browser tests


def test_hostile_diff_html_runs_nothing(browser: Any, tmp_path: Path) -> None:
    diff = diff_reports(make_report(), make_report(hostile=True))
    path = tmp_path / "diff.html"
    path.write_bytes(render_diff(diff, "html"))
    opened = open_page(browser, path)
    assert opened.page.evaluate("typeof window.__pwned") == "undefined"
    assert opened.page.locator("script").count() == 0
    # the payloads are shown as text, not markup
    assert "<script>" in opened.page.text_content("body")
    _assert_clean(opened)
