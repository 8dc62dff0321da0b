"""The package part of debian-app 1.0.0 → docker-buildkit-app 2.0.0, from syft's reference
output for the real fixtures (ground truth in fixtures/real/README.md: netbase and urllib3
added, six removed; 5 layers shared, 3 new)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from reporter.diff import diff_reports, diff_triggers
from reporter.model import Layer, Location, Package
from reporter.render.diff import render_diff
from tests.conftest import shared_path
from tests.factory import image, report


def _from_syft(path: Path) -> Any:
    doc = orjson.loads(path.read_bytes())
    meta = doc["source"]["metadata"]
    diff_ids = [x["digest"] for x in meta["layers"]]
    base_count = 5  # debian-app's five layers: the base of docker-buildkit-app by layer prefix
    layers = tuple(
        Layer(i, f"blob-{d}", x["mediaType"], x["size"], diff_id=d, base=i < base_count)
        for i, (d, x) in enumerate(zip(diff_ids, meta["layers"], strict=True))
    )
    packages = []
    for a in doc["artifacts"]:
        first = a["locations"][0]
        index = diff_ids.index(first["layerID"])
        packages.append(
            Package(
                type=a["type"],
                name=a["name"],
                version=a["version"],
                purl=a["purl"],
                licenses=tuple(sorted({x["value"] for x in a["licenses"]})),
                locations=(Location(first["path"], index, first["layerID"], first["layerID"]),),
                layer_index=index,
                base=index < base_count,
            )
        )
    return report(
        image(
            digest=meta["manifestDigest"],
            refs=tuple(meta["tags"]),
            packages=tuple(packages),
            layers=layers,
        ),
        name=meta["userInput"],
    )


def test_debian_app_to_buildkit_app_packages_and_layers() -> None:
    syft = shared_path("fixtures", "real", "_reference", "syft")
    old = _from_syft(syft / "debian-app.oci-gzip.syft.json")
    new = _from_syft(syft / "docker-buildkit-app.docker-save.tar.syft.json")
    d = diff_reports(old, new).images[0]
    p = d.packages
    assert [(x.type, x.name) for x in p.added] == [("deb", "netbase"), ("python", "urllib3")]
    assert [(x.type, x.name) for x in p.removed] == [("python", "six")]
    assert not p.upgraded
    assert not p.downgraded
    assert not p.changed
    assert (p.old_total, p.new_total, p.unchanged) == (93, 94, 92)
    # both additions come from docker-buildkit-app's own layers, not the base
    assert all(x.base is False for x in p.added)
    assert (len(d.layers.reused), len(d.layers.added), len(d.layers.removed)) == (5, 3, 0)
    assert d.base.layers_same is True
    md = render_diff(diff_reports(old, new), "md").decode()
    assert "+2 −1 ↑0 ↓0 packages, 3 of 8 layers changed" in md
    assert diff_triggers(diff_reports(old, new), ["removed", "downgraded"]) == ("removed",)
