"""``.dockerbuild`` files: BuildKit build history records (``docker buildx history export``).

The file is a gzip'd OCI archive. Each manifest in its ``index.json`` has a config of media type
``application/vnd.buildkit.historyrecord.v0`` (the record as JSON: ``Ref``, ``FrontendAttrs``,
``Exporters``, ``CreatedAt``, ``CompletedAt``, ``Error``, ``ExporterResponse``,
``numTotalSteps``, ``numCompletedSteps``, ``numCachedSteps``), a ``vnd.buildkit.status.v0`` layer
(the progress stream, protobuf; not read) and ``application/vnd.in-toto+json`` layers (the SLSA
provenance BuildKit made: a bare predicate, or a statement).

The record's ``ExporterResponse`` is what ``--metadata-file`` holds, so each record becomes a
``MetadataEntry`` (origin ``build-record``) matched to images by digest the same way: the
``containerimage.digest`` the exporter reported, or the sha256 of the ``containerimage.config``
bytes it exported (the image's config blob is exactly those bytes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import orjson

from reporter.archive.detect import open_input
from reporter.errors import ProvenanceError, ReporterError
from reporter.jsonread import parse_descriptor
from reporter.model import BuildRecord, Descriptor, Finding
from reporter.resolve import read_blob

from .attestations import INTOTO_MEDIA_TYPE, material_source, parse_statement
from .common import is_digest, text
from .metadata_file import MetadataEntry, load_metadata_file

__all__ = ["HISTORY_RECORD_TYPE", "RecordEntry", "load_dockerbuild", "read_record"]

HISTORY_RECORD_TYPE = "application/vnd.buildkit.historyrecord.v0"
_MAX_RECORDS = 10_000


@dataclass(frozen=True, slots=True)
class RecordEntry:
    record: BuildRecord
    metadata: MetadataEntry  # for matching and the provenance merge (origin build-record)


def _obj(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _maybe_json(value: object) -> object:
    """ExporterResponse values are strings; some hold JSON (buildinfo, descriptor)."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def read_record(file: str, config: bytes, provenance: bytes | None, where: str) -> RecordEntry:
    """One history record (its config JSON and in-toto layer) → ``RecordEntry``."""
    try:
        doc = orjson.loads(config)
    except orjson.JSONDecodeError:
        raise ProvenanceError(f"{where}: build record is not JSON", where=file) from None
    if not isinstance(doc, dict):
        raise ProvenanceError(f"{where}: build record is not a JSON object", where=file)
    ref = text(doc.get("Ref"))
    response = {
        k: _maybe_json(v)
        for k, v in _obj(doc.get("ExporterResponse")).items()
        if isinstance(k, str)
    }
    raw_config = _obj(doc.get("ExporterResponse")).get("containerimage.config")
    if isinstance(raw_config, str) and "containerimage.config.digest" not in response:
        response["containerimage.config.digest"] = (
            "sha256:" + hashlib.sha256(raw_config.encode()).hexdigest()
        )
    response.pop("containerimage.config", None)
    findings: list[Finding] = []
    predicate: Mapping[str, Any] | None = None
    if provenance is not None:
        statement, problems = parse_statement(provenance, where)
        if statement is not None:
            predicate = statement.predicate
        else:
            try:
                bare = orjson.loads(provenance)
            except orjson.JSONDecodeError:
                bare = None
            if isinstance(bare, dict) and ("buildType" in bare or "buildDefinition" in bare):
                predicate = bare  # BuildKit keeps the bare predicate in the record
            else:
                findings.extend(problems)
    if predicate is not None:
        response["buildx.build.provenance"] = dict(predicate)
    if ref:
        response["buildx.build.ref"] = ref
    entries = (
        load_metadata_file(f"{file}#{ref or where}", orjson.dumps(response))
        if any(k.startswith("containerimage.") for k in response)
        else ()
    )
    metadata = (
        replace(entries[0], origin="build-record", findings=entries[0].findings + tuple(findings))
        if entries
        else MetadataEntry(file=f"{file}#{ref or where}", origin="build-record")
    )
    error = _obj(doc.get("Error"))
    completed = text(doc.get("CompletedAt"))
    status = "failed" if error else ("completed" if completed else "running")
    attrs = _obj(doc.get("FrontendAttrs"))
    buildinfo = _obj(response.get("containerimage.buildinfo"))
    frontend = text(doc.get("Frontend")) or text(buildinfo.get("frontend"))
    materials = tuple(
        s
        for s in (
            material_source(m, "build-record", ref)
            for m in (predicate or {}).get("materials") or ()
        )
        if s is not None
    )
    record = BuildRecord(
        ref=ref,
        file=file,
        frontend=frontend,
        status=status,
        error=text(error.get("message")),
        created_at=text(doc.get("CreatedAt")),
        completed_at=completed,
        total_steps=_count(doc.get("numTotalSteps")),
        completed_steps=_count(doc.get("numCompletedSteps")),
        cached_steps=_count(doc.get("numCachedSteps")),
        args={k: text(v) for k, v in sorted(attrs.items()) if isinstance(k, str) and text(v)},
        materials=materials,
        matched_by="",
    )
    return RecordEntry(record, metadata)


