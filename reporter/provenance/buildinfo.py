"""BuildKit build info (``moby.buildkit.buildinfo.v0`` / ``.v1``, BuildKit 0.10–0.11).

The config key (and the metadata file's ``containerimage.buildinfo``) holds base64 JSON::

    {"frontend": "dockerfile.v0",
     "attrs": {"build-arg:foo": "bar", "context": "…", "filename": "Dockerfile", …},
     "sources": [{"type": "docker-image", "ref": "…", "pin": "sha256:…", "alias": "…"}, …],
     "deps": {"<named context>": {<the same shape>}}}

Everything read becomes a ``Fact`` / ``Source`` with its origin; anything malformed becomes a
``Finding`` (kind ``bad-buildinfo``, severity warning). Nothing here raises.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

import orjson

from reporter.model import Fact, Finding, FindingKind, ImageConfig, Source

from .common import Part, parsed_sources, text

__all__ = ["CONFIG_KEYS", "attr_facts", "decode_buildinfo", "from_config", "read_buildinfo"]

CONFIG_KEYS = ("moby.buildkit.buildinfo.v1", "moby.buildkit.buildinfo.v0")
SOURCE_TYPES = ("docker-image", "image", "git", "http", "local")
_MAX_DEPTH = 8
_MAX_SOURCES = 10_000

# frontend attribute → fact key (the same keys the SLSA readers use, so sources can be compared)
_ATTR_KEYS = {
    "target": "target",
    "context": "context",
    "filename": "dockerfile",
    "vcs:source": "vcs.source",
    "vcs:revision": "vcs.revision",
    "source": "frontend.image",
    "cmdline": "frontend.image",
}


def attr_facts(
    attrs: Mapping[str, Any], origin: str, detail: str
) -> tuple[tuple[Fact, ...], dict[str, str]]:
    """Frontend attributes / provenance ``args`` → facts and build args (``build-arg:X``)."""
    facts: list[Fact] = []
    build_args: dict[str, str] = {}
    for key in sorted(attrs):
        if not isinstance(key, str):
            continue
        value = text(attrs[key])
        if attrs[key] is None:
            value = ""
        if key.startswith("build-arg:"):
            build_args[key[len("build-arg:") :]] = value
            facts.append(Fact(key, value, origin, detail))
        elif key in _ATTR_KEYS:
            facts.append(Fact(_ATTR_KEYS[key], value, origin, detail))
        else:
            facts.append(Fact(f"frontend-attr:{key}", value, origin, detail))
    return tuple(facts), build_args


def decode_buildinfo(
    value: object, where: str
) -> tuple[dict[str, Any] | None, tuple[Finding, ...]]:
    """A base64 string (as in the config and ExporterResponse) or an already decoded object."""
    if isinstance(value, dict):
        return value, ()
    if not isinstance(value, str):
        return None, (_bad(where, f"build info is a {type(value).__name__}, not base64 JSON"),)
    try:
        raw = base64.b64decode(value.strip(), validate=True)
        doc = orjson.loads(raw)
    except (binascii.Error, ValueError) as exc:
        return None, (_bad(where, f"build info is not base64 JSON ({type(exc).__name__})"),)
    if not isinstance(doc, dict):
        return None, (_bad(where, "build info is not a JSON object"),)
    return doc, ()


def read_buildinfo(value: object, origin: str, detail: str, where: str) -> Part:
    """Decode and read one build info value into a ``Part``."""
    doc, findings = decode_buildinfo(value, where)
    if doc is None:
        return Part(findings=findings)
    facts: list[Fact] = []
    sources: list[Source] = []
    build_args: dict[str, str] = {}
    problems = list(findings)
    _walk(doc, origin, detail, where, "", 0, facts, sources, build_args, problems)
    return Part(
        facts=tuple(facts), sources=tuple(sources), build_args=build_args, findings=tuple(problems)
    )


def from_config(config: ImageConfig) -> Part:
    """Build info stored in the image config's top-level keys (both names are read)."""
    parts = [
        read_buildinfo(config.extra[key], "config-buildinfo", key, f"config {config.digest} {key}")
        for key in CONFIG_KEYS
        if key in config.extra
    ]
    if not parts:
        return Part()
    if len(parts) == 1:
        return parts[0]
    first, second = parts
    return Part(
        facts=first.facts + second.facts,
        sources=first.sources + second.sources,
        build_args={**second.build_args, **first.build_args},
        findings=first.findings + second.findings,
    )


def _walk(
    doc: Mapping[str, Any],
    origin: str,
    detail: str,
    where: str,
    dep: str,
    depth: int,
    facts: list[Fact],
    sources: list[Source],
    build_args: dict[str, str],
    problems: list[Finding],
) -> None:
    prefix = f"dep:{dep}:" if dep else ""
    frontend = doc.get("frontend")
    if isinstance(frontend, str) and frontend:
        facts.append(Fact(f"{prefix}frontend", text(frontend), origin, detail))
    elif frontend is not None and not isinstance(frontend, str):
        problems.append(_bad(where, "build info 'frontend' is not a string"))
    attrs = doc.get("attrs")
    if isinstance(attrs, dict):
        attr_list, args = attr_facts(attrs, origin, detail)
        if dep:  # a named context's own build: keep its facts apart, its args out of ours
            attr_list = tuple(
                Fact(prefix + f.key, f.value, f.origin, f.origin_detail) for f in attr_list
            )
        else:
            build_args.update(args)
        facts.extend(attr_list)
    elif attrs is not None:
        problems.append(_bad(where, "build info 'attrs' is not an object"))
    raw_sources = doc.get("sources")
    if isinstance(raw_sources, list):
        source_detail = f"{detail} deps/{dep}" if dep else detail
        found, refused = parsed_sources(
            raw_sources, _MAX_SOURCES, lambda item: _source(item, origin, source_detail)
        )
        sources.extend(found)
        problems.extend(_bad(where, f"build info source #{n} has no type/ref") for n in refused)
    elif raw_sources is not None:
        problems.append(_bad(where, "build info 'sources' is not a list"))
    deps = doc.get("deps")
    if isinstance(deps, dict):
        if depth >= _MAX_DEPTH:
            problems.append(_bad(where, "build info 'deps' nested too deeply"))
            return
        for name in sorted(k for k in deps if isinstance(k, str)):
            sub = deps[name]
            if isinstance(sub, dict):
                dep_name = f"{dep}/{name}" if dep else name
                _walk(
                    sub,
                    origin,
                    detail,
                    where,
                    dep_name,
                    depth + 1,
                    facts,
                    sources,
                    build_args,
                    problems,
                )
            else:
                problems.append(_bad(where, f"build info dep {name!r} is not an object"))
    elif deps is not None:
        problems.append(_bad(where, "build info 'deps' is not an object"))


def _source(item: object, origin: str, detail: str) -> Source | None:
    if not isinstance(item, dict):
        return None
    kind = text(item.get("type"))
    ref = text(item.get("ref"))
    if not kind or not ref:
        return None
    if kind == "image":  # older name of the same thing
        kind = "docker-image"
    return Source(
        type=kind,
        ref=ref,
        pin=text(item.get("pin")),
        alias=text(item.get("alias")),
        origin=origin,
        origin_detail=detail,
    )


def _bad(where: str, message: str) -> Finding:
    return Finding(FindingKind.BAD_BUILDINFO, message, where=where, severity="warning")
