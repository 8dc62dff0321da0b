"""Read back a JSON report written by ``oci-reporter report -f json``.

The document is ``{"schema": "oci-reporter/report/v1", ...to_jsonable(report) minus its own
"schema"...}`` with an optional ``"summary"`` that we ignore. ``load_report_json`` rebuilds the
frozen dataclasses of ``reporter.model`` generically from their type hints, so a field added to
the model needs no change here. Unknown keys are ignored (a newer minor version of the tool may
add fields); missing keys take the field's default; a missing required key, a value of the
wrong JSON type, a wrong schema or bytes that are not JSON raise ``InputError`` with one line
naming the file and the JSON path.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Mapping
from typing import Any

import orjson

from .errors import InputError
from .model import REPORT_SCHEMA, Report

__all__ = ["REPORT_SCHEMA", "load_report_json", "looks_like_report_json"]


_IGNORED_TOP_LEVEL = frozenset({"summary"})


class _Malformed(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def looks_like_report_json(head: bytes) -> bool:
    """True when the first bytes of an input look like a JSON object rather than an image
    (tar, gzip, zstd archives never start with ``{``)."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def load_report_json(name: str, data: bytes) -> Report:
    """The ``Report`` saved in ``data``; ``name`` is how the user named the file."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not a JSON document: {exc}", where=name) from None
    if not isinstance(doc, dict):
        raise InputError("not an oci-reporter JSON report (not a JSON object)", where=name)
    schema = doc.get("schema")
    if schema != REPORT_SCHEMA:
        raise InputError(
            f"unsupported report schema {schema!r}, expected {REPORT_SCHEMA!r}", where=name
        )
    fields = {k: v for k, v in doc.items() if k not in _IGNORED_TOP_LEVEL}
    try:
        report = _build(Report, fields, "$")
    except _Malformed as exc:
        raise InputError(f"malformed report at {exc.path}: {exc.message}", where=name) from None
    assert isinstance(report, Report)
    return report


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array"}.get(
        type(value), "object"
    )


def _build(tp: Any, value: Any, path: str) -> Any:
    if tp is Any:
        return value
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        return _build_union(typing.get_args(tp), value, path)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _build_dataclass(tp, value, path)
    if origin is tuple:
        return _build_tuple(typing.get_args(tp), value, path)
    if origin in (Mapping, dict) or tp in (Mapping, dict):
        args = typing.get_args(tp) or (str, Any)
        if not isinstance(value, dict):
            raise _Malformed(path, f"expected an object, found {_json_type(value)}")
        return {k: _build(args[1], v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _build_enum(tp, value, path)
    if tp is bool:
        if not isinstance(value, bool):
            raise _Malformed(path, f"expected a boolean, found {_json_type(value)}")
        return value
    if tp is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Malformed(path, f"expected an integer, found {_json_type(value)}")
        return value
    if tp is float:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise _Malformed(path, f"expected a number, found {_json_type(value)}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise _Malformed(path, f"expected a string, found {_json_type(value)}")
        return value
    raise _Malformed(path, f"cannot read a value of type {tp!r}")  # a model type we do not know


def _build_enum(tp: type[enum.Enum], value: Any, path: str) -> enum.Enum:
    try:
        return tp(value)
    except ValueError:
        known = ", ".join(repr(m.value) for m in tp)
        raise _Malformed(path, f"expected one of {known}, found {value!r}") from None


def _build_union(args: tuple[Any, ...], value: Any, path: str) -> Any:
    if value is None:
        if type(None) in args:
            return None
        raise _Malformed(path, "unexpected null")
    problems: list[_Malformed] = []
    for arg in args:
        if arg is type(None):
            continue
        try:
            return _build(arg, value, path)
        except _Malformed as exc:
            problems.append(exc)
    raise problems[0]


def _build_tuple(args: tuple[Any, ...], value: Any, path: str) -> tuple[Any, ...]:
    if not isinstance(value, list):
        raise _Malformed(path, f"expected an array, found {_json_type(value)}")
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(_build(args[0], v, f"{path}[{i}]") for i, v in enumerate(value))
    if len(value) != len(args):
        raise _Malformed(path, f"expected an array of {len(args)} items, found {len(value)}")
    return tuple(
        _build(a, v, f"{path}[{i}]") for i, (a, v) in enumerate(zip(args, value, strict=True))
    )


def _build_dataclass(cls: type, value: Any, path: str) -> Any:
    if not isinstance(value, dict):
        raise _Malformed(path, f"expected an object, found {_json_type(value)}")
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.name in value:
            kwargs[f.name] = _build(hints[f.name], value[f.name], f"{path}.{f.name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise _Malformed(path, f"missing required key {f.name!r}")
    return cls(**kwargs)
