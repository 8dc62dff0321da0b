"""HTML and Markdown reports, the filters and user templates."""

from __future__ import annotations

import base64
import hashlib
import html.parser
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from reporter.errors import RenderError
from reporter.model import Report, SignatureStatus
from reporter.render.common import clean_text, human_size
from reporter.render.dispatch import get_renderer
from reporter.render.templated import (
    TemplateRenderer,
    build_context,
    md_code,
    md_escape,
    render_template,
    safe_url,
    signature_label,
    template_dirs,
)
from tests.factory import HOSTILE_STRINGS

# --------------------------------------------------------------------------- filters


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain text 1.2.3", "plain text 1.2.3"),
        ("| a | b |", "\\| a \\| b \\|"),
        ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
        ("a & b", "a &amp; b"),
        ("`tick`", "\\`tick\\`"),
        ("[x](javascript:y)", "\\[x\\](javascript:y)"),
        ("*b* _i_", "\\*b\\* \\_i\\_"),
        ("one\ntwo\r\nthree", "one two three"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("back\\slash", "back\\\\slash"),
        ("bell\x07 nul\x00", "bell nul"),
    ],
)
def test_md_escape(raw: str, escaped: str) -> None:
    assert md_escape(raw) == escaped


def test_md_code_only_wraps_harmless_values() -> None:
    assert md_code("sha256:abc") == "`sha256:abc`"
    assert md_code("pkg:deb/debian/libc6@2.36?arch=amd64&distro=debian-12").startswith("`")
    assert md_code("a`b") == "a\\`b"
    assert md_code("a|b") == "a\\|b"
    assert md_code("") == ""


def test_clean_text_strips_terminal_sequences() -> None:
    assert clean_text("\x1b]0;title\x07ok\x1b[2J\x9b1m") == "ok"
    assert clean_text("tab\tand\nnewline") == "tab\tand\nnewline"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://github.com/x/y", True),
        ("http://example.org/a?b=c", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//evil.example/x", False),
        ("https://", False),
        ("https://a.example/\nx", False),
        ("http://[::1", False),
    ],
)
def test_safe_url(url: str, ok: bool) -> None:
    assert (safe_url(url) == url) is ok


def test_human_size() -> None:
    assert [human_size(v) for v in (0, 1023, 1536, 5 * 1024**3, None)] == [
        "0 B",
        "1023 B",
        "1.5 KiB",
        "5.0 GiB",
        "",
    ]


def test_templates_are_found() -> None:
    assert any((d / "report.html.j2").is_file() for d in template_dirs())


# --------------------------------------------------------------------------- context


def test_context(report: Report) -> None:
    context = build_context(report)
    assert context["platforms"] == ["linux/amd64", "linux/arm64/v8"]
    amd64 = context["images"][0]
    assert amd64["anchor"] == "img-linux-amd64"
    assert dict(amd64["package_counts"]) == {"deb": 22, "python": 12, "npm": 8, "go-module": 5}
    assert max(layer["bar"] for layer in amd64["layers"]) == 1.0
    assert [layer["origin"] for layer in amd64["layers"]] == ["base", "base", "added", "added"]
    assert amd64["layers"][0]["command"].startswith("ADD file:")  # "#(nop)" prefix dropped
    assert context["findings"][0]["severity"] == "warning"  # most severe first
    assert context["integrity_ok"] is True
    assert amd64["base_known"] is True


# --------------------------------------------------------------------------- markdown


def _table_rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("|")]


def _cells(row: str) -> int:
    # Unescaped pipes split cells in GFM; escaped ones (\|) do not.
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def test_markdown_tables_hold_their_shape(hostile_report: Report) -> None:
    text = get_renderer("md").render(hostile_report).decode()
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.startswith("|"):
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    for block in filter(None, blocks):
        widths = {_cells(row) for row in block}
        assert len(widths) == 1, block


def test_markdown_has_nothing_active(hostile_report: Report) -> None:
    text = get_renderer("md").render(hostile_report).decode()
    assert "<script" not in text
    assert "<img" not in text
    assert "\x1b" not in text
    assert not re.search(r"(?<!\\)\]\(javascript:", text)  # "\](" is an escaped bracket
    # only the template's own HTML tags remain
    assert set(re.findall(r"<(/?[a-z]+)", text)) <= {
        "details",
        "/details",
        "summary",
        "/summary",
        "br",
    }


def test_markdown_content(report: Report, golden: Callable[[str, bytes], None]) -> None:
    data = get_renderer("md").render(report)
    text = data.decode()
    assert text.startswith("# Image report: registry.example.com/team/webapp:1.4.2\n")
    assert "| linux/amd64 | `sha256:" in text
    assert "<details><summary>All 47 packages</summary>" in text
    assert "| deb | 22 |" in text
    assert data == get_renderer("md").render(report)
    golden("report.md", data)
    golden("report-hostile.md", get_renderer("md").render(_hostile()))


