"""Random bytes into every parser entry: nothing but the project's errors may escape."""

from __future__ import annotations

import base64

from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.errors import ProvenanceError
from reporter.model import (
    AttestationRef,
    Descriptor,
    HistoryEntry,
    ImageConfig,
    ImageDescription,
    ImageTarget,
    Layer,
)
from reporter.provenance.attestations import parse_statement, read_attestation
from reporter.provenance.baseimage import check_base, find_base
from reporter.provenance.buildinfo import from_config
from reporter.provenance.merge import build_provenance
from reporter.provenance.metadata_file import load_metadata_file, match_metadata

DIGEST = "sha256:" + "a" * 64
LAYER = Descriptor("application/vnd.in-toto+json", "sha256:" + "b" * 64, 1)
REF = AttestationRef(
    Descriptor("x", "sha256:" + "c" * 64, 1), "attestation-manifest", layers=(LAYER,)
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
label_text = st.text(max_size=60)


def _image(
    extra: dict[str, object], labels: dict[str, str], annotations: dict[str, str]
) -> ImageDescription:
    config = ImageConfig(
        digest=DIGEST,
        media_type="x",
        size=1,
        labels=labels,
        extra=extra,
        diff_ids=("sha256:" + "1" * 64,),
        history=(HistoryEntry(comment=labels.get("c", "")),),
    )
    target = ImageTarget(Descriptor("x", DIGEST, 1, annotations=annotations))
    layers = (Layer(0, "sha256:" + "2" * 64, "x", 1, annotations=annotations),)
    return ImageDescription(target, "x", annotations, config, layers)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_into_byte_parsers(data: bytes) -> None:
    parse_statement(data, "w")
    read_attestation(REF, LAYER, data, DIGEST)
    message = ""
    try:
        entries = load_metadata_file("f.json", data)
    except ProvenanceError as exc:
        message = str(exc)
    else:
        match_metadata(entries, [_image({}, {}, {})])
    assert "\n" not in message
    encoded = base64.b64encode(data).decode()
    from_config(_image({"moby.buildkit.buildinfo.v1": encoded}, {}, {}).config)


@settings(max_examples=60, deadline=None)
@given(
    json_values,
    st.dictionaries(
        st.sampled_from(
            [
                "org.opencontainers.image.base.name",
                "org.opencontainers.image.base.digest",
                "io.buildpacks.lifecycle.metadata",
                "io.buildpacks.build.metadata",
                "c",
                "org.opencontainers.image.title",
                "buildkit/rewritten-timestamp",
            ]
        ),
        label_text,
        max_size=5,
    ),
)
def test_random_structures_through_merge_and_base(value: object, labels: dict[str, str]) -> None:
    import orjson

    blob = orjson.dumps(
        {
            "_type": "https://in-toto.io/Statement/v1",
            "predicateType": "https://slsa.dev/provenance/v0.2",
            "subject": [{"digest": {"sha256": "a" * 64}}],
            "predicate": value if isinstance(value, dict) else {"materials": value},
        }
    )
    img = _image({"moby.buildkit.buildinfo.v0": value}, labels, labels)
    prov = build_provenance(img, [(REF, LAYER, blob)], ())
    find_base(img, prov, [img])
    check_base(img, prov, img, [labels.get("org.opencontainers.image.base.name", "x")])
