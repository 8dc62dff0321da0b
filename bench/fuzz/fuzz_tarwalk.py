"""Coverage-guided fuzzing of the layer walker (atheris). Not run in CI; see README.md.

    .venv/bin/python bench/fuzz/run.py tarwalk 1800

The target body is ``tests.hostile.fuzz_targets.tarwalk_one`` (the first input byte picks plain,
gzip or zstd wrapping; the layer is scanned with every cataloger, squashed and cataloged), so
the regression tests replay crashes through exactly the same code.
"""

from __future__ import annotations

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

with atheris.instrument_imports(include=["reporter"]):
    from tests.hostile.fuzz_targets import tarwalk_one


def main() -> None:
    atheris.Setup(sys.argv, tarwalk_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