def _hostile() -> Report:
    from tests.factory import make_report

    return make_report(hostile=True)


# --------------------------------------------------------------------------- html


class _Collector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0
        self.script_bodies: list[str] = []
        self.style_bodies: list[str] = []
        self.hrefs: list[str] = []
        self.handlers: list[str] = []
        self.inline_styles = 0
        self.external: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._in = tag
            if tag == "script":
                self.scripts += 1
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(name)
            if name == "style":
                self.inline_styles += 1
            if name == "href" and value is not None:
                self.hrefs.append(value)
            if name == "src" or (tag == "link" and name == "href"):
                self.external.append(value or "")

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.script_bodies.append(data)
        elif self._in == "style":
            self.style_bodies.append(data)


def _sha(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("factory", ["report", "hostile_report"])
def test_html_is_self_contained_and_inert(factory: str, request: pytest.FixtureRequest) -> None:
    report: Report = request.getfixturevalue(factory)
    text = get_renderer("html").render(report).decode()
    parsed = _Collector()
    parsed.feed(text)
    assert parsed.scripts == 1, "only the report's own script"
    assert parsed.handlers == []
    assert parsed.inline_styles == 0
    assert parsed.external == []
    for href in parsed.hrefs:
        assert href.startswith(("#", "https://", "http://")), href
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text)
    assert csp is not None
    policy = csp.group(1)
    assert "default-src 'none'" in policy
    assert "unsafe" not in policy
    assert _sha(parsed.script_bodies[0]) in policy
    assert _sha(parsed.style_bodies[0]) in policy
    for payload in ("<script>window.__pwned", "<img src=x", 'href="javascript:', "\x1b"):
        assert payload not in text


def test_html_content(report: Report, golden: Callable[[str, bytes], None]) -> None:
    data = get_renderer("html").render(report)
    text = data.decode()
    assert '<section class="image" id="img-linux-arm64-v8">' in text
    assert 'data-copy="sha256:' in text
    assert text.count("<tr>") > 94  # every package has a row
    assert (
        '<a href="https://github.com/example/webapp.git" rel="noopener noreferrer nofollow">'
        in text
    )
    assert data == get_renderer("html").render(report)
    golden("report.html", data)


def test_hostile_html_shows_payloads_as_text(hostile_report: Report) -> None:
    text = get_renderer("html").render(hostile_report).decode()
    assert "&lt;script&gt;window.__pwned=1;alert(1)&lt;/script&gt;" in text
    assert "javascript:window.__pwned=1;alert(1)" in text  # shown, never linked
    assert 'href="javascript' not in text
    assert "FAILED" in text  # the integrity finding reaches the header


# --------------------------------------------------------------------------- user templates


def test_user_template(tmp_path: Path, report: Report) -> None:
    template = tmp_path / "notes.md.j2"
    template.write_text(
        "{% for view in images %}- {{ view.platform }}: {{ view.package_count }} packages, "
        "{{ view.digest|md_code }}\n{% endfor %}{{ report.input_name }}\n"
    )
    out = render_template(report, template).decode()
    assert out.startswith("- linux/amd64: 47 packages, `sha256:")
    assert out.endswith("webapp.tar\n")
    assert TemplateRenderer(template).output_suffix == ".md"


def test_user_markdown_template_escapes_by_default(tmp_path: Path, hostile_report: Report) -> None:
    template = tmp_path / "names.md"
    template.write_text("{% for p in images[0].packages %}{{ p.name }}\n{% endfor %}")
    out = render_template(hostile_report, template).decode()
    assert "<script" not in out
    assert "\\| table \\| breakers \\|" in out


def test_user_html_template_autoescapes_and_can_extend(
    tmp_path: Path, hostile_report: Report
) -> None:
    (tmp_path / "mine.html.j2").write_text("<p>{{ images[0].labels|map('last')|join(' ') }}</p>")
    out = render_template(hostile_report, tmp_path / "mine.html.j2").decode()
    assert "<script>" not in out
    assert "&lt;script&gt;" in out
    (tmp_path / "wrapped.html").write_text('{% extends "report.html.j2" %}')
    with pytest.raises(RenderError, match="csp"):
        render_template(hostile_report, tmp_path / "wrapped.html")  # needs the HTML renderer's vars


