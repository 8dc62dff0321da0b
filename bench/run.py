"""Benchmark oci-reporter against the ceiling and against syft on the same inputs.

    python bench/run.py [--rounds 5] [--no-syft] [--json bench/results.json] [INPUT ...]

Default inputs: ``../shared/fixtures/real/*`` and, when ``bench/make_image.py`` has been run,
``bench/.images/host-usr.oci-{gzip,zstd}``. In every round and for every input, in rotating
order, each of these runs as its own process:

* ``ceiling``   bench/ceiling.py: hash + isal/zstd + tar header skip only;
* ``scan``      bench/ceiling.py --ours: our ``scan_layer`` (+ all catalogers) over the same
                layers, in process, 1 core (the two above exclude start-up and rendering);
* ``cold-j1``   ``oci-reporter report -f json --no-cache --jobs 1``;
* ``cold``      ``oci-reporter report -f json --no-cache`` (jobs = cores);
* ``warm``      ``oci-reporter report -f json --cache-dir TMP`` after one priming run;
* ``syft``      ``syft scan SRC -o syft-json`` (oci-dir:, docker-archive:; a gzip'd docker-save
                tar is gunzipped once for syft, which cannot read it; a multi-platform layout is
                split into one single-image layout per platform, syft's times summed).

Wall time is measured around the process; peak RSS is the child's ``ru_maxrss`` from
``os.wait4`` (the largest single process). After the timed rounds, one more run of ``cold`` and
``syft`` samples the proportional set size (PSS) of the whole process tree every 20 ms, which
counts our worker processes too. Then medians, ratios and the package-set difference (type,
name, version, purl) between our JSON report and syft's output are printed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("OCI_REPORTER_SHARED", REPO.parent / "shared"))
PY = sys.executable
SYFT = shutil.which("syft", path=str(Path(PY).parent)) or shutil.which("syft")


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


def _ours(tmp: Path, item: Input, *args: str) -> list[str]:
    out = tmp / f"ours-{abs(hash(item.label))}.json"
    return [PY, "-m", "reporter", "report", item.path, "-f", "json", "-o", str(out), "-q", *args]


def _commands(tmp: Path, item: Input, syft: bool) -> dict[str, list[list[str]]]:
    cache = tmp / "cache"
    commands = {
        "ceiling": [[PY, str(HERE / "ceiling.py"), item.path]],
        "scan": [[PY, str(HERE / "ceiling.py"), item.path, "--ours"]],
        "cold-j1": [_ours(tmp, item, "--no-cache", "--jobs", "1")],
        "cold": [_ours(tmp, item, "--no-cache")],
        "warm": [_ours(tmp, item, "--cache-dir", str(cache))],
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
    return commands


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    env.pop("OCI_REPORTER_CACHE", None)
    env["SYFT_CHECK_FOR_APP_UPDATE"] = "false"
    env["XDG_CACHE_HOME"] = str(tmp / "xdg-cache")
    env["TMPDIR"] = str(tmp)
    return env


def bench(inputs: list[Input], rounds: int, syft: bool, tmp: Path) -> None:
    env = _env(tmp)
    plans = {item.label: _commands(tmp, item, syft) for item in inputs}
    for item in inputs:  # prime the warm cache once
        for cmd in plans[item.label]["warm"]:
            _run(cmd, env)
    for round_no in range(rounds):
        for item in inputs:
            names = list(plans[item.label])
            shift = round_no % len(names)
            for name in names[shift:] + names[:shift]:
                wall, rss, cpu = 0.0, 0, 0.0
                for cmd in plans[item.label][name]:
                    w, r, _, c = _run(cmd, env)
                    wall, rss, cpu = wall + w, max(rss, r), cpu + c
                item.times.setdefault(name, []).append(wall)
                item.rss.setdefault(name, []).append(rss)
                item.cpu.setdefault(name, []).append(cpu)
        print(f"round {round_no + 1}/{rounds} done", file=sys.stderr)
    for item in inputs:
        for name in ("cold", "syft"):
            if name in plans[item.label]:
                item.pss[name] = max(
                    _run(cmd, env, sample=True)[2] for cmd in plans[item.label][name]
                )
        for name in ("ceiling", "scan"):
            out = subprocess.run(
                plans[item.label][name][0], env=env, capture_output=True, text=True, check=True
            )
            inner = json.loads(out.stdout)
            item.extra[f"{name}-inner-s"] = inner["seconds"]
            item.extra[f"{name}-inner-cpu"] = inner["cpu"]


# -- packages ----------------------------------------------------------------------------------

Key = tuple[str, str, str, str]


def _ours_packages(path: Path) -> set[Key]:
    doc = json.loads(path.read_text())
    return {
        (p["type"], p["name"], p["version"], p.get("purl", ""))
        for image in doc["images"]
        for p in image["packages"]
    }


def _syft_packages(paths: list[Path]) -> set[Key]:
    found: set[Key] = set()
    for path in paths:
        doc = json.loads(path.read_text())
        found |= {(a["type"], a["name"], a["version"], a.get("purl", "")) for a in doc["artifacts"]}
    return found


def package_diff(tmp: Path, item: Input) -> dict[str, Any]:
    ours = _ours_packages(tmp / f"ours-{abs(hash(item.label))}.json")
    syft_files = [
        tmp / f"syft-{abs(hash(item.label))}-{n}.json" for n in range(len(item.syft_sources))
    ]
    if not all(p.exists() for p in syft_files):
        return {}
    theirs = _syft_packages(syft_files)
    short_ours = {k[:3] for k in ours}
    short_theirs = {k[:3] for k in theirs}
    return {
        "ours": len(ours),
        "syft": len(theirs),
        "same (type,name,version,purl)": len(ours & theirs),
        "same (type,name,version)": len(short_ours & short_theirs),
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


# -- printing ----------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(inputs: list[Input], tmp: Path, rounds: int) -> dict[str, Any]:
    results: dict[str, Any] = {"rounds": rounds, "cores": os.cpu_count(), "inputs": {}}
    print(f"\n{rounds} rounds, {os.cpu_count()} cores; medians (s), peak RSS (MiB)\n")
    head = (
        f"{'input':42} {'MB':>6} {'ceil':>6} {'scan':>6} {'cold1':>6} {'cold':>6} {'warm':>6} "
        f"{'syft':>6} | {'rss':>5} {'syft':>5} {'pss':>5} {'syft':>5}"
    )
    print(head)
    print("-" * len(head))
    for item in inputs:
        med = {name: _median(values) for name, values in item.times.items()}
        rss = {name: max(values) / 1024 for name, values in item.rss.items()}
        pss = {name: value / 1024 for name, value in item.pss.items()}
        print(
            f"{item.label[:42]:42} {item.compressed_bytes / 1e6:6.1f} {med['ceiling']:6.2f} "
            f"{med['scan']:6.2f} {med['cold-j1']:6.2f} {med['cold']:6.2f} {med['warm']:6.2f} "
            f"{med.get('syft', float('nan')):6.2f} | {rss['cold']:5.0f} "
            f"{rss.get('syft', float('nan')):5.0f} {pss.get('cold', float('nan')):5.0f} "
            f"{pss.get('syft', float('nan')):5.0f}"
        )
        results["inputs"][item.label] = {
            "path": item.path,
            "syft_sources": item.syft_sources,
            "layer_bytes": item.compressed_bytes,
            "median_s": med,
            "times_s": item.times,
            "peak_rss_mib": rss,
            "peak_tree_pss_mib": pss,
            **item.extra,
        }
    print("\nmedian CPU seconds (user + system, worker processes included)\n")
    names = ["ceiling", "scan", "cold-j1", "cold", "warm", "syft"]
    print(f"{'input':42} " + " ".join(f"{n:>7}" for n in names))
    for item in inputs:
        cpu = {name: _median(values) for name, values in item.cpu.items()}
        results["inputs"][item.label]["median_cpu_s"] = cpu
        results["inputs"][item.label]["cpu_s"] = item.cpu
        cells = " ".join(f"{cpu.get(n, float('nan')):7.2f}" for n in names)
        print(f"{item.label[:42]:42} {cells}")
    print("\nratios (lower is better unless noted)\n")
    head = (
        f"{'input':42} {'scan/ceil':>9} {'cpu':>5} {'j1/ceil':>8} {'MB/s j1':>8} {'cold/syft':>9} "
        f"{'warm/cold':>9} {'rss/syft':>8} {'pss/syft':>8} {'j1/j2 (x)':>9}"
    )
    print(head)
    print("-" * len(head))
    for item in inputs:
        r = results["inputs"][item.label]
        med, rss, pss = r["median_s"], r["peak_rss_mib"], r["peak_tree_pss_mib"]
        syft = med.get("syft", float("nan"))
        ratios = {
            "scan/ceiling (in-process)": item.extra["scan-inner-s"] / item.extra["ceiling-inner-s"],
            "scan/ceiling (in-process CPU)": (
                item.extra["scan-inner-cpu"] / item.extra["ceiling-inner-cpu"]
            ),
            "cold-j1/ceiling (wall)": med["cold-j1"] / med["ceiling"],
            "cold-j1 MB/s": item.compressed_bytes / 1e6 / med["cold-j1"],
            "cold/syft": med["cold"] / syft,
            "warm/cold": med["warm"] / med["cold"],
            "rss cold/syft": rss["cold"] / rss.get("syft", float("nan")),
            "pss cold/syft": pss.get("cold", float("nan")) / pss.get("syft", float("nan")),
            "speedup j1/j2": med["cold-j1"] / med["cold"],
        }
        r["ratios"] = ratios
        print(
            f"{item.label[:42]:42} {ratios['scan/ceiling (in-process)']:9.2f} "
            f"{ratios['scan/ceiling (in-process CPU)']:5.2f} "
            f"{ratios['cold-j1/ceiling (wall)']:8.2f} {ratios['cold-j1 MB/s']:8.1f} "
            f"{ratios['cold/syft']:9.3f} {ratios['warm/cold']:9.2f} "
            f"{ratios['rss cold/syft']:8.2f} {ratios['pss cold/syft']:8.2f} "
            f"{ratios['speedup j1/j2']:9.2f}"
        )
    print("\npackages: ours vs syft (type, name, version, purl)\n")
    for item in inputs:
        diff = package_diff(tmp, item)
        results["inputs"][item.label]["packages"] = diff
        if not diff:
            continue
        print(
            f"{item.label}: ours {diff['ours']}, syft {diff['syft']}, same with purl "
            f"{diff['same (type,name,version,purl)']}, same by type/name/version "
            f"{diff['same (type,name,version)']}"
        )
        for side in ("only ours (type,name,version)", "only syft (type,name,version)"):
            rows = diff[side]
            if rows:
                shown = ", ".join(f"{t}:{n}@{v}" for t, n, v in rows[:12])
                more = f" … (+{len(rows) - 12})" if len(rows) > 12 else ""
                print(f"  {side}: {len(rows)}: {shown}{more}")
        pairs = diff["same package, different purl"]
        if pairs:
            print(f"  same package, different purl: {len(pairs)}, e.g. ours {pairs[0][0]}")
            print(f"  {'':30}                        syft {pairs[0][1]}")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="*")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-syft", action="store_true")
    parser.add_argument("--json", metavar="FILE", help="also write every figure here")
    args = parser.parse_args()
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
        bench(inputs, args.rounds, not args.no_syft, tmp)
        results = report(inputs, tmp, args.rounds)
    results["command"] = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=list) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
