"""Layers scanned in worker processes give exactly the Report of a one-process scan."""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest

from reporter.catalog import ALL_CATALOGERS
from reporter.layers import parallel, schedule
from reporter.layers.capture import WholeFile
from reporter.layers.parallel import Counted, ScanJob, run_parallel, scan_job
from reporter.layers.scan import LayerScan
from reporter.options import Limits, Options
from reporter.pipeline import generate
from samples.build import docker_save_bytes, gzip_bytes, write_layout
from tests.conftest import REPO, shared_path

# Reports are compared whole: pin their time of making (SOURCE_DATE_EPOCH), the one field
# that otherwise comes from the clock.
EPOCH = 1_700_000_000

Calls = list[list[str]]


@pytest.fixture
def pool_calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Record which layers went to ``run_parallel`` (and prove the pool path ran)."""
    calls: Calls = []
    real = parallel.run_parallel

    def spy(jobs: Sequence[ScanJob], *args: Any, **kwargs: Any) -> None:
        calls.append([job.ident for job in jobs])
        real(jobs, *args, **kwargs)

    monkeypatch.setattr(schedule, "run_parallel", spy)
    return calls


@pytest.fixture
def any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small sample layers are worth a pool too, for the tests' sake."""
    monkeypatch.setattr(schedule, "_PARALLEL_MIN_BYTES", 0)


def test_real_image_two_jobs_equal_one(pool_calls: Calls) -> None:
    path = str(shared_path("fixtures", "real", "debian-app.oci-gzip"))
    one = generate(path, Options(source_date_epoch=EPOCH, jobs=1))
    assert pool_calls == []
    two = generate(path, Options(source_date_epoch=EPOCH, jobs=2))
    assert len(pool_calls) == 1
    assert len(pool_calls[0]) == 5
    assert two == one


@pytest.mark.usefixtures("any_size")
def test_sample_layout_two_jobs_equal_one(tmp_path: Path, pool_calls: Calls) -> None:
    write_layout(tmp_path / "demo.oci")
    one = generate(str(tmp_path / "demo.oci"), Options(source_date_epoch=EPOCH, jobs=1))
    for jobs in (2, 3, 0):
        assert (
            generate(str(tmp_path / "demo.oci"), Options(source_date_epoch=EPOCH, jobs=jobs)) == one
        )
    assert len(pool_calls) == 3
    assert all(len(call) == 4 for call in pool_calls)  # 2 platforms, 2 shared layers


@pytest.mark.usefixtures("any_size")
def test_project_sample_two_jobs_equal_one(pool_calls: Calls) -> None:
    path = str(REPO / "samples" / "demo-multiarch.oci")
    assert generate(path, Options(source_date_epoch=EPOCH, jobs=2)) == generate(
        path, Options(source_date_epoch=EPOCH, jobs=1)
    )
    assert len(pool_calls) == 1


def _tar_of(directory: Path, out: Path) -> None:
    with tarfile.open(out, "w") as tar:
        for path in sorted(directory.rglob("*")):
            tar.add(path, arcname=str(path.relative_to(directory)), recursive=False)


@pytest.mark.usefixtures("any_size")
def test_seekable_tars_are_read_by_workers_at_member_offsets(
    tmp_path: Path, pool_calls: Calls
) -> None:
    images = write_layout(tmp_path / "demo.oci")
    _tar_of(tmp_path / "demo.oci", tmp_path / "demo.oci.tar")
    (tmp_path / "docker.tar").write_bytes(docker_save_bytes(images[0]))
    for name in ("demo.oci.tar", "docker.tar"):
        path = str(tmp_path / name)
        one = generate(path, Options(source_date_epoch=EPOCH, jobs=1))
        assert generate(path, Options(source_date_epoch=EPOCH, jobs=2)) == one
        assert one.integrity_ok
    assert len(pool_calls) == 2


@pytest.mark.usefixtures("any_size")
def test_stream_inputs_stay_sequential(tmp_path: Path, pool_calls: Calls) -> None:
    images = write_layout(tmp_path / "demo.oci")
    (tmp_path / "docker.tar.gz").write_bytes(gzip_bytes(docker_save_bytes(images[0])))
    generate(str(tmp_path / "docker.tar.gz"), Options(source_date_epoch=EPOCH, jobs=2))
    assert pool_calls == []


@pytest.mark.usefixtures("any_size")
def test_missing_and_damaged_layers_report_alike(tmp_path: Path, pool_calls: Calls) -> None:
    layout = tmp_path / "demo.oci"
    images = write_layout(layout)
    blobs = layout / "blobs" / "sha256"
    manifest = orjson.loads((blobs / str(images[0].manifest["digest"])[7:]).read_bytes())
    first, second = (layer["digest"][7:] for layer in manifest["layers"][:2])
    (blobs / first).unlink()
    damaged = bytearray((blobs / second).read_bytes())
    damaged[20] ^= 0xFF
    (blobs / second).write_bytes(bytes(damaged))
    one = generate(str(layout), Options(source_date_epoch=EPOCH, jobs=1))
    assert not one.integrity_ok
    assert generate(str(layout), Options(source_date_epoch=EPOCH, jobs=2)) == one
    assert pool_calls


