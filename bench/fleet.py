"""Fleet audit cost: N synthetic images sharing one real base layer, audit vs one report each.

    python bench/fleet.py [--sizes 10,100] [--base ../shared/fixtures/real/debian-app.oci-gzip]

Each image is its own OCI layout (as on a mirror: the base blob is a separate copy in every
layout) holding the base image's first layer (debootstrap minbase: 88 deb packages, 9 MB gzip)
and a small layer of its own (a file and a Python dist-info). Printed per N, all in this one
process, one core (``jobs=1``), no persistent cache:

* ``sum_reports``: ``pipeline.generate`` once per image, no cache (what a shell loop over
  ``report`` costs, minus the interpreter start-up of each run, so the ratio flatters ``report``);
* ``audit``: ``run_audit`` over the directory into a fresh inventory (audit-scoped layer cache);
* ``reaudit``: the same audit again, nothing changed;
* per-image costs, and the inventory's size on disk.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reporter.fleet.audit import AuditCache, run_audit  # noqa: E402
from reporter.fleet.executors import local_executor  # noqa: E402
from reporter.fleet.inventory import Inventory  # noqa: E402
from reporter.options import Options  # noqa: E402
from reporter.pipeline import generate  # noqa: E402

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def _blob(root: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    path = root / "blobs" / "sha256" / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return f"sha256:{digest}"


def _app_layer(n: int) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        files = {
            "opt/app/VERSION": f"{n}\n".encode(),
            f"usr/local/lib/python3.11/site-packages/app{n}-1.0.dist-info/METADATA": (
                f"Metadata-Version: 2.1\nName: app{n}\nVersion: 1.{n}\n".encode()
            ),
        }
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 1700000000, 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def make_fleet(base_layout: Path, out: Path, count: int) -> None:
    index = json.loads((base_layout / "index.json").read_bytes())
    blobs = base_layout / "blobs" / "sha256"
    manifest = json.loads((blobs / index["manifests"][0]["digest"][7:]).read_bytes())
    config = json.loads((blobs / manifest["config"]["digest"][7:]).read_bytes())
    base = manifest["layers"][0]
    base_bytes = (blobs / base["digest"][7:]).read_bytes()
    for n in range(count):
        root = out / f"app-{n:04d}.oci"
        root.mkdir(parents=True)
        (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
        _blob(root, base_bytes)
        app = _app_layer(n)
        app_digest = _blob(root, app)
        image_config = {
            "architecture": config["architecture"],
            "os": config["os"],
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": [config["rootfs"]["diff_ids"][0], app_digest]},
        }
        config_data = json.dumps(image_config, sort_keys=True).encode()
        image_manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": _blob(root, config_data),
                "size": len(config_data),
            },
            "layers": [
                base,
                {
                    "mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": app_digest,
                    "size": len(app),
                },
            ],
        }
        manifest_data = json.dumps(image_manifest, sort_keys=True).encode()
        top = {
            "schemaVersion": 2,
            "manifests": [
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": _blob(root, manifest_data),
                    "size": len(manifest_data),
                    "annotations": {"org.opencontainers.image.ref.name": f"app-{n}"},
                }
            ],
        }
        (root / "index.json").write_text(json.dumps(top))


def bench(base: Path, count: int, work: Path) -> dict[str, float]:
    fleet = work / f"fleet-{count}"
    make_fleet(base, fleet, count)
    options = Options(jobs=1)
    inputs = sorted(str(p) for p in fleet.iterdir())
    start = time.perf_counter()
    packages = 0
    for path in inputs:
        packages += sum(len(i.packages) for i in generate(path, options).images)
    sum_reports = time.perf_counter() - start

    db = work / f"inv-{count}.sqlite"
    times = []
    for _ in range(2):
        inventory = Inventory(str(db))
        start = time.perf_counter()
        with AuditCache(options) as audit_options:
            summary = run_audit([str(fleet)], inventory, audit_options, executor=local_executor)
        times.append(time.perf_counter() - start)
        inventory.close()
        assert summary.exit_code == 0, summary
    inventory = Inventory(str(db))
    inventory.close()
    size = sum(f.stat().st_size for f in work.glob(f"inv-{count}.sqlite*"))
    return {
        "n": count,
        "packages": packages,
        "sum_reports_s": sum_reports,
        "audit_s": times[0],
        "reaudit_s": times[1],
        "audit_per_image_ms": 1000 * times[0] / count,
        "report_per_image_ms": 1000 * sum_reports / count,
        "audit_over_reports": times[0] / sum_reports,
        "reaudit_over_audit": times[1] / times[0],
        "db_bytes": size,
        "db_bytes_per_image": size / count,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100")
    parser.add_argument(
        "--base", default=str(REPO.parent / "shared" / "fixtures" / "real" / "debian-app.oci-gzip")
    )
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    os.environ["OCI_REPORTER_CACHE"] = "off"
    results = []
    work = Path(tempfile.mkdtemp(prefix="oci-reporter-fleet-bench-"))
    try:
        for count in (int(s) for s in args.sizes.split(",")):
            row = bench(Path(args.base), count, work)
            results.append(row)
            print(
                f"N={count:5d}  sum of reports {row['sum_reports_s']:7.2f} s  "
                f"audit {row['audit_s']:7.2f} s ({row['audit_over_reports']:.2f}x)  "
                f"re-audit {row['reaudit_s']:6.3f} s ({row['reaudit_over_audit']:.3f}x)  "
                f"per image {row['audit_per_image_ms']:.0f} ms "
                f"(report {row['report_per_image_ms']:.0f} ms)  "
                f"db {row['db_bytes'] / 1e6:.2f} MB "
                f"({row['db_bytes_per_image'] / 1e3:.1f} kB/image)",
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
