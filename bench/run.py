"""Benchmark oci-reporter against the ceiling and against syft on the same inputs.

    python bench/run.py [--rounds 5] [--no-syft] [--format cyclonedx-json] [--only cold,trivy]
                        [--json bench/results.json] [INPUT ...]
    python bench/run.py --parity OURS.json SYFT.json [SYFT.json ...] [--json FILE]

Default inputs: ``../shared/fixtures/real/*`` and, when ``bench/make_image.py`` has been run,
``bench/.images/host-usr.oci-{gzip,zstd}``. In every round and for every input, in rotating
order, each of these runs as its own process:

* ``ceiling``   bench/ceiling.py: hash + isal/zstd + tar header skip only;
* ``scan``      bench/ceiling.py --ours: our ``scan_layer`` (+ all catalogers) over the same
                layers, in process, 1 core (the two above exclude start-up and rendering);
* ``cold-j1``   ``oci-reporter report -f json --no-cache --jobs 1``;
* ``cold``      ``oci-reporter report -f json --no-cache`` (jobs = cores);
* ``warm``      ``oci-reporter report -f json --cache-dir TMP`` after one priming run: the
                whole-report cache answers (every input file re-hashed);
* ``warm-layers`` the same with the whole-report entries deleted before each run: only the
                per-layer cache answers (blobs re-hashed, catalog and rendering run);
* ``trivy``     trivy 0.76 ``image --input SRC --format cyclonedx --offline-scan
                --skip-db-update --skip-java-db-update --scanners license`` with a fresh cache
                dir per run holding an empty Java DB (``../shared/tools/trivy-offline``; made
                before each run, untimed); it reads what syft reads, without the scheme prefix;
* ``syft``      ``syft scan SRC -o syft-json`` (oci-dir:, docker-archive:; a gzip'd docker-save
                tar is gunzipped once for syft, which cannot read it; a multi-platform layout is
                split into one single-image layout per platform, syft's times summed).

Wall time is measured around the process; peak RSS is the child's ``ru_maxrss`` from
``os.wait4`` (the largest single process). After the timed rounds, one more run of ``cold`` and
``syft`` samples the proportional set size (PSS) of the whole process tree every 20 ms, which
counts our worker processes too. Then medians, ratios and the package difference between our
JSON report and syft's output are printed: per package type, rows (ours, syft, same by
type, name, version and purl), the keys only one side has, and syft's rows that no row of
ours matches at one of the same files. ``--parity`` prints only that, for files made before.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("OCI_REPORTER_SHARED", REPO.parent / "shared"))
PY = sys.executable
SYFT = shutil.which("syft", path=str(Path(PY).parent)) or shutil.which("syft")
TRIVY = (
    os.environ.get("TRIVY")
    or shutil.which("trivy", path=str(Path(PY).parent))
    or shutil.which("trivy", path=str(REPO.parent / "tools-venv" / "bin"))
    or shutil.which("trivy")
)


@dataclass
class Input:
    label: str
    path: str  # what we read
    syft_sources: list[str]  # what syft reads (same image)
    compressed_bytes: int = 0
    times: dict[str, list[float]] = field(default_factory=dict)
    rss: dict[str, list[int]] = field(default_factory=dict)  # KiB
    cpu: dict[str, list[float]] = field(default_factory=dict)  # user + system seconds
    pss: dict[str, int] = field(default_factory=dict)  # KiB, peak of the process tree
    extra: dict[str, Any] = field(default_factory=dict)


# -- preparing inputs ----------------------------------------------------------------------------


def _layer_bytes(path: str) -> int:
    out = subprocess.run(
        [PY, str(HERE / "ceiling.py"), path], capture_output=True, check=True, text=True
    )
    return int(json.loads(out.stdout)["bytes"])


def _split_platforms(layout: Path, tmp: Path) -> list[str]:
    """syft reads one image per oci-dir: one layout per manifest, blobs shared by symlink."""
    index = json.loads((layout / "index.json").read_text())
    manifests = list(index["manifests"])
    out: list[str] = []
    while manifests:
        desc = manifests.pop(0)
        algorithm, _, hexa = desc["digest"].partition(":")
        doc = json.loads((layout / "blobs" / algorithm / hexa).read_text())
        if "manifests" in doc:
            manifests.extend(
                m for m in doc["manifests"] if m.get("platform", {}).get("os") != "unknown"
            )
            continue
        target = tmp / f"{layout.name}.{len(out)}"
        target.mkdir(parents=True)
        (target / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
        (target / "blobs").symlink_to(layout / "blobs")
        single = {"schemaVersion": 2, "manifests": [desc]}
        (target / "index.json").write_text(json.dumps(single))
        out.append(f"oci-dir:{target}")
    return out


def _inputs(paths: list[str], tmp: Path) -> list[Input]:
    inputs: list[Input] = []
    for raw in paths:
        path = Path(raw).resolve()
        if path.is_dir():
            index = json.loads((path / "index.json").read_text())
            single = len(index.get("manifests", [])) == 1
            if single:
                digest = index["manifests"][0]["digest"].partition(":")
                doc = json.loads((path / "blobs" / digest[0] / digest[2]).read_text())
                single = "manifests" not in doc
            sources = [f"oci-dir:{path}"] if single else _split_platforms(path, tmp)
            inputs.append(Input(path.name, str(path), sources))
        elif path.name.endswith(".tar.gz"):
            plain = tmp / path.name.removesuffix(".gz")
            with gzip.open(path, "rb") as src, open(plain, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            inputs.append(Input(path.name, str(path), [f"docker-archive:{plain}"]))
            inputs.append(
                Input(f"{plain.name} (gunzipped)", str(plain), [f"docker-archive:{plain}"])
            )
        else:
            inputs.append(Input(path.name, str(path), [f"docker-archive:{path}"]))
    for item in inputs:
        item.compressed_bytes = _layer_bytes(item.path)
    return inputs


# -- running -----------------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(c) for c in handle.read().split())
        except OSError:
            continue
    return pids


def _pss(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


def _run(
    cmd: list[str], env: dict[str, str], sample: bool = False
) -> tuple[float, int, int, float]:
    """(wall seconds, child ru_maxrss KiB, peak tree PSS KiB or 0, CPU seconds)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO
    )
    peak = [0]
    stop = threading.Event()

    def sampler() -> None:
        while not stop.wait(0.02):
            peak[0] = max(peak[0], _pss(_tree(proc.pid)))

    thread = threading.Thread(target=sampler, daemon=True) if sample else None
    if thread is not None:
        thread.start()
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stop.set()
    if thread is not None:
        thread.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 4):  # 4: integrity findings, still a full report
        raise RuntimeError(f"{cmd} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return wall, usage.ru_maxrss, peak[0], usage.ru_utime + usage.ru_stime


OURS_FORMAT = ["json"]  # set by --format: what "cold", "warm"… write


def _ours(tmp: Path, item: Input, *args: str) -> list[str]:
    fmt = OURS_FORMAT[0]
    out = tmp / f"ours-{abs(hash(item.label))}.json"
    where = ["-o", str(out)] if fmt == "json" else ["--output-dir", f"{out}.d"]
    return [PY, "-m", "reporter", "report", item.path, "-f", fmt, *where, "-q", *args]


def _trivy_db(tmp: Path) -> Path:
    """An empty trivy Java DB (as ../shared/tools/trivy-offline makes it), built once."""
    db = tmp / "trivy-java-db"
    if not db.exists():
        db.mkdir()
        con = sqlite3.connect(db / "trivy-java.db")
        con.executescript(
            "CREATE TABLE artifacts(id INTEGER PRIMARY KEY, group_id TEXT, artifact_id TEXT);"
            "CREATE UNIQUE INDEX artifacts_idx ON artifacts(artifact_id, group_id);"
            "CREATE TABLE indices(artifact_id INTEGER, version TEXT, sha1 BLOB, archive_type TEXT);"
            "CREATE UNIQUE INDEX indices_sha1_idx ON indices(sha1);"
            "CREATE INDEX indices_artifact_idx ON indices(artifact_id);"
        )
        con.commit()
        con.close()
        meta = {
            "Version": 1,
            "NextUpdate": "2099-01-01T00:00:00Z",
            "UpdatedAt": "2026-01-01T00:00:00Z",
            "DownloadedAt": "2026-01-01T00:00:00Z",
        }
        (db / "metadata.json").write_text(json.dumps(meta))
    return db


def _fresh_trivy_cache(tmp: Path) -> None:
    cache = tmp / "trivy-cache"
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir()
    shutil.copytree(_trivy_db(tmp), cache / "java-db")


def _drop_report_cache(tmp: Path) -> None:
    shutil.rmtree(tmp / "cache-layers" / "reports-v1", ignore_errors=True)


# name -> what to do, untimed, before each run of it
PREPARE: dict[str, Any] = {"trivy": _fresh_trivy_cache, "warm-layers": _drop_report_cache}


def _commands(tmp: Path, item: Input, syft: bool, only: set[str]) -> dict[str, list[list[str]]]:
    commands = {
        "ceiling": [[PY, str(HERE / "ceiling.py"), item.path]],
        "scan": [[PY, str(HERE / "ceiling.py"), item.path, "--ours"]],
        "cold-j1": [_ours(tmp, item, "--no-cache", "--jobs", "1")],
        "cold": [_ours(tmp, item, "--no-cache")],
        "warm": [_ours(tmp, item, "--cache-dir", str(tmp / "cache"))],
        "warm-layers": [_ours(tmp, item, "--cache-dir", str(tmp / "cache-layers"))],
    }
    if syft and SYFT:
        commands["syft"] = [
            [
                SYFT,
                "scan",
                source,
                "-q",
                "-o",
                f"syft-json={tmp / f'syft-{abs(hash(item.label))}-{n}.json'}",
            ]
            for n, source in enumerate(item.syft_sources)
        ]
    if TRIVY:
        commands["trivy"] = [
            [
                TRIVY,
                "image",
                "--input",
                source.partition(":")[2],
                "--format",
                "cyclonedx",
                "--output",
                str(tmp / f"trivy-{abs(hash(item.label))}-{n}.cdx.json"),
                "--offline-scan",
                "--skip-db-update",
                "--skip-java-db-update",
                "--scanners",
                "license",
                "--quiet",
                "--cache-dir",
                str(tmp / "trivy-cache"),
            ]
            for n, source in enumerate(item.syft_sources)
        ]
    if only:
        commands = {k: v for k, v in commands.items() if k in only}
    return commands


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    env.pop("OCI_REPORTER_CACHE", None)
    env["SYFT_CHECK_FOR_APP_UPDATE"] = "false"
    env["XDG_CACHE_HOME"] = str(tmp / "xdg-cache")
    env["TMPDIR"] = str(tmp)
    return env


def bench(inputs: list[Input], rounds: int, syft: bool, tmp: Path, only: set[str]) -> None:
    env = _env(tmp)
    plans = {item.label: _commands(tmp, item, syft, only) for item in inputs}
    for item in inputs:  # prime the warm caches once
        for name in ("warm", "warm-layers"):
            for cmd in plans[item.label].get(name, []):
                _run(cmd, env)
    for round_no in range(rounds):
        for item in inputs:
            names = list(plans[item.label])
            shift = round_no % len(names)
            for name in names[shift:] + names[:shift]:
                wall, rss, cpu = 0.0, 0, 0.0
                for cmd in plans[item.label][name]:
                    if name in PREPARE:
                        PREPARE[name](tmp)
                    w, r, _, c = _run(cmd, env)
                    wall, rss, cpu = wall + w, max(rss, r), cpu + c
                item.times.setdefault(name, []).append(wall)
                item.rss.setdefault(name, []).append(rss)
                item.cpu.setdefault(name, []).append(cpu)
        print(f"round {round_no + 1}/{rounds} done", file=sys.stderr)
    for item in inputs:
        for name in ("cold", "syft", "trivy"):
            if name in plans[item.label]:
                peaks = []
                for cmd in plans[item.label][name]:
                    if name in PREPARE:
                        PREPARE[name](tmp)
                    peaks.append(_run(cmd, env, sample=True)[2])
                item.pss[name] = max(peaks)
        for name in ("ceiling", "scan"):
            if name not in plans[item.label]:
                continue
            out = subprocess.run(
                plans[item.label][name][0], env=env, capture_output=True, text=True, check=True
            )
            inner = json.loads(out.stdout)
            item.extra[f"{name}-inner-s"] = inner["seconds"]
            item.extra[f"{name}-inner-cpu"] = inner["cpu"]


# -- packages ----------------------------------------------------------------------------------

Key = tuple[str, str, str, str]
# one row per package a tool reports: its key and the paths it cites as evidence
Row = tuple[Key, frozenset[str]]


def _ours_rows(path: Path) -> list[Row]:
    doc = json.loads(path.read_text())
    return [
        (
            (p["type"], p["name"], p["version"], p.get("purl", "")),
            frozenset(loc["path"] for loc in p["locations"]),
        )
        for image in doc["images"]
        for p in image["packages"]
    ]


def _syft_rows(paths: list[Path]) -> list[Row]:
    rows: list[Row] = []
    for path in paths:
        doc = json.loads(path.read_text())
        rows += [
            (
                (a["type"], a["name"], a["version"], a.get("purl", "")),
                frozenset(loc["path"] for loc in a["locations"]),
            )
            for a in doc["artifacts"]
        ]
    return rows


def _ours_packages(path: Path) -> set[Key]:
    return {key for key, _ in _ours_rows(path)}


def _syft_packages(paths: list[Path]) -> set[Key]:
    return {key for key, _ in _syft_rows(paths)}


def _unlocated(theirs: list[Row], ours: list[Row]) -> list[Row]:
    """syft's rows with no row of ours of the same key citing at least one of the same files.

    Rows are counted, not keys: the same (type, name, version, purl) is a separate package in
    each directory it is installed in (pip in the venv and in dist-packages, ``debug`` under
    four ``node_modules``, Go's ``stdlib`` once per binary), and sets would hide a missing copy.
    The location lists themselves differ by design (syft cites ``/var/lib/dpkg/info/*.list``,
    we cite the copyright file), so one shared path is the match.
    """
    pool: dict[Key, list[frozenset[str]]] = {}
    for key, paths in ours:
        pool.setdefault(key, []).append(paths)
    missing: list[Row] = []
    for key, paths in sorted(theirs, key=lambda r: (r[0], sorted(r[1]))):
        candidates = pool.get(key, [])
        hit = next((n for n, mine in enumerate(candidates) if mine & paths), None)
        if hit is None:
            missing.append((key, paths))
        else:
            candidates.pop(hit)
    return missing


def diff_packages(ours_json: Path, syft_jsons: list[Path]) -> dict[str, Any]:
    """Our JSON report against syft-json output(s) of the same image, by package row."""
    ours_rows, theirs_rows = _ours_rows(ours_json), _syft_rows(syft_jsons)
    ours_count = Counter(key for key, _ in ours_rows)
    theirs_count = Counter(key for key, _ in theirs_rows)
    same = ours_count & theirs_count
    ours, theirs = set(ours_count), set(theirs_count)
    short_ours = {k[:3] for k in ours}
    short_theirs = {k[:3] for k in theirs}
    types = sorted({k[0] for k in ours | theirs})
    by_type = {
        kind: {
            "ours": sum(n for k, n in ours_count.items() if k[0] == kind),
            "syft": sum(n for k, n in theirs_count.items() if k[0] == kind),
            "same": sum(n for k, n in same.items() if k[0] == kind),
        }
        for kind in types
    }
    return {
        "by type": by_type,
        "ours": sum(ours_count.values()),
        "syft": sum(theirs_count.values()),
        "same (type,name,version,purl)": sum(same.values()),
        "same (type,name,version)": len(short_ours & short_theirs),
        "syft rows without ours at the same path": [
            [*key, sorted(paths)] for key, paths in _unlocated(theirs_rows, ours_rows)
        ],
        "only ours": sorted(ours - theirs),
        "only syft": sorted(theirs - ours),
        "only ours (type,name,version)": sorted(short_ours - short_theirs),
        "only syft (type,name,version)": sorted(short_theirs - short_ours),
        "same package, different purl": sorted(
            (a[3], b[3])
            for a in ours - theirs
            for b in theirs - ours
            if a[:3] == b[:3] and a[3] != b[3]
        ),
    }


def package_diff(tmp: Path, item: Input) -> dict[str, Any]:
    syft_files = [
        tmp / f"syft-{abs(hash(item.label))}-{n}.json" for n in range(len(item.syft_sources))
    ]
    if not all(p.exists() for p in syft_files):
        return {}
    return diff_packages(tmp / f"ours-{abs(hash(item.label))}.json", syft_files)


def print_diff(label: str, diff: dict[str, Any]) -> None:
    print(
        f"{label}: ours {diff['ours']}, syft {diff['syft']}, same with purl "
        f"{diff['same (type,name,version,purl)']}, same by type/name/version "
        f"{diff['same (type,name,version)']} (distinct)"
    )
    print(f"  {'type':22} {'ours':>6} {'syft':>6} {'same':>6}")
    for kind, row in diff["by type"].items():
        print(f"  {kind:22} {row['ours']:6} {row['syft']:6} {row['same']:6}")
    for side in ("only ours", "only syft"):
        rows = diff[side]
        if rows:
            shown = ", ".join(f"{t}:{n}@{v} {p}" for t, n, v, p in rows[:12])
            more = f" … (+{len(rows) - 12})" if len(rows) > 12 else ""
            print(f"  {side}: {len(rows)}: {shown}{more}")
    unlocated = diff["syft rows without ours at the same path"]
    print(f"  syft rows without a row of ours citing one of the same files: {len(unlocated)}")
    for t, n, v, _, paths in unlocated[:12]:
        print(f"    {t}:{n}@{v} {paths[:2]}")


# -- printing ----------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _ratio(a: float | None, b: float | None) -> float:
    if a is None or b is None or b == 0:
        return float("nan")
    return a / b


def report(inputs: list[Input], tmp: Path, rounds: int) -> dict[str, Any]:
    results: dict[str, Any] = {"rounds": rounds, "cores": os.cpu_count(), "inputs": {}}
    names = [
        n
        for n in ("ceiling", "scan", "cold-j1", "cold", "warm", "warm-layers", "trivy", "syft")
        if any(n in item.times for item in inputs)
    ]
    print(f"\n{rounds} rounds, {os.cpu_count()} cores; ours writes {OURS_FORMAT[0]}\n")
    for title, table in (
        ("median wall seconds", "times"),
        ("median CPU seconds (user + system, workers included)", "cpu"),
        ("peak RSS MiB (largest single process, max over rounds)", "rss"),
    ):
        print(f"{title}\n")
        print(f"{'input':42} {'MB':>6} " + " ".join(f"{n:>11}" for n in names))
        for item in inputs:
            values: dict[str, list[float]] = getattr(item, table)
            if table == "rss":
                cells = {n: max(v) / 1024 for n, v in values.items()}
            else:
                cells = {n: _median(v) for n, v in values.items()}
            entry = results["inputs"].setdefault(
                item.label,
                {
                    "path": item.path,
                    "syft_sources": item.syft_sources,
                    "layer_bytes": item.compressed_bytes,
                    **item.extra,
                },
            )
            entry[{"times": "median_s", "cpu": "median_cpu_s", "rss": "peak_rss_mib"}[table]] = (
                cells
            )
            entry[table] = values
            row = " ".join(f"{cells.get(n, float('nan')):11.2f}" for n in names)
            print(f"{item.label[:42]:42} {item.compressed_bytes / 1e6:6.1f} {row}")
        print()
    print("ratios (lower is better unless noted)\n")
    heads = [
        ("cold/trivy", "cold", "trivy", "median_s"),
        ("rss/trivy", "cold", "trivy", "peak_rss_mib"),
        ("pss/trivy", "cold", "trivy", "pss"),
        ("warm/cold", "warm", "cold", "median_s"),
        ("warmL/cold", "warm-layers", "cold", "median_s"),
        ("j1/j2 (x)", "cold-j1", "cold", "median_s"),
        ("cold/syft", "cold", "syft", "median_s"),
        ("ceil/scan cpu", "ceiling", "scan", "cpu"),
    ]
    print(f"{'input':42} " + " ".join(f"{h[0]:>13}" for h in heads))
    for item in inputs:
        entry = results["inputs"][item.label]
        entry["pss"] = {n: v / 1024 for n, v in item.pss.items()}
        if "scan-inner-cpu" in item.extra:
            entry["cpu"] = entry.get("cpu", {})
            cpu_inner = {
                "ceiling": item.extra["ceiling-inner-cpu"],
                "scan": item.extra["scan-inner-cpu"],
            }
        else:
            cpu_inner = {}
        ratios = {}
        for label, top, bottom, table in heads:
            source = cpu_inner if table == "cpu" else entry.get(table, {})
            ratios[label] = _ratio(source.get(top), source.get(bottom))
        entry["ratios"] = ratios
        print(f"{item.label[:42]:42} " + " ".join(f"{ratios[h[0]]:13.3f}" for h in heads))
    if OURS_FORMAT[0] != "json":
        return results
    print("\npackages: ours vs syft (type, name, version, purl)\n")
    for item in inputs:
        if not (tmp / f"ours-{abs(hash(item.label))}.json").exists():
            continue
        diff = package_diff(tmp, item)
        results["inputs"][item.label]["packages"] = diff
        if diff:
            print_diff(item.label, diff)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="*")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-syft", action="store_true")
    parser.add_argument("--json", metavar="FILE", help="also write every figure here")
    parser.add_argument(
        "--format", default="json", help="what our runs write (e.g. cyclonedx-json, as trivy)"
    )
    parser.add_argument(
        "--only", default="", help="comma-separated columns to run (default all), e.g. cold,trivy"
    )
    parser.add_argument(
        "--parity",
        nargs="+",
        metavar=("OURS.json", "SYFT.json"),
        help="run nothing: print the package table of an existing `report -f json` file "
        "against syft-json file(s) of the same image (one per platform), then exit",
    )
    args = parser.parse_args()
    if args.parity:
        if len(args.parity) < 2:
            parser.error("--parity needs OURS.json and at least one SYFT.json")
        ours_json, *syft_jsons = (Path(p) for p in args.parity)
        diff = diff_packages(ours_json, syft_jsons)
        print_diff(ours_json.name, diff)
        if args.json:
            Path(args.json).write_text(json.dumps(diff, indent=2, default=list) + "\n")
        return 0
    OURS_FORMAT[0] = args.format
    only = {n for n in args.only.split(",") if n}
    paths = args.inputs
    if not paths:
        real = SHARED / "fixtures" / "real"
        paths = sorted(str(p) for p in real.iterdir() if not p.name.startswith(("_", "README")))
        paths += [str(p) for p in sorted((HERE / ".images").glob("host-usr.oci-*"))]
    if not args.no_syft and not SYFT:
        print("syft not found: running without it", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="oci-reporter-bench-") as name:
        tmp = Path(name)
        inputs = _inputs(paths, tmp)
        bench(inputs, args.rounds, not args.no_syft, tmp, only)
        results = report(inputs, tmp, args.rounds)
    results["command"] = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=list) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
