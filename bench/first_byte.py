"""Time to first byte of a command's standard output: spawn, read one byte, median of N.

    .venv/bin/python bench/first_byte.py [--runs 9] -- \
        .venv/bin/python -m reporter inspect samples/demo-multiarch.oci

Start-up cost is what a person waits for before ``inspect`` prints anything; the rest of the
output is not read (the process is killed after the first byte), so only interpreter start,
imports and the work before the first write are timed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time


def first_byte(command: list[str]) -> float:
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    byte = process.stdout.read(1)
    elapsed = time.perf_counter() - start
    process.kill()
    process.wait()
    if not byte:
        raise SystemExit(f"{command[0]}: no output")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    times = sorted(first_byte(args.command) for _ in range(args.runs))
    load = os.getloadavg()[0]
    print(
        f"median {statistics.median(times):.3f} s  min {times[0]:.3f} s  max {times[-1]:.3f} s"
        f"  ({args.runs} runs, load average {load:.1f})",
        file=sys.stdout,
    )


if __name__ == "__main__":
    main()