def test_user_text_template_strips_terminal_escapes(tmp_path: Path, hostile_report: Report) -> None:
    (tmp_path / "plain.txt.j2").write_text("{{ images[0].labels|map('last')|join(' ') }}")
    out = render_template(hostile_report, tmp_path / "plain.txt.j2").decode()
    assert "\x1b" not in out
    assert HOSTILE_STRINGS[0] in out  # plain text is not HTML: kept verbatim


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ nope }}", "'nope' is undefined"),
        ("{% for %}", "notes.txt.j2:1"),
        ("{% include 'missing.j2' %}", "template not found: missing.j2"),
    ],
)
def test_user_template_errors(tmp_path: Path, report: Report, source: str, message: str) -> None:
    (tmp_path / "notes.txt.j2").write_text(source)
    with pytest.raises(RenderError, match=re.escape(message)):
        render_template(report, tmp_path / "notes.txt.j2")


def test_missing_user_template(tmp_path: Path, report: Report) -> None:
    with pytest.raises(RenderError, match="template not found"):
        render_template(report, tmp_path / "absent.j2")


# --------------------------------------------------------------------------- attested vs observed


def test_attested_context(report: Report) -> None:
    amd64 = build_context(report)["images"][0]
    image = report.images[0]
    assert amd64["sbom_compared"] is True
    assert amd64["sbom_counts"] == {
        "only_attested": len(image.only_attested),
        "only_observed": len(image.only_observed),
        "version_differs": len(image.version_differs),
    }
    assert [d["name"] for d in amd64["only_attested"]] == [d.name for d in image.only_attested]
    statuses = [c["signature_status"] for c in amd64["attestation_checks"]]
    assert statuses == [c.signature.status for c in image.provenance.attestations]
    vsa = amd64["verification_summaries"][0]
    summary = image.provenance.verification_summaries[0]
    assert (vsa["verifier_id"], vsa["policy_uri"], vsa["result"]) == (
        summary.verifier_id,
        summary.policy_uri,
        summary.result,
    )


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (
            SignatureStatus("verified", key="sha256:" + "ab" * 32, key_file="keys/a.pem"),
            "verified by key keys/a.pem (sha256:abababababab)",
        ),
        (SignatureStatus("invalid", detail="DSSE signature does not verify"), "invalid: DSSE"),
        (SignatureStatus("untrusted-key", keyids=("k",)), "untrusted key"),
        (SignatureStatus(), "unsigned"),
    ],
)
def test_signature_label(status: SignatureStatus, label: str) -> None:
    assert signature_label(status).startswith(label)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_attested_section_counts_come_first(report: Report, fmt: str) -> None:
    text = get_renderer(fmt).render(report).decode()
    image = report.images[0]
    section = text.index("Attested vs observed")
    n = (len(image.only_attested), len(image.only_observed), len(image.version_differs))
    counts = text.index(
        "| {} | {} | {} |".format(*n)
        if fmt == "md"
        else "only attested: <strong>{}</strong></span><span>only observed: <strong>{}</strong>"
        "</span><span>version differs: <strong>{}</strong>".format(*n),
        section,
    )
    tables = [
        text.index(f"{title} (", section)
        for title in ("Only attested", "Only observed", "Version differs")
    ]
    assert counts < min(tables)
    assert tables == sorted(tables)
    for delta in (*image.only_attested, *image.only_observed, *image.version_differs):
        assert delta.name in text
    for label in ("verified by key", "invalid:", "untrusted key", "unsigned"):
        assert label in text
    assert "https://verifier.example.com" in text
    assert "PASSED" in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_no_attested_section_without_an_sbom(fmt: str) -> None:
    from tests.factory import image as make_image
    from tests.factory import pkg
    from tests.factory import report as make_report_of

    text = get_renderer(fmt).render(make_report_of(make_image(packages=(pkg("deb", "a", "1"),))))
    assert "Attested vs observed" not in text.decode()


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_one_image_page_lists_its_findings_once(real_fixtures: Path, fmt: str) -> None:
    # The page's Findings section lists every image's findings with their platform; an image
    # section repeats its own only when the page has several images to tell apart.
    from reporter.options import Options
    from reporter.pipeline import generate
    from reporter.platforms import Platform

    tiny = str(real_fixtures / "tiny-multiarch.oci")
    one = generate(tiny, Options(platforms=(Platform.parse("linux/amd64"),)))
    every = generate(tiny, Options())
    conflict = "sources disagree on org.opencontainers.image.description"
    single = get_renderer(fmt).render(one).decode()
    assert [f.kind.value for f in one.images[0].findings] == ["provenance-conflict"]
    assert single.count(conflict) == 1
    assert "Findings for" not in single
    several = get_renderer(fmt).render(every).decode()
    assert several.count(conflict) == 2 * len(every.images)  # the page's list, each section's
    assert several.count("Findings for") == len(every.images)