def _scan_all(jobs: list[ScanJob], workers: int, **kwargs: Any) -> dict[str, LayerScan | None]:
    out: dict[str, LayerScan | None] = {}
    run_parallel(
        jobs,
        ALL_CATALOGERS,
        Limits(),
        workers=workers,
        on_done=lambda job, scan: out.__setitem__(job.ident, scan),
        **kwargs,
    )
    return out


def _jobs(tmp_path: Path, count: int = 4) -> list[ScanJob]:
    write_layout(tmp_path / "demo.oci")
    blobs = sorted((tmp_path / "demo.oci" / "blobs" / "sha256").iterdir())
    return [
        ScanJob(p.name, str(p), 0, None, p.stat().st_size, f"w/{p.name}", "sha256", "")
        for p in blobs[:count]
    ]


def test_run_parallel_reports_bytes_and_every_job(tmp_path: Path) -> None:
    jobs = _jobs(tmp_path)
    seen: list[int] = []
    out = _scan_all(jobs, 2, on_bytes=seen.append)
    assert sorted(out) == sorted(j.ident for j in jobs)
    assert out == _scan_all(jobs, 1)
    assert seen
    assert seen[-1] == sum(j.size for j in jobs)


def _dies(job: ScanJob) -> LayerScan | None:
    os._exit(3)


def test_a_dead_worker_falls_back_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = _jobs(tmp_path)
    expected = _scan_all(jobs, 1)
    if parallel.pool_context().get_start_method() != "fork":
        pytest.skip("the patched worker function only reaches forked workers")
    monkeypatch.setattr(parallel, "_work", _dies)
    assert _scan_all(jobs, 2) == expected


def test_unopenable_job_is_none(tmp_path: Path) -> None:
    job = ScanJob("x", str(tmp_path / "absent"), 0, None, 1, "w/x", "sha256", "")
    assert parallel.scan_job(job, (), Limits()) is None


def test_counted_reader_bounds_and_counts() -> None:
    ticks: list[int] = []
    reader = Counted(io.BytesIO(b"0123456789"), 7, ticks.append)
    assert reader.read(4) == b"0123"
    assert reader.read() == b"456"
    assert reader.read() == b""
    assert ticks == [4, 3]
    assert Counted(io.BytesIO(b"abc")).read() == b"abc"


def test_scan_job_reads_a_window(tmp_path: Path) -> None:
    blob = gzip_bytes(b"\0" * 1024)
    (tmp_path / "f").write_bytes(b"junk" + blob + b"more junk")
    job = ScanJob("x", str(tmp_path / "f"), 4, len(blob), len(blob), "w", "sha256", "")
    scan = parallel.scan_job(job, (), Limits())
    assert scan is not None
    assert scan.blob_size == len(blob)
    assert scan.compression == "gzip"


def test_layers_are_shared_longest_first() -> None:
    def job(size: int) -> ScanJob:
        return ScanJob(str(size), "f", 0, None, size, "w", "sha256", "")

    jobs = [job(s) for s in (152, 132, 109, 46)]
    mine, rest = parallel._share(jobs, 2)
    assert [j.size for j in mine] == [152, 46]
    assert [j.size for j in rest] == [132, 109]
    mine, rest = parallel._share(jobs, 4)
    assert [j.size for j in mine] == [152]
    assert [j.size for j in rest] == [132, 109, 46]


def test_a_job_reads_its_bytes_again_for_a_hard_link(tmp_path: Path) -> None:
    # the layer sits inside a bigger file (a docker-save tar): the second pass must read the
    # same length from the same offset, or it would walk the neighbour's bytes
    class Wants:
        name = "k"

        def wants(self, path: str, mode: int, size: int) -> WholeFile | None:
            return WholeFile() if path == "bin/busybox" else None

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        target = tarfile.TarInfo("bin/[")
        target.size = 5
        tar.addfile(target, io.BytesIO(b"ELF!!"))
        link = tarfile.TarInfo("bin/busybox")
        link.type = tarfile.LNKTYPE
        link.linkname = "bin/["
        tar.addfile(link)
    layer = buf.getvalue()
    blob = tmp_path / "archive"
    blob.write_bytes(b"x" * 1000 + layer + b"y" * 3000)
    job = ScanJob("l", str(blob), 1000, len(layer), len(layer), "l", "sha256", "")
    scan = scan_job(job, [Wants()], Limits())
    assert scan is not None
    assert [(c.path, c.data) for c in scan.captured] == [("bin/busybox", b"ELF!!")]
    assert scan.findings == ()
