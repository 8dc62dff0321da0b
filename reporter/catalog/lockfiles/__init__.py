"""Catalogers of the lock files people copy into images (opt-in: ``--lockfiles``).

syft 1.18.1 runs these "declared" catalogers (``javascript-lock-cataloger``,
``python-package-cataloger``, ``ruby-gemfile-cataloger``, ``rust-cargo-lock-cataloger``,
``go-module-file-cataloger``, ``php-composer-lock-cataloger``, ``elixir-mix-lock-cataloger``,
``erlang-rebar-lock-cataloger``, ``dart-pubspec-lock-cataloger``,
``swift-package-manager-cataloger``, ``haskell-cataloger``) on directory sources only, never on
an image (measured: ``syft oci-dir:`` of an image holding every format below finds nothing,
``syft dir:`` of the same files finds them all). So by default we do not run them either, and
an image report matches syft's; ``Options.lockfiles`` adds them, and every package they find
carries the metadata ``declared = lock-file``: a lock file says what a build meant to install,
not what is in the image.

One module per format family; each is a ``Declared`` with the name syft gives it, and mirrors
what syft's parser reports from the same bytes (names, versions, purls), quirks included, as
the parity test (``tests/catalog/lockfiles/test_parity.py``) measures against ``syft dir:``.
"""

from __future__ import annotations

__all__: list[str] = []
