"""The one exception tree of oci-reporter.

    ReporterError                 exit 1   anything the tool recognises as wrong
    ├── UsageError                exit 2   bad command line (unknown format, bad selector)
    ├── InputError                exit 3   the input cannot be read as an image at all
    │   ├── ArchiveError          exit 3   tar / gzip / stdin stream problems
    │   └── LayoutError           exit 3   image-layout, index, manifest or config problems
    ├── IntegrityError            exit 4   a blob does not match its digest (when fatal)
    ├── ProvenanceError           exit 5   a metadata file passed with --metadata is unusable
    ├── CatalogError              (none)   a cataloger parser met bytes it cannot read
    ├── RenderError               exit 7   a template or an output target failed
    └── NotFoundError             exit 8   the selector (tag, digest, platform) matched nothing

Exit code 4 is also used when the run finishes but integrity findings were recorded
(see ``reporter.cli``); exit 10/11 are check-base's "stale"/"unknown" answers.
``CatalogError`` never reaches the CLI: ``reporter.catalog.run`` turns it into a ``catalog``
finding for that one file, so the run goes on (exit 6 was once "a cataloger failed as a whole"
and could not happen; it is not used).

Every message is one line naming the file and what is wrong: the CLI prints
``oci-reporter: <message>`` and exits with ``exit_code``; no traceback.
"""

from __future__ import annotations

__all__ = [
    "ArchiveError",
    "CatalogError",
    "InputError",
    "IntegrityError",
    "LayoutError",
    "NotFoundError",
    "ProvenanceError",
    "RenderError",
    "ReporterError",
    "UsageError",
]


class ReporterError(Exception):
    exit_code = 1

    def __init__(self, message: str, *, where: str = "") -> None:
        self.where = where
        text = f"{where}: {message}" if where else message
        super().__init__(" ".join(text.split()))  # one line, always


class UsageError(ReporterError):
    exit_code = 2


class InputError(ReporterError):
    exit_code = 3


class ArchiveError(InputError):
    pass


class LayoutError(InputError):
    pass


class IntegrityError(ReporterError):
    exit_code = 4


class ProvenanceError(ReporterError):
    exit_code = 5


class CatalogError(ReporterError):
    pass  # caught per file by reporter.catalog.run; see the module docstring


class RenderError(ReporterError):
    exit_code = 7


class NotFoundError(ReporterError):
    exit_code = 8
