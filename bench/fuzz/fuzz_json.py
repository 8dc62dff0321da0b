"""Coverage-guided fuzzing of the JSON readers (atheris). Not run in CI; see README.md.

    .venv/bin/python bench/fuzz/run.py json 1800

The target body is ``tests.hostile.fuzz_targets.json_one``: the first input byte picks the entry
point (``parse_json``/``parse_descriptor``, ``parse_config``, ``resolve`` over ``index.json`` or a
docker ``manifest.json``, ``describe``, or a whole layout built around the document).
"""

from __future__ import annotations

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

with atheris.instrument_imports(include=["reporter"]):
    from tests.hostile.fuzz_targets import json_one


def main() -> None:
    atheris.Setup(sys.argv, json_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
