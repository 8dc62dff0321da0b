"""What the lock-file catalogers share: the declared marker, name matching, purl qualifiers."""

from __future__ import annotations

import re
from collections.abc import Callable

from reporter.catalog._langutil import sorted_metadata
from reporter.catalog.interface import Hint, WholeFile

__all__ = [
    "DECLARED",
    "MAX",
    "basename",
    "declared_metadata",
    "named_files",
    "qualified",
]

# Lock files of big monorepos reach tens of MiB (package-lock.json, pnpm-lock.yaml).
MAX = WholeFile(64 * 1024 * 1024)

# The metadata every lock-file package carries, so that reports and SBOMs can tell a
# declared dependency from an installed one (it shows as ``oci-reporter:metadata:declared``).
DECLARED = "lock-file"


def declared_metadata(**fields: str) -> tuple[tuple[str, str], ...]:
    return sorted_metadata(declared=DECLARED, **fields)


def basename(path: str) -> str:
    return path.rpartition("/")[2]


def _wants_names(*names: str) -> Callable[[str, int, int], WholeFile | None]:
    """A ``wants`` keeping files whose base name is one of ``names`` (syft's ``**/NAME``)."""
    chosen = frozenset(names)

    def wants(path: str, mode: int, size: int) -> WholeFile | None:
        return MAX if basename(path) in chosen else None

    return wants


def named_files(*names: str) -> tuple[Callable[[str, int, int], WholeFile | None], Hint]:
    """A ``wants`` keeping files with one of these base names, and the walker's hint for it."""
    return _wants_names(*names), Hint(names=frozenset(names))


# packageurl-go's qualifier value escaping as syft 1.18.1 prints it (measured: ``@`` and
# ``#`` are encoded in ``vcs_url=https://host/x.git%40<ref>``; ``:`` and ``/`` are not).
_QUALIFIER_ESCAPED = re.compile(r"[^A-Za-z0-9._~:/\-]")


def qualified(purl: str, qualifiers: dict[str, str]) -> str:
    """``purl`` with ``?k=v&...`` appended (sorted keys, empty values left out)."""
    pairs = [
        f"{key}={_QUALIFIER_ESCAPED.sub(lambda m: _pct(m.group()), value)}"
        for key, value in sorted(qualifiers.items())
        if value
    ]
    return purl + ("?" + "&".join(pairs) if pairs else "")


def _pct(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode())
