"""Attested vs observed for the newer purl types (cran, pecl, luarocks, ebuild, alpm, nuget):
syft 1.18.1's CycloneDX of the ecosystem test images (``tests.catalog.test_cpe_ecosys``)
against our packages of the same image."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from reporter.model import Package
from reporter.options import Options
from reporter.pipeline import generate
from reporter.provenance.sbom_compare import compare_sbom, cyclonedx_packages, purl_package_type
from tests.catalog import test_cpe_ecosys
from tests.catalog.ecosys_images import _syft_binary

_KINDS: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "R-package": ("cran", test_cpe_ecosys._rlang),
    "php-pecl": ("pecl", test_cpe_ecosys._pecl),
    "lua-rocks": ("luarocks", test_cpe_ecosys._lua),
    "portage": ("ebuild", test_cpe_ecosys._portage),
    "alpm": ("alpm", test_cpe_ecosys._alpm),
    "dotnet": ("nuget", test_cpe_ecosys._dotnet),
}


def _syft_cyclonedx(layout: Path) -> tuple[tuple[str, str, str], ...]:
    done = subprocess.run(
        [_syft_binary(), f"oci-dir:{layout}", "-o", "cyclonedx-json", "-q"],
        capture_output=True,
        check=True,
        timeout=600,
        env={**os.environ, "SYFT_CHECK_FOR_APP_UPDATE": "false"},
    )
    return cyclonedx_packages(json.loads(done.stdout))


@pytest.mark.parametrize("kind", sorted(_KINDS))
def test_syft_cyclonedx_of_the_image_matches_ours(kind: str, tmp_path: Path) -> None:
    purl_type, build = _KINDS[kind]
    layout = build(tmp_path)
    # syft's CycloneDX writes one component for assemblies that share a purl (mono's
    # mscorlib, System and System.Core): one package per purl stands for them here
    by_purl: dict[str, Package] = {}
    for p in generate(str(layout), Options()).images[0].packages:
        if p.type == kind:
            by_purl.setdefault(p.purl, p)
    observed = list(by_purl.values())
    claims = [c for c in _syft_cyclonedx(layout) if c[2].startswith(f"pkg:{purl_type}/")]
    assert observed
    assert {c[2] for c in claims} == {p.purl for p in observed}  # syft merges equal purls
    assert {purl_package_type(purl) for _, _, purl in claims} == {kind}
    assert not compare_sbom(claims, observed).mismatched
    # the purl spelled otherwise (a namespace another tool adds, case for the caseless types):
    # the claim still pairs with the package by type and name, and a version bump shows
    name, version, purl = claims[0]
    head, _, tail = purl.partition("@")
    other = f"pkg:{purl_type}/elsewhere/{head.rsplit('/', 1)[-1]}@{tail}"
    moved = [(name, version, other), *claims[1:]]
    assert not compare_sbom(moved, observed).only_attested
    bumped = [(name, version + ".9", other), *claims[1:]]
    differs = compare_sbom(bumped, observed).version_differs
    assert [(d.name, d.attested_version) for d in differs] == [(name, version + ".9")]
