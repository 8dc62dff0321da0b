"""Hypothesis strategies shared by the cataloger tests."""

from __future__ import annotations

import json
from collections.abc import Sequence

from hypothesis import strategies as st


def json_or_bytes(keys: Sequence[str], *, max_leaves: int = 10) -> st.SearchStrategy[bytes]:
    """Random bytes, or JSON documents nesting the ``keys`` a parser reads with any values."""
    documents = st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.sampled_from(list(keys)), inner, max_size=5)
        ),
        max_leaves=max_leaves,
    )
    return st.one_of(st.binary(max_size=512), documents.map(lambda doc: json.dumps(doc).encode()))
