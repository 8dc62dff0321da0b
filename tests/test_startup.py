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
    "packageurl",
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


def _modules_after(code: str) -> list[str]:
    """The ``reporter``/third-party modules a fresh interpreter holds after running ``code``."""
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))\n"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


def test_report_without_lockfiles_imports_no_lock_file_parser(tmp_path: Path) -> None:
    # the lock-file catalogers (and PyYAML, which three of them need) only with --lockfiles
    out = tmp_path / "out.json"
    run = (
        "from reporter.cli import main\n"
        "assert main(['report', 'samples/demo-multiarch.oci', '-q', '--no-cache',"
        f" '--platform', 'linux/amd64', '-f', 'json', '-o', {str(out)!r}]) == 0\n"
    )
    loaded = _modules_after(run)
    assert "reporter.catalog.run" in loaded  # it did catalog
    # a layout directory with no jar, no rpm database: no tar reader (shutil, bz2, lzma with
    # it), no XML parser, no sqlite
    assert [m for m in loaded if m.split(".")[0] in ("tarfile", "xml", "sqlite3")] == []
    assert [m for m in loaded if m.startswith(("reporter.catalog.lockfiles.", "yaml"))] == [
        m for m in loaded if m == "reporter.catalog.lockfiles._common"
    ]
    assert '"packages"' in out.read_text()


def test_lock_file_catalogers_are_there_when_asked_for() -> None:
    loaded = _modules_after(
        "from reporter.catalog import LOCKFILE_CATALOGERS, catalogers\n"
        "assert len(LOCKFILE_CATALOGERS) == 11\n"
        "assert catalogers(catalog=True, lockfiles=True)[-11:] == LOCKFILE_CATALOGERS\n"
    )
    assert "reporter.catalog.lockfiles.dart" in loaded


def test_a_warm_report_cache_hit_imports_no_model_pipeline_or_renderer(tmp_path: Path) -> None:
    # a hit writes the bytes it stored: building a Report (the model's ~25 dataclasses), the
    # pipeline, the renderers' shared helpers or a thread pool would be start-up for nothing
    argv = (
        f"['report', 'samples/demo-multiarch.oci', '-q', '--platform', 'linux/amd64',"
        f" '-f', 'cyclonedx-json', '--cache-dir', {str(tmp_path / 'cache')!r}, '-o', OUT]"
    )
    cold = f"from reporter.cli import main\nOUT = {str(tmp_path / 'cold.json')!r}\n"
    _modules_after(cold + f"assert main({argv}) == 0\n")
    warm = f"from reporter.cli import main\nOUT = {str(tmp_path / 'warm.json')!r}\n"
    loaded = _modules_after(warm + f"assert main({argv}) == 0\n")
    heavy = (
        "reporter.model",
        "reporter.pipeline",
        "reporter.render.common",
        "reporter.render.interface",
        "concurrent.futures",
        "packageurl",
    )
    assert [m for m in loaded if m.startswith(heavy)] == []
    assert "reporter.report_cache" in loaded
    assert (tmp_path / "warm.json").read_bytes() == (tmp_path / "cold.json").read_bytes()
