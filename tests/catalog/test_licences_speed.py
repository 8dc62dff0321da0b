"""The shortcuts taken before the expensive licence and CPE work agree with the slow path."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog.cpe import format_cpe
from reporter.catalog.licences import could_be_expression, spdx_license

_WORDS = st.sampled_from(
    [
        "MIT",
        "Apache-2.0",
        "GPL-2.0-only",
        "Classpath-exception-2.0",
        "LicenseRef-x",
        "BSD",
        "License",
        "Version",
        "2.0",
        "and",
        "AND",
        "or",
        "OR",
        "with",
        "WITH",
        "(",
        ")",
        "+",
        "Public",
        "Domain",
        "MIT/X11",
        "v2",
        ",",
    ]
)
_VALUES = st.lists(_WORDS, min_size=1, max_size=6).flatmap(
    lambda words: st.sampled_from([" ", "  ", "\t", ""]).map(lambda sep: sep.join(words))
)


@settings(max_examples=1500, deadline=None)
@given(_VALUES)
def test_a_value_the_shortcut_rules_out_is_no_expression_for_license_expression(value: str) -> None:
    from cyclonedx.spdx import is_expression

    if not could_be_expression(value):
        assert not is_expression(value), value


def test_licence_names_with_spaces_and_no_operator_are_kept_as_names() -> None:
    assert not could_be_expression("Apache License, Version 2.0")
    assert spdx_license("Apache License, Version 2.0") is None  # as syft: a name, not an id
    assert spdx_license("Some Custom License") is None
    assert spdx_license("MIT OR Apache-2.0") == "MIT OR Apache-2.0"
    assert could_be_expression("( MIT )")
    assert could_be_expression("mit and isc")


_UNQUOTED = re.compile(r"[A-Za-z0-9._-]")


@given(st.text(max_size=20))
def test_cpe_quoting_escapes_exactly_the_characters_outside_the_wfn_set(value: str) -> None:
    # the per-character definition (NISTIR 7695 §5.3.2 quoting), against the regex version
    expected = "".join(c if _UNQUOTED.fullmatch(c) else "\\" + c for c in value.replace(" ", "_"))
    assert format_cpe("v", "p", value) == f"cpe:2.3:a:v:p:{expected or '*'}:*:*:*:*:*:*:*"
