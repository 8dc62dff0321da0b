"""audit --scheduler on Dask distributed: a LocalCluster, and a real ``dask scheduler`` with two
``dask worker`` processes, all on 127.0.0.1. Same inventory as the local audit, shared layers
scanned once, a tampered copy still caught, every process stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reporter.fleet.audit import run_audit
from reporter.fleet.executors import dask_executor, local_executor
from reporter.fleet.inventory import Inventory
from reporter.options import Options
from tests.conftest import REPO
from tests.fleet._run import rows

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow

# what must be the same whichever executor ran the audit
_SAME = (
    "SELECT i.path, i.status, i.integrity, m.platform, m.manifest_digest, m.integrity, "
    "m.package_count, (SELECT group_concat(p.type || ' ' || p.name || ' ' || p.version, ',') "
    " FROM (SELECT * FROM packages WHERE image_id = m.id ORDER BY type, name, version) p) "
    "FROM inputs i LEFT JOIN images m ON m.input_id = i.id ORDER BY i.path, m.position"
)


def _audit(fleet: Path, db: Path, executor: object) -> int:
    inventory = Inventory(str(db))
    try:
        summary = run_audit([str(fleet)], inventory, Options(jobs=1), executor=executor)  # type: ignore[arg-type]
    finally:
        inventory.close()
    return summary.exit_code


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def local_cluster() -> Iterator[str]:
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=True,
    )
    try:
        yield str(cluster.scheduler_address)
    finally:
        cluster.close()


def test_local_cluster_matches_local_audit(fleet: Path, tmp_path: Path, local_cluster: str) -> None:
    assert local_cluster.startswith("tcp://127.0.0.1:")
    local_db, dask_db = tmp_path / "local.sqlite", tmp_path / "dask.sqlite"
    assert _audit(fleet, local_db, local_executor) == 4
    stats: dict[str, int] = {}
    assert _audit(fleet, dask_db, dask_executor(local_cluster, stats=stats)) == 4
    assert rows(dask_db, _SAME) == rows(local_db, _SAME)
    # debian-app and its tampered copy name the same 5 layer blobs: 5 scans, not 10
    assert stats["layer_tasks"] < stats["layer_refs"]
    assert stats["layer_refs"] - stats["layer_tasks"] >= 5
    failed = rows(dask_db, "SELECT path FROM inputs WHERE integrity = 'failed'")
    assert failed == [(str(fleet / "bad/tampered.oci"),)]


@pytest.fixture
def real_cluster(tmp_path: Path) -> Iterator[str]:
    bin_dir = Path(sys.executable).parent
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(REPO), "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    logs = tmp_path / "logs"
    logs.mkdir()
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, *argv: str) -> None:
        with open(logs / f"{name}.log", "wb") as log:
            procs.append(
                subprocess.Popen(
                    [str(bin_dir / "dask"), *argv], env=env, stdout=log, stderr=log, cwd=tmp_path
                )
            )

    start(
        "scheduler",
        "scheduler",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--dashboard-address",
        ":0",
        "--no-show",
    )
    try:
        for n in (1, 2):
            start(
                f"worker{n}",
                "worker",
                address,
                "--host",
                "127.0.0.1",
                "--nthreads",
                "1",
                "--nworkers",
                "1",
                "--no-dashboard",
                "--death-timeout",
                "30",
            )
        client = distributed.Client(address, timeout=60, set_as_default=False)
        try:
            client.wait_for_workers(2, timeout=60)
        finally:
            client.close()
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def test_real_scheduler_and_two_workers(fleet: Path, tmp_path: Path, real_cluster: str) -> None:
    local_db, dask_db = tmp_path / "local.sqlite", tmp_path / "dask.sqlite"
    assert _audit(fleet, local_db, local_executor) == 4
    start = time.monotonic()
    assert _audit(fleet, dask_db, dask_executor(real_cluster)) == 4
    assert time.monotonic() - start < 300
    assert rows(dask_db, _SAME) == rows(local_db, _SAME)


def test_unreachable_scheduler_is_one_line(fleet: Path, tmp_path: Path) -> None:
    from reporter.errors import UsageError

    run = dask_executor(f"tcp://127.0.0.1:{_free_port()}", timeout=2)
    with pytest.raises(UsageError, match="cannot reach the Dask scheduler"):
        _audit(fleet, tmp_path / "inv.sqlite", run)
