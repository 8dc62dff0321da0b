"""Start-up: ``inspect`` imports only what it runs (issue 16; figures in bench/README.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# modules inspect never runs on an unsigned image without --build-record / --trust-key
NOT_FOR_INSPECT = (
    "cryptography",
    "reporter.provenance.signatures",
    "reporter.provenance.buildrecord",
    "reporter.catalog.run",
    "reporter.versions",
    "spdx_tools",
    "cyclonedx",
    "jinja2",
)


def test_inspect_imports_only_what_it_runs(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from reporter.cli import main\n"
        "assert main(['inspect', 'samples/demo-multiarch.oci', '-q', '--no-cache',"
        f" '-o', {str(tmp_path / 'out')!r}]) == 0\n"
        f"print(sorted({{m.split('.')[0] if not m.startswith('reporter') else m"
        f" for m in sys.modules if m.startswith({NOT_FOR_INSPECT!r})}}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout
    # and it did read the sample's attestations (the module that does is imported, and used)
    assert "attestation-manifest" in (tmp_path / "out").read_text()


def test_the_simple_signing_type_is_the_signature_modules() -> None:
    from reporter.provenance import signatures, trust

    assert trust._SIMPLESIGNING_MEDIA_TYPE == signatures.SIMPLESIGNING_MEDIA_TYPE


def test_the_lock_file_marker_is_the_catalogers() -> None:
    from reporter.catalog.lockfiles._common import DECLARED
    from reporter.render import spdx_facts

    assert spdx_facts._LOCK_FILE == DECLARED
