"""Wall time and peak RSS of one ``oci-reporter report`` command from two source trees.

    .venv/bin/python bench/before_after.py --before /tmp/perf-before --after . --rounds 3 \\
        --format cyclonedx-json INPUT [INPUT ...]

Each round runs every (input, tree) pair once, in rotating order, as its own process under
``/usr/bin/time -v`` (wall clock, user + system CPU of it and its workers, "Maximum resident
set size"), started in the tree with ``PYTHONPATH`` set to it, ``--no-cache``, output to
/dev/null. Prints medians and min per pair.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

_WALL = re.compile(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)")
_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
_CPU = re.compile(r"(User|System) time \(seconds\): ([\d.]+)")


def _one(tree: Path, path: str, fmt: str, extra: list[str]) -> tuple[float, float, float]:
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        command = [
            "/usr/bin/time",
            "-v",
            "-o",
            out.name,
            sys.executable,
            "-m",
            "reporter",
            "report",
            path,
            "-f",
            fmt,
            "--no-cache",
            "-q",
            "-o",
            "/dev/null",
            *extra,
        ]
        env = {**os.environ, "PYTHONPATH": str(tree)}
        # cwd too: ``python -m`` puts the working directory before PYTHONPATH on sys.path
        subprocess.run(command, env=env, cwd=tree, check=True, stdout=subprocess.DEVNULL)
        text = Path(out.name).read_text()
    wall = _WALL.search(text)
    rss = _RSS.search(text)
    if wall is None or rss is None:
        raise SystemExit(f"cannot read /usr/bin/time output:\n{text}")
    seconds = int(wall[1] or 0) * 3600 + int(wall[2]) * 60 + float(wall[3])
    cpu = sum(float(v) for _, v in _CPU.findall(text))
    return seconds, cpu, int(rss[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--format", default="cyclonedx-json")
    parser.add_argument("--extra", action="append", default=[], help="extra report argument")
    parser.add_argument("inputs", nargs="+")
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    inputs = [str(Path(i).resolve()) for i in args.inputs]
    pairs = [(i, t) for i in inputs for t in trees]
    results: dict[tuple[str, str], list[tuple[float, float, float]]] = {p: [] for p in pairs}
    for n in range(args.rounds):
        order = pairs[n % len(pairs) :] + pairs[: n % len(pairs)]
        for path, tree in order:
            results[(path, tree)].append(_one(trees[tree], path, args.format, args.extra))
    print(f"format {args.format}, {args.rounds} rounds; medians (min) ")
    print("| input | tree | wall s | CPU s | peak RSS MiB |")
    print("|---|---|---|---|---|")
    for (path, tree), runs in results.items():
        wall = [r[0] for r in runs]
        cpu = [r[1] for r in runs]
        rss = [r[2] for r in runs]
        print(
            f"| {Path(path).name} | {tree} | {statistics.median(wall):.2f} ({min(wall):.2f}) | "
            f"{statistics.median(cpu):.2f} ({min(cpu):.2f}) | {statistics.median(rss):.0f} |"
        )


if __name__ == "__main__":
    main()
