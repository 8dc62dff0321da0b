"""The command line as a user meets it: the README's commands, every input form, exit codes,
goldens for every format on the project's own samples."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reporter.cli import main
from tests.conftest import REPO, shared_path

SAMPLES = REPO / "samples"
LAYOUT = SAMPLES / "demo-multiarch.oci"
DOCKER = SAMPLES / "demo-docker-save.tar"


# Goldens run reproducibly: SOURCE_DATE_EPOCH = the samples' created time (2023-11-14T22:13:20Z).
GOLDEN_ENV = {"SOURCE_DATE_EPOCH": "1700000000"}


def run(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("SOURCE_DATE_EPOCH", None) if env is None else None
    return subprocess.run(
        [sys.executable, "-m", "reporter", *args],
        input=stdin,
        capture_output=True,
        env=full_env,
        cwd=REPO,
        check=False,
    )


def test_samples_are_byte_reproducible(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(SAMPLES / "build.py"), str(tmp_path)], check=True, capture_output=True
    )
    assert (tmp_path / "demo-docker-save.tar").read_bytes() == DOCKER.read_bytes()
    ours = sorted(p.relative_to(LAYOUT) for p in LAYOUT.rglob("*") if p.is_file())
    fresh = sorted(
        p.relative_to(tmp_path / LAYOUT.name)
        for p in (tmp_path / LAYOUT.name).rglob("*")
        if p.is_file()
    )
    assert ours == fresh
    for rel in ours:
        assert (LAYOUT / rel).read_bytes() == (tmp_path / LAYOUT.name / rel).read_bytes(), rel


def test_readme_first_command_runs_on_the_sample() -> None:
    readme = (REPO / "README.md").read_text()
    assert "oci-reporter report samples/demo-multiarch.oci -f md" in readme
    result = run("report", "samples/demo-multiarch.oci", "-f", "md")
    assert result.returncode == 0, result.stderr
    assert b"# Image report" in result.stdout
    assert b"linux/arm64/v8" in result.stdout


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("json", "report.json"),
        ("md", "report.md"),
        ("html", "report.html"),
    ],
)
def test_sample_goldens_whole_report(
    fmt: str, name: str, golden: Callable[[str, bytes], None]
) -> None:
    result = run("report", "samples/demo-multiarch.oci", "-f", fmt, env=GOLDEN_ENV)
    assert result.returncode == 0, result.stderr
    golden(f"samples/{name}", result.stdout)


def test_sample_goldens_sboms_per_platform(
    tmp_path: Path, golden: Callable[[str, bytes], None]
) -> None:
    result = run(
        "report",
        "samples/demo-multiarch.oci",
        "-f",
        "cyclonedx-json",
        "-f",
        "cyclonedx-xml",
        "-f",
        "spdx-json",
        "--output-dir",
        str(tmp_path),
        env=GOLDEN_ENV,
    )
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        f"{p}.{s}"
        for p in ("linux_amd64", "linux_arm64_v8")
        for s in ("cdx.json", "cdx.xml", "spdx.json")
    ]
    for name in names:
        golden(f"samples/{name}", (tmp_path / name).read_bytes())


def test_same_input_same_bytes_and_epoch_override(tmp_path: Path) -> None:
    first = run("report", "samples/demo-multiarch.oci", "-f", "json", env=GOLDEN_ENV).stdout
    second = run("report", "samples/demo-multiarch.oci", "-f", "json", env=GOLDEN_ENV).stdout
    assert first == second
    # without SOURCE_DATE_EPOCH the report says when it was made (the clock), and the image's
    # own created time stays on the image
    before = datetime.now(UTC).replace(microsecond=0)
    doc = json.loads(run("report", "samples/demo-multiarch.oci", "-f", "json").stdout)
    after = datetime.now(UTC)
    assert before <= datetime.fromisoformat(doc["generated"]) <= after
    assert {i["description"]["config"]["created"] for i in doc["images"]} == {
        "2023-11-14T22:13:20Z"
    }
    pinned = run(
        "report",
        "samples/demo-multiarch.oci",
        "-f",
        "json",
        env={"SOURCE_DATE_EPOCH": "1234567890"},
    )
    assert json.loads(pinned.stdout)["generated"] == "2009-02-13T23:31:30Z"


def test_inspect_json_schema_and_last_layer() -> None:
    result = run("inspect", "samples/demo-multiarch.oci", "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "oci-reporter/inspect/v1"
    assert [i["platform"] for i in doc["images"]] == ["linux/amd64", "linux/arm64/v8"]
    amd64 = doc["images"][0]
    assert amd64["refs"] == ["1.0"]
    assert amd64["layers"][-1]["digest"].startswith("sha256:")
    assert all(layer["verified"] and layer["diffIDVerified"] for layer in amd64["layers"])
    (attestation,) = amd64["attestations"]
    assert attestation["kind"] == "attestation-manifest"
    assert "https://slsa.dev/provenance/v1" in attestation["predicateTypes"]


def test_docker_save_from_stdin_plain_and_gzip() -> None:
    via_file = json.loads(run("inspect", str(DOCKER), "-f", "json").stdout)
    plain = run("inspect", "-", "-f", "json", stdin=DOCKER.read_bytes())
    zipped = run("inspect", "-", "-f", "json", stdin=gzip.compress(DOCKER.read_bytes(), mtime=0))
    for result in (plain, zipped):
        assert result.returncode == 0, result.stderr
        doc = json.loads(result.stdout)
        assert doc["images"][0]["manifest"] == via_file["images"][0]["manifest"]
        assert doc["images"][0]["refs"] == ["demo/app:1.0"]
    # the docker-save image is the sample's amd64 image: same config, same layers' diff_ids
    layout = json.loads(run("inspect", str(LAYOUT), "-f", "json").stdout)["images"][0]
    assert via_file["images"][0]["config"]["digest"] == layout["config"]["digest"]
    assert [x["diffID"] for x in via_file["images"][0]["layers"]] == [
        x["diffID"] for x in layout["layers"]
    ]


def test_real_gzip_docker_save_from_stdin_equals_file() -> None:
    path = shared_path("fixtures", "real", "docker-buildkit-app.docker-save.tar.gz")
    from_file = run("report", str(path), "-f", "json")
    from_stdin = run("report", "-", "-f", "json", stdin=path.read_bytes())
    assert from_file.returncode == from_stdin.returncode == 0
    a, b = json.loads(from_file.stdout), json.loads(from_stdin.stdout)
    assert a["images"] == b["images"]


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["inspect", "no/such/path"], 3, "no such file"),
        (["inspect", "README.md"], 3, "not an image"),
        (["inspect", "samples"], 3, "not an image"),
        (["inspect", "samples/demo-multiarch.oci", "--platform", "linux/s390x"], 8, "no image"),
        (["inspect", "samples/demo-multiarch.oci:nope"], 8, "no image matches"),
        (["report", "samples/demo-multiarch.oci", "-f", "pdf"], 2, "unknown format"),
        (["report", "samples/demo-multiarch.oci", "-f", "md", "-f", "json"], 2, "--output-dir"),
    ],
)
def test_errors_are_one_line_with_exit_codes(args: list[str], code: int, needle: str) -> None:
    result = run(*args)
    assert result.returncode == code, result.stderr
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("oci-reporter: "), lines
    assert needle in lines[0]
    assert b"Traceback" not in result.stderr


def test_integrity_failure_exit_code_and_outputs_still_written(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "layout"
    shutil.copytree(LAYOUT, copy)
    index = json.loads((copy / "index.json").read_text())
    inner = index["manifests"][0]["digest"].split(":")[1]
    inner_doc = json.loads((copy / "blobs" / "sha256" / inner).read_text())
    manifest = inner_doc["manifests"][0]["digest"].split(":")[1]
    layer = json.loads((copy / "blobs" / "sha256" / manifest).read_text())["layers"][1]
    blob = copy / "blobs" / "sha256" / layer["digest"].split(":")[1]
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob.write_bytes(bytes(data))
    out = tmp_path / "r.json"
    code = main(["report", str(copy), "-f", "json", "-o", str(out)])
    assert code == 4
    doc = json.loads(out.read_text())
    kinds = {f["kind"] for i in doc["images"] for f in i["description"]["findings"]}
    assert "digest-mismatch" in kinds


def test_check_base_and_diff_on_the_real_pair(tmp_path: Path) -> None:
    app = shared_path("fixtures", "real", "docker-buildkit-app.docker-save.tar.gz")
    base = shared_path("fixtures", "real", "debian-app.oci-gzip")
    current = run("check-base", str(app), "--base", str(base))
    assert current.returncode == 0, current.stderr
    assert b"current" in current.stdout
    unrelated = run(
        "check-base", str(app), "--base", str(shared_path("fixtures", "real", "tiny-multiarch.oci"))
    )
    assert unrelated.returncode == 11
    saved = tmp_path / "old.json"
    assert main(["report", str(base), "-f", "json", "-o", str(saved)]) == 0
    diff = run("diff", str(saved), str(app), "-f", "json")
    assert diff.returncode == 0, diff.stderr
    doc = json.loads(diff.stdout)
    assert doc["schema"] == "oci-reporter/diff/v1"
    gated = run("diff", str(saved), str(app), "-f", "md", "--fail-on", "removed")
    assert gated.returncode == 9
    assert b"six" in gated.stdout
    same = run("diff", str(base), str(base), "-f", "json", "--fail-on", "any")
    assert same.returncode == 0, same.stdout


def test_help_texts_explain_themselves() -> None:
    for command in ("inspect", "report", "check-base", "diff"):
        result = run(command, "--help")
        assert result.returncode == 0
        assert b"PATH" in result.stdout or b"IMAGE" in result.stdout or b"OLD" in result.stdout
    top = run("--help")
    assert b"Exit codes" in top.stdout


def test_unselected_platforms_are_never_streamed(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "layout"
    shutil.copytree(LAYOUT, copy)
    blobs = copy / "blobs" / "sha256"
    index = json.loads(
        (
            blobs
            / json.loads((copy / "index.json").read_text())["manifests"][0]["digest"].split(":")[1]
        ).read_text()
    )
    amd64 = next(m for m in index["manifests"] if m["platform"]["architecture"] == "amd64")
    layer = json.loads((blobs / amd64["digest"].split(":")[1]).read_text())["layers"][0]
    target = blobs / layer["digest"].split(":")[1]
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    assert main(["inspect", str(copy), "--platform", "linux/arm64", "-o", str(tmp_path / "a")]) == 0
    assert main(["inspect", str(copy), "--platform", "linux/amd64", "-o", str(tmp_path / "b")]) == 4


def test_year_one_created_renders_every_format(tmp_path: Path) -> None:
    # buildpacks write "created": "0001-01-01T00:00:00Z" for reproducibility; strftime once
    # turned that into "1-01-01…", which the renderers rightly refused (exit 7).
    root = shared_path(
        "fixtures",
        "public",
        "buildpacks-lifecycle",
        "acceptance",
        "testdata",
        "exporter",
        "container",
        "layers",
        "some-extended-dir",
        "run",
    )
    (layout,) = [p for p in root.iterdir() if p.is_dir()]
    args = ["report", str(layout), "--output-dir", str(tmp_path)]
    for fmt in ("html", "md", "json", "cyclonedx-json", "cyclonedx-xml", "spdx-json"):
        args += ["-f", fmt]
    assert main(args) == 4  # the fixture's descriptor sizes are wrong upstream: integrity failed
    document = json.loads((tmp_path / "report.json").read_text())
    # the year-one created stays on the image (four-digit year); the report time is the clock
    assert document["images"][0]["description"]["config"]["created"] == "0001-01-01T00:00:00Z"
    assert (tmp_path / "linux_amd64.cdx.json").is_file()


def test_sbom_author_and_supplier_reach_both_formats(tmp_path: Path) -> None:
    people = ("--sbom-author", "Jane Doe <jane@example.com>", "--sbom-supplier", "Example Corp")
    result = run(
        "report",
        "samples/demo-multiarch.oci",
        "--platform",
        "linux/amd64",
        *("-f", "cyclonedx-json", "-f", "spdx-json", "--output-dir", str(tmp_path)),
        *people,
        env=GOLDEN_ENV,
    )
    assert result.returncode == 0, result.stderr
    bom = json.loads((tmp_path / "linux_amd64.cdx.json").read_text())
    assert bom["metadata"]["authors"] == [{"email": "jane@example.com", "name": "Jane Doe"}]
    assert bom["metadata"]["supplier"]["name"] == "Example Corp"
    assert bom["metadata"]["lifecycles"] == [{"phase": "post-build"}]
    spdx = json.loads((tmp_path / "linux_amd64.spdx.json").read_text())
    assert spdx["creationInfo"]["creators"] == [
        "Tool: oci-reporter-0.1.0",
        "Person: Jane Doe (jane@example.com)",
        "Organization: Example Corp",
    ]
    # the sample image names no supplier: the SBOM's supplier hands it over
    (image,) = [p for p in spdx["packages"] if p["SPDXID"].startswith("SPDXRef-Image")]
    assert image["supplier"] == "Organization: Example Corp"
    # and another content means another serial
    plain = run(
        "report",
        "samples/demo-multiarch.oci",
        "--platform",
        "linux/amd64",
        "-f",
        "cyclonedx-json",
        env=GOLDEN_ENV,
    )
    assert json.loads(plain.stdout)["serialNumber"] != bom["serialNumber"]
    bad = run("report", "samples/demo-multiarch.oci", "-f", "json", "--sbom-author", "a\nb")
    assert bad.returncode == 2
    assert b"--sbom-author" in bad.stderr
