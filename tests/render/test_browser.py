"""The HTML report in headless Chromium: offline, no errors, filter and sort work, hostile is inert.

Debian's /usr/bin/chromium is driven by Playwright (never ``playwright install``: no downloads).
Missing Chromium skips on a developer machine and fails under CI=true.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from reporter.model import Report
from reporter.render.dispatch import get_renderer
from tests.render.tools import require

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("OCI_REPORTER_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require(Path(CHROMIUM).is_file(), f"chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright package")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield instance
        finally:
            instance.close()


@dataclass
class Opened:
    page: Any
    url: str
    console: list[tuple[str, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _open(browser: Any, tmp_path: Path, report: Report) -> Opened:
    path = tmp_path / "report.html"
    path.write_bytes(get_renderer("html").render(report))
    return open_page(browser, path)


def open_page(browser: Any, path: Path) -> Opened:
    """Open a local HTML file, recording console, errors, requests and dialogs; every request
    but the file itself is aborted."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    opened = Opened(page=page, url=path.as_uri())

    def route(route: Any) -> None:
        # Anything but the report itself is a failure; abort it so nothing leaves the machine.
        if route.request.url == opened.url:
            route.continue_()
        else:
            opened.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page.on("console", lambda m: opened.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: opened.errors.append(str(e)))
    page.on("request", lambda r: opened.requests.append(r.url))

    def on_dialog(dialog: Any) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(opened.url)
    page.wait_for_load_state("load")
    return opened


def _assert_clean(opened: Opened) -> None:
    assert opened.errors == []
    assert [c for c in opened.console if c[0] in ("error", "warning")] == []
    assert opened.requests == [opened.url]
    assert opened.blocked == []
    assert opened.dialogs == []


def _names(page: Any, table: str) -> list[str]:
    names: list[str] = page.eval_on_selector_all(
        f"#{table} tbody tr:not([hidden])", "rows => rows.map(r => r.cells[1].textContent)"
    )
    return names


def test_report_loads_offline_without_errors(browser: Any, tmp_path: Path, report: Report) -> None:
    opened = _open(browser, tmp_path, report)
    page = opened.page
    assert page.title().startswith("registry.example.com/team/webapp:1.4.2")
    assert page.locator("section.image").count() == 2
    assert page.locator("svg.bar").count() == 8
    _assert_clean(opened)


def test_filter_box_filters(browser: Any, tmp_path: Path, report: Report) -> None:
    opened = _open(browser, tmp_path, report)
    page = opened.page
    table = "img-linux-amd64-packages"
    assert len(_names(page, table)) == 47
    page.fill("input[data-table='img-linux-amd64-packages']", "FLASK")
    assert _names(page, table) == ["flask"]
    assert page.text_content("#img-linux-amd64-counter") == "1 of 47 shown"
    page.fill("input[data-table='img-linux-amd64-packages']", "npm")  # matches the type column
    assert len(_names(page, table)) == 8
    page.fill("input[data-table='img-linux-amd64-packages']", "")
    assert len(_names(page, table)) == 47
    assert len(_names(page, "img-linux-arm64-v8-packages")) == 47  # the other table untouched
    _assert_clean(opened)


def test_sorting(browser: Any, tmp_path: Path, report: Report) -> None:
    opened = _open(browser, tmp_path, report)
    page = opened.page
    table = "img-linux-amd64-packages"
    header = f"#{table} thead th"
    page.click(f"{header} >> nth=1 >> button")
    names = _names(page, table)
    assert names == sorted(names, key=str.lower)
    assert page.get_attribute(f"{header} >> nth=1", "aria-sort") == "ascending"
    page.click(f"{header} >> nth=1 >> button")
    assert _names(page, table) == sorted(names, key=str.lower, reverse=True)
    page.click(f"{header} >> nth=4 >> button")  # layer: numeric
    layers = page.eval_on_selector_all(
        f"#{table} tbody tr", "rows => rows.map(r => Number(r.cells[4].dataset.sort))"
    )
    assert layers == sorted(layers)
    assert (layers[0], layers[-1]) == (0, 3)
    _assert_clean(opened)


def test_copy_button(browser: Any, tmp_path: Path, report: Report) -> None:
    opened = _open(browser, tmp_path, report)
    page = opened.page
    button = page.locator("button.copy").first
    button.click()
    page.wait_for_function("document.querySelector('button.copy').textContent !== 'Copy'")
    assert button.text_content() in ("Copied", "Copy failed")
    _assert_clean(opened)


def test_hostile_report_runs_nothing(browser: Any, tmp_path: Path, hostile_report: Report) -> None:
    opened = _open(browser, tmp_path, hostile_report)
    page = opened.page
    # Interact with everything a user might: filter, sort, open details, hover links.
    page.fill("input.filter >> nth=0", "script")
    page.click("table.sortable thead th >> nth=1 >> button")
    page.eval_on_selector_all("details", "ds => ds.forEach(d => d.open = true)")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
    assert all(h.startswith(("#", "https://", "http://")) for h in hrefs)
    assert "<script>window.__pwned=1;alert(1)</script>" in page.text_content("body")
    _assert_clean(opened)


def test_print_hides_controls(browser: Any, tmp_path: Path, report: Report) -> None:
    opened = _open(browser, tmp_path, report)
    page = opened.page
    page.emulate_media(media="print")
    assert not page.is_visible("input.filter >> nth=0")
    assert not page.is_visible("button.copy >> nth=0")
    page.pdf(path=str(tmp_path / "report.pdf"))  # prints without errors
    _assert_clean(opened)


def test_csp_blocks_script_that_slips_past_escaping(
    browser: Any, tmp_path: Path, report: Report
) -> None:
    # Defence in depth: even markup injected after rendering (as if escaping had a hole)
    # cannot run, because the policy only admits the report's own script by hash.
    html = (
        get_renderer("html")
        .render(report)
        .replace(b"<main>", b'<main><script>window.__pwned=1</script><img src="x" id="probe">', 1)
    )
    path = tmp_path / "tampered.html"
    path.write_bytes(html)
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.goto(path.as_uri())
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert any("Content Security Policy" in text for text in console)
    page.close()
