"""Integrity as a gate: the one line that says why a command stops at exit 4.

``report`` and ``inspect`` still write their outputs (with the findings) and then exit 4; ``diff``
and ``check-base`` never give a verdict over blobs that failed verification (an invented package
removal or a "current" base over a flipped byte is worse than no answer), so they raise.
"""

from __future__ import annotations

from collections.abc import Iterable

from reporter.errors import IntegrityError
from reporter.model import Finding, ImageDescription, Report

__all__ = ["image_integrity_findings", "integrity_line", "report_integrity_findings", "require"]


def report_integrity_findings(report: Report) -> tuple[Finding, ...]:
    found = [f for f in report.findings if f.integrity]
    for image in report.images:
        found.extend(f for f in image.description.findings if f.integrity)
        found.extend(f for f in image.findings if f.integrity)
    return tuple(dict.fromkeys(found))  # the same finding may be recorded on two levels


def image_integrity_findings(
    images: Iterable[ImageDescription], findings: Iterable[Finding] = ()
) -> tuple[Finding, ...]:
    found = [f for f in findings if f.integrity]
    for desc in images:
        found.extend(f for f in desc.findings if f.integrity)
    return tuple(dict.fromkeys(found))


def integrity_line(findings: tuple[Finding, ...]) -> str:
    """``integrity failed: <where>: <first problem> (and N more)``: one line, no file dump."""
    first = findings[0]
    more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
    place = f"{first.where}: " if first.where and not first.message.startswith(first.where) else ""
    return f"integrity failed: {place}{first.message}{more}"


def require(findings: tuple[Finding, ...], where: str, what: str) -> None:
    """Raise IntegrityError (exit 4) when ``findings`` is not empty; ``what`` names the use."""
    if findings:
        raise IntegrityError(f"{integrity_line(findings)}; no {what} is given", where=where)
