"""Run one fuzz target for a fixed wall-clock time, restarting after each crash.

    .venv/bin/python bench/fuzz/run.py tarwalk 1800
    .venv/bin/python bench/fuzz/run.py json 1800

libFuzzer stops at the first crash; this keeps going until the time is spent, collects the
crashing inputs under ``bench/fuzz/artifacts/<target>/`` and prints the total executions (from
``-print_final_stats``), the time spent and the crashes found. Logs go to
``bench/fuzz/artifacts/<target>/log-<n>.txt``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    target, seconds = sys.argv[1], int(sys.argv[2])
    script = HERE / f"fuzz_{target}.py"
    corpus = HERE / "corpus" / target
    artifacts = HERE / "artifacts" / target
    corpus.mkdir(parents=True, exist_ok=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    executions = 0
    runs = 0
    while (left := seconds - (time.monotonic() - start)) > 5:
        runs += 1
        log = artifacts / f"log-{runs}.txt"
        with log.open("w") as out:
            subprocess.run(
                [
                    sys.executable,
                    str(script),
                    f"-max_total_time={int(left)}",
                    "-timeout=30",
                    "-rss_limit_mb=3072",
                    "-print_final_stats=1",
                    f"-artifact_prefix={artifacts}/",
                    str(corpus),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            )
        text = log.read_text(errors="replace")
        found = re.findall(r"stat::number_of_executed_units:\s*(\d+)", text)
        executions += int(found[-1]) if found else 0
    crashes = sorted(p.name for p in artifacts.iterdir() if not p.name.startswith("log-"))
    elapsed = time.monotonic() - start
    print(f"{target}: {elapsed:.0f} s, {runs} run(s), {executions} executions")
    print(f"{target}: {len(crashes)} artifact(s): {' '.join(crashes) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
