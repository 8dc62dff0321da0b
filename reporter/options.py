"""Frozen run options: what to select, what to produce, how far to trust the input."""

from __future__ import annotations

from dataclasses import dataclass, field

from reporter.platforms import Platform

__all__ = ["Limits", "Options"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds against hostile input; exceeding one is a finding, never a crash or a hang."""

    max_json_bytes: int = 64 * 1024 * 1024  # one index / manifest / config / attestation
    max_layer_bytes: int = 64 * 1024 * 1024 * 1024  # uncompressed bytes of one layer
    max_expansion_ratio: int = 1000  # uncompressed / compressed, once past 64 MiB
    max_capture_bytes: int = 512 * 1024 * 1024  # all file contents kept for catalogers, per layer
    max_small_blob_bytes: int = 256 * 1024 * 1024  # stream mode: non-layer blobs kept in memory
    max_manifests: int = 100_000
    max_index_depth: int = 32


@dataclass(frozen=True, slots=True)
class Options:
    platforms: tuple[Platform, ...] = ()  # empty: all
    tag: str = ""  # PATH:TAG selector
    digest: str = ""  # PATH@sha256:... selector
    catalog: bool = True  # stream layers and catalog packages
    # also catalog lock files (package-lock.json, poetry.lock, go.mod...): packages they
    # declare, marked ``declared = lock-file``; off by default, as syft's image scans
    lockfiles: bool = False
    verify_layers: bool = True  # stream layers to check digests and diff_ids even without catalog
    metadata_files: tuple[str, ...] = ()  # buildx --metadata-file JSON
    base_images: tuple[str, ...] = ()  # --base PATH[:TAG]
    source_date_epoch: int | None = None
    limits: Limits = field(default_factory=Limits)
    jobs: int = 0  # 0: one per core
    cache_dir: str | None = None  # None: no cache
    # A cached layer's blob is still hashed (cheap next to inflating and walking it) unless
    # the user trusts the cache: an offline audit must never call a changed blob sound.
    trust_cache: bool = False
    trust_keys: tuple[str, ...] = ()  # --trust-key PEM files: public keys that may sign
    build_records: tuple[str, ...] = ()  # --build-record .dockerbuild files
