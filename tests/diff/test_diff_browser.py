"""The release diff's HTML in headless Chromium: offline, no errors, hostile values inert."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reporter.diff import diff_reports
from reporter.render.diff import render_diff
from tests.render.factory import make_report
from tests.render.test_browser import Opened, _assert_clean, browser

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the Chromium fixture, shared with the report's browser tests


def _open(browser: Any, path: Path) -> Opened:
    context = browser.new_context()
    page = context.new_page()
    opened = Opened(page=page, url=path.as_uri())

    def route(route: Any) -> None:
        if route.request.url == opened.url:
            route.continue_()
        else:
            opened.blocked.append(route.request.url)
            route.abort()

    def on_dialog(dialog: Any) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    context.route("**/*", route)
    page.on("console", lambda m: opened.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: opened.errors.append(str(e)))
    page.on("request", lambda r: opened.requests.append(r.url))
    page.on("dialog", on_dialog)
    page.goto(opened.url)
    page.wait_for_load_state("load")
    return opened


def test_hostile_diff_html_runs_nothing(browser: Any, tmp_path: Path) -> None:
    diff = diff_reports(make_report(), make_report(hostile=True))
    path = tmp_path / "diff.html"
    path.write_bytes(render_diff(diff, "html"))
    opened = _open(browser, path)
    assert opened.page.evaluate("typeof window.__pwned") == "undefined"
    assert opened.page.locator("script").count() == 0
    # the payloads are shown as text, not markup
    assert "<script>" in opened.page.text_content("body")
    _assert_clean(opened)