def load_dockerbuild(path: str, max_json_bytes: int) -> tuple[RecordEntry, ...]:
    """Every build record in a ``.dockerbuild`` file; one-line ``ProvenanceError`` when unusable."""
    try:
        archive = open_input(path, scan=None, max_small_bytes=max_json_bytes)
    except ReporterError as exc:
        raise ProvenanceError(f"not a build record archive ({exc})", where=path) from None
    try:
        index_bytes = (
            archive.read("index.json", max_json_bytes) if archive.exists("index.json") else None
        )
        if index_bytes is None:
            raise ProvenanceError("not a build record archive (no index.json)", where=path)
        try:
            index = orjson.loads(index_bytes)
        except orjson.JSONDecodeError:
            raise ProvenanceError("index.json is not JSON", where=path) from None
        manifests = _obj(index).get("manifests")
        entries: list[RecordEntry] = []
        findings: list[Finding] = []
        for position, raw in enumerate(manifests if isinstance(manifests, list) else []):
            if position >= _MAX_RECORDS:
                break
            desc, _ = parse_descriptor(raw, f"{path} index.json manifests[{position}]")
            if desc is None:
                continue
            entry = _one(archive, desc, path, max_json_bytes, findings)
            if entry is not None:
                entries.append(entry)
        if not entries:
            why = f" ({findings[0].message})" if findings else ""
            raise ProvenanceError(f"no build records in this archive{why}", where=path)
        return tuple(entries)
    finally:
        archive.close()


def _one(
    archive: Any, desc: Descriptor, path: str, limit: int, findings: list[Finding]
) -> RecordEntry | None:
    data = read_blob(archive, desc, limit, findings, f"manifest {desc.digest}")
    if data is None:
        return None
    try:
        manifest = _obj(orjson.loads(data))
    except orjson.JSONDecodeError:
        return None
    config, _ = parse_descriptor(manifest.get("config"), f"{path} {desc.digest} config")
    if config is None or config.media_type != HISTORY_RECORD_TYPE:
        return None
    config_bytes = read_blob(archive, config, limit, findings, "build record")
    if config_bytes is None:
        return None
    provenance = None
    layers = manifest.get("layers")
    for raw in layers if isinstance(layers, list) else []:
        layer, _ = parse_descriptor(raw, f"{path} {desc.digest} layer")
        if layer is not None and layer.media_type == INTOTO_MEDIA_TYPE and is_digest(layer.digest):
            provenance = read_blob(archive, layer, limit, findings, "build record provenance")
            break
    return read_record(path, config_bytes, provenance, f"record {desc.digest}")
