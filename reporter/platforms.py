"""``os/arch[/variant]``: the platform of an image, as ``--platform`` names it.

A foundation module of its own (``reporter.model`` re-exports ``Platform``): the options and
the command line need it before any other model type, and a run answered from the
whole-report cache needs no other (creating the model's dataclasses costs ~45 ms, issue 16).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Platform"]

# GOOS values (go tool dist list): what may stand first in os/arch[/variant].
_KNOWN_OS = frozenset(
    {
        "aix",
        "android",
        "darwin",
        "dragonfly",
        "freebsd",
        "illumos",
        "ios",
        "js",
        "linux",
        "netbsd",
        "openbsd",
        "plan9",
        "solaris",
        "wasip1",
        "windows",
        "unknown",
    }
)


@dataclass(frozen=True, slots=True)
class Platform:
    """An image platform (image-spec image-index.md ``platform``): ``linux/arm64/v8``."""

    os: str
    architecture: str
    variant: str = ""
    os_version: str = ""

    def __str__(self) -> str:
        parts = [self.os, self.architecture]
        if self.variant:
            parts.append(self.variant)
        return "/".join(parts)

    def normalized(self) -> tuple[str, str, str]:
        """Key for matching: ``arm64`` ≡ ``arm64/v8``, ``arm`` ≡ ``arm/v7`` (containerd's rules)."""
        variant = self.variant
        if self.architecture == "arm64" and variant in ("", "v8"):
            variant = "v8"
        elif self.architecture == "arm" and variant == "":
            variant = "v7"
        return (self.os, self.architecture, variant)

    @classmethod
    def parse(cls, text: str) -> Platform:
        parts = text.strip().split("/")
        if not parts[0] or len(parts) > 3:
            raise ValueError(f"not a platform: {text!r}")
        if parts[0] not in _KNOWN_OS:  # just an architecture, as in --platform arm64/v8
            return cls("linux", parts[0], parts[1] if len(parts) > 1 else "")
        if len(parts) == 1:
            raise ValueError(f"not a platform: {text!r}")
        return cls(parts[0], parts[1], parts[2] if len(parts) > 2 else "")
