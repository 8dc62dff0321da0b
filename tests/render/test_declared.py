"""Lock-file packages (declared, not found installed) shown apart in every format: an image of
a real npm v3 lock file (written by npm, ``tests.catalog.lockfiles.realdata``) beside an
installed npm package, scanned with lock files on."""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path

import pytest

from reporter.model import Report
from reporter.options import Options
from reporter.pipeline import generate
from reporter.render.common import CYCLONEDX_SPEC_VERSIONS
from reporter.render.dispatch import get_renderer
from tests.catalog.lockfiles.realdata import Unavailable, generated
from tests.hostile._build import TAR_LAYER, TarFile, custom_layout, tar_bytes
from tests.render.test_cyclonedx_json import _same_bytes

INSTALLED = TarFile(
    "srv/node_modules/only-installed/package.json",
    json.dumps({"name": "only-installed", "version": "1.3.0", "license": "MIT"}).encode(),
)


@cache
def _report(root: str) -> Report:
    try:
        files = generated("npm-v3")
    except Unavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but npm could not write the lock file: {exc}")
        pytest.skip(f"npm lock file unavailable: {exc}")
    entries = [TarFile(f"app/{name}", data) for name, data in sorted(files.items())]
    layout = Path(root) / "image"
    custom_layout(layout, [tar_bytes([*entries, INSTALLED])], media_type=TAR_LAYER)
    return generate(str(layout), Options(lockfiles=True, source_date_epoch=1))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _report(str(tmp_path_factory.mktemp("declared")))


def _declared_names(report: Report) -> set[str]:
    return {
        p.name for p in report.images[0].packages if dict(p.metadata).get("declared") == "lock-file"
    }


def test_the_image_holds_both_kinds(report: Report) -> None:
    declared = _declared_names(report)
    assert declared
    assert "only-installed" not in declared
    assert "only-installed" in {p.name for p in report.images[0].packages}


def test_cyclonedx_identity_evidence_for_declared_only(report: Report) -> None:
    declared = _declared_names(report)
    for version in CYCLONEDX_SPEC_VERSIONS:
        (data,) = get_renderer("cyclonedx-json", spec_version=version).render_per_platform(report)
        components = json.loads(data[1])["components"]
        for component in components:
            identity = component.get("evidence", {}).get("identity")
            if component["name"] in declared:
                if version == "1.4":
                    assert identity is None  # no identity evidence before CycloneDX 1.5
                    continue
                one = identity[0] if version != "1.5" else identity
                assert version == "1.5" or isinstance(identity, list)
                assert one["field"] == "purl"
                (method,) = one["methods"]
                assert method["technique"] == "manifest-analysis"
                assert method["value"] == "/app/package-lock.json"
            else:
                assert identity is None, component["name"]


def test_both_cyclonedx_paths_byte_identical_and_valid(report: Report) -> None:
    assert _same_bytes(report) == 2 * len(CYCLONEDX_SPEC_VERSIONS)


def test_html_and_markdown_mark_declared_rows_and_count_them(report: Report) -> None:
    declared = _declared_names(report)
    html = get_renderer("html").render(report).decode()
    rows = re.findall(r"<tr>\s*<td>npm</td>\s*<td>(.*?)</td>", html, re.S)
    marked = {r.split(" <span", 1)[0] for r in rows if "declared (lock file)" in r}
    assert marked == declared
    assert f"declared (lock file), not found installed: <strong>{len(declared)}</strong>" in html
    md = get_renderer("md").render(report).decode()
    marked_md = {
        line.split(" | ")[1].removesuffix(" *declared (lock file)*")
        for line in md.splitlines()
        if line.startswith("| npm | ") and "*declared (lock file)*" in line
    }
    assert marked_md == declared
    assert f"{len(declared)} of these are declared (lock file), not found installed." in md
    assert "| npm | only-installed |" in md
