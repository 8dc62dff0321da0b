"""The versioned JSON document: exact shape, lossless, deterministic."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import types
import typing
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import orjson
import pytest

from reporter.errors import RenderError
from reporter.model import Finding, FindingKind, Report, to_jsonable
from reporter.options import Options
from reporter.pipeline import generate
from reporter.render.common import content_uuid
from reporter.render.dispatch import get_renderer
from reporter.render.json import REPORT_SCHEMA, JSONRenderer

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _rebuild(hint: Any, data: Any) -> Any:
    """A generic loader driven by the dataclass annotations: proves nothing was dropped."""
    origin = typing.get_origin(hint)
    if hint is Any or hint in (str, int, bool, float, type(None)):
        return data
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(data)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if data is None else _rebuild(options[0], data)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        hints = typing.get_type_hints(hint)
        return hint(**{k: _rebuild(hints[k], v) for k, v in data.items()})
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_rebuild(args[0], v) for v in data)
        return tuple(_rebuild(a, v) for a, v in zip(args, data, strict=True))
    if origin in (Mapping, dict, typing.Mapping):
        value_hint = typing.get_args(hint)[1]
        return {k: _rebuild(value_hint, v) for k, v in data.items()}
    raise AssertionError(f"unhandled type {hint!r}")


def test_document_is_schema_plus_dataclass_dump(report: Report) -> None:
    document = orjson.loads(JSONRenderer().render(report))
    assert document["schema"] == REPORT_SCHEMA
    summary = document.pop("summary")
    assert document == {**to_jsonable(report), "schema": REPORT_SCHEMA}
    assert summary["integrity_ok"] is True
    assert [i["packages"] for i in summary["images"]] == [len(i.packages) for i in report.images]


@pytest.mark.parametrize("factory", ["report", "hostile_report"])
def test_lossless_round_trip(factory: str, request: pytest.FixtureRequest) -> None:
    report: Report = request.getfixturevalue(factory)
    document = orjson.loads(JSONRenderer().render(report))
    document.pop("summary")
    assert _rebuild(Report, document) == report


def test_sorted_indented_deterministic(
    report: Report, golden: Callable[[str, bytes], None]
) -> None:
    first = get_renderer("json").render(report)
    assert first == get_renderer("json").render(report)
    assert first.startswith(b'{\n  "findings"')  # sorted keys, two-space indent
    assert first.endswith(b"}\n")
    golden("report.json", first)


def test_without_summary(report: Report) -> None:
    assert "summary" not in orjson.loads(JSONRenderer(with_summary=False).render(report))


def test_unserialisable_value_is_a_render_error(report: Report) -> None:
    bad = dataclasses.replace(report, findings=(Finding(FindingKind.CATALOG, "y", expected=2**70),))  # type: ignore[arg-type]
    with pytest.raises(RenderError, match="cannot serialise"):
        JSONRenderer().render(bad)


@pytest.mark.parametrize("factory", ["report", "hostile_report"])
def test_the_project_loader_reads_it_back(factory: str, request: pytest.FixtureRequest) -> None:
    from reporter.report_io import load_report_json

    report: Report = request.getfixturevalue(factory)
    assert load_report_json("saved.json", JSONRenderer().render(report)) == report


def _content_uuid_by_walk(namespace: uuid.UUID, *parts: object) -> uuid.UUID:
    """The serial as first defined: ``to_jsonable`` of each part, sorted JSON, hashed."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(orjson.dumps(to_jsonable(part), option=orjson.OPT_SORT_KEYS) + b"\x00")
    return uuid.uuid5(namespace, digest.hexdigest())


@pytest.mark.parametrize("sample", ["demo-multiarch.oci", "demo-docker-save.tar"])
def test_content_uuid_is_the_uuid5_of_to_jsonable(sample: str) -> None:
    # content_uuid lets orjson walk the report in C: the serials must stay what they were
    report = generate(str(SAMPLES / sample), Options(cache_dir=None))
    namespace = uuid.UUID("12345678-1234-5678-1234-567812345678")
    for parts in ((report,), (report.images, "x", 3, None), tuple(report.images[0].packages)):
        assert content_uuid(namespace, *parts) == _content_uuid_by_walk(namespace, *parts)
    # what to_jsonable re-shapes (a non-str key, a mapping that is no dict) still goes through it
    odd = ({2: "a", 10: (2,)}, MappingProxyType({"z": 1, "a": report.images[0].platform}))
    assert content_uuid(namespace, *odd) == _content_uuid_by_walk(namespace, *odd)
