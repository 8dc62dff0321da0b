"""What each lock-file parser makes of its format, quirk by quirk (syft 1.18.1's, measured by
``test_parity.py``), on the documented bytes; bad input; the opt-in wiring."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from reporter.catalog import ALL_CATALOGERS, LOCKFILE_CATALOGERS, catalogers
from reporter.catalog.interface import Declared, FoundPackage, ParseContext
from reporter.catalog.lockfiles import beam, dart, go, haskell, js, php, python, ruby, rust, swift
from reporter.cli import main
from reporter.errors import CatalogError
from reporter.options import Options
from reporter.report_cache import RenderRequest, ReportCache
from tests.catalog.lockfiles.documented import DOCUMENTED
from tests.hostile._build import TAR_LAYER, TarFile, custom_layout, tar_bytes

CTX = ParseContext(None, "amd64")


def _parse(cataloger: Declared, path: str, ctx: ParseContext = CTX) -> list[FoundPackage]:
    return cataloger.parse(path, DOCUMENTED[path], ctx)


def _nv(found: list[FoundPackage]) -> set[tuple[str, str]]:
    return {(p.name, p.version) for p in found}


def test_package_lock_v3_skips_dev_keeps_dev_optional_and_reads_alias_names() -> None:
    found = _parse(js.CATALOGER, "edge/npmv3/package-lock.json")
    assert _nv(found) == {
        ("v3app", "2.0.0"),  # the root entry, named
        ("a", "1.0.0"),
        ("b", "2.1.0"),  # node_modules/a/node_modules/b
        ("b", "3.0.0"),
        ("real-pkg", "1.2.3"),  # node_modules/alias with "name": "real-pkg"
        ("linked", ""),  # the link entry has no version
        ("linked", "0.0.1"),
        ("@scope/x", "1.0.0"),  # devOptional is kept
        ("noversion", ""),
    }
    licences = {p.name + p.version: p.licenses for p in found}
    assert licences["b3.0.0"] == ("MIT", "Apache-2.0")
    assert licences["b2.1.0"] == ()  # {"type": "BSD"}: syft reads strings and lists only
    assert {p.purl for p in found if p.name == "@scope/x"} == {"pkg:npm/%40scope/x@1.0.0"}


def test_package_lock_v1_reads_top_level_entries_only() -> None:
    found = _parse(js.CATALOGER, "edge/npmv1/package-lock.json")
    # no root package, nested a→b 2.1.0 not read, dev skipped, npm: alias resolved
    assert _nv(found) == {
        ("a", "1.0.0"),
        ("b", "3.0.0"),
        ("real-pkg", "1.2.3"),
        ("linked", "file:../linked"),
    }


def test_a_package_lock_inside_node_modules_is_a_dependency_s_and_skipped() -> None:
    data = DOCUMENTED["edge/npmv3/package-lock.json"]
    assert js.CATALOGER.parse("app/node_modules/x/package-lock.json", data, CTX) == []
    assert js.CATALOGER.parse("app/package-lock.json", data, CTX) != []


def test_yarn_lock_names_aliases_by_their_target_and_dedupes() -> None:
    found = _parse(js.CATALOGER, "edge/yarn/yarn.lock")
    assert sorted((p.name, p.version) for p in found) == [
        ("@babel/code-frame", "7.22.13"),
        ("debug", "4.3.4"),
        ("string-width", "4.2.3"),  # string-width-cjs@npm:string-width@^4.2.0, and itself
    ]


def test_pnpm_v6_cuts_the_peer_suffix_v5_keeps_its_own() -> None:
    v6 = _nv(_parse(js.CATALOGER, "edge/pnpm6/pnpm-lock.yaml"))
    assert ("react-dom", "18.2.0") in v6
    assert ("is-number", "7.0.0") in v6
    v5 = _nv(_parse(js.CATALOGER, "edge/pnpm5/pnpm-lock.yaml"))
    assert v5 == {
        ("debug", "4.3.4"),
        ("ms", "2.1.2"),
        ("@babel/code-frame", "7.22.13_supports-color@5.5.0"),
    }


def test_requirements_keep_pinned_lines_only_with_pep503_names() -> None:
    found = _parse(python.CATALOGER, "edge/requirements/requirements.txt")
    assert {p.purl for p in found} == {
        "pkg:pypi/requests@2.31.0",
        "pkg:pypi/numpy@1.26.4",  # marker dropped
        "pkg:pypi/sqlalchemy@2.0.25",  # extras dropped, lower case
        "pkg:pypi/pytz@=2024.1",  # '===' leaves '=' (syft's split on '==')
        "pkg:pypi/six@1.16.0",  # continuation line with --hash
        "pkg:pypi/zope-interface@6.1",
        "pkg:pypi/name-with-underscore@1.0",
    }


def test_go_mod_applies_replace_and_exclude_and_reads_go_sum() -> None:
    sums = DOCUMENTED["edge/gomod/go.sum"]
    ctx = replace(CTX, read=lambda path: sums if path == "edge/gomod/go.sum" else None)
    found = {p.name: p for p in _parse(go.CATALOGER, "edge/gomod/go.mod", ctx)}
    assert set(found) == {
        "github.com/pkg/errors",
        "golang.org/x/sys",  # indirect is kept
        "github.com/fork/lib",  # replace rep/lib => fork/lib v1.2.1
        "github.com/incompat/x",
        "github.com/single/line",
        "../mod",  # a local replace target, not required, still a package (syft's quirk)
    }  # github.com/old/thing excluded; the module itself and toolchain give nothing
    assert found["github.com/fork/lib"].version == "v1.2.1"
    assert found["../mod"].version == ""
    assert found["github.com/incompat/x"].purl == (
        "pkg:golang/github.com/incompat/x@v2.0.0%2Bincompatible"
    )
    digest = dict(found["github.com/pkg/errors"].metadata)["h1_digest"]
    assert digest == "h1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4="
    assert go.CATALOGER.parse("edge/gomod/go.sum", sums, CTX) == []


def test_gemfile_lock_reads_git_path_and_platform_specs() -> None:
    found = _parse(ruby.CATALOGER, "edge/gem/Gemfile.lock")
    assert _nv(found) == {
        ("gitgem", "0.5.0"),
        ("localgem", "1.1.0"),
        ("nokogiri", "1.16.0-x86_64-linux"),
        ("nokogiri", "1.16.0-aarch64-linux"),
        ("racc", "1.7.3"),
        ("rake", "13.1.0"),  # from GEM; localgem's "rake (>= 12)" requirement is no package
    }


def test_mix_lock_keeps_syft_s_field_split_for_git_dependencies() -> None:
    found = {p.name: p for p in _parse(beam.MIX_CATALOGER, "beam/mix.lock")}
    assert found["jason"].version == "1.4.1"
    assert found["local_thing"].version == "//github.com/acme/local_thing.git"
    metadata = dict(found["mime"].metadata)
    assert metadata["pkg_hash"].startswith("dc34c8ef")
    assert metadata["pkg_hash_ext"].startswith("da0d64a3")
    # a last line without its newline is dropped, as syft's reader drops it
    line = b'  "x": {:hex, :x, "1.0.0", "aa", [:mix], [], "hexpm", "bb"},'
    assert beam.MIX_CATALOGER.parse("mix.lock", line, CTX) == []
    assert len(beam.MIX_CATALOGER.parse("mix.lock", line + b"\n", CTX)) == 1


def test_rebar_lock_reads_pkg_and_git_ref_entries_in_order() -> None:
    found = _parse(beam.REBAR_CATALOGER, "beam/rebar.lock")
    assert [(p.name, p.version) for p in found] == [
        ("certifi", "2.9.0"),
        ("idna", "6.1.1"),
        ("unicode_util_compat", "0.7.0"),
        ("gitdep", "0123456789abcdef0123456789abcdef01234567"),
    ]
    assert found[0].purl == "pkg:hex/certifi@2.9.0"


def test_pubspec_lock_qualifiers_follow_syft_s_default_registry() -> None:
    purls = {p.name: p.purl for p in _parse(dart.CATALOGER, "dart/pubspec.lock")}
    assert purls == {
        "collection": "pkg:pub/collection@1.18.0?hosted_url=pub.dev",
        "flutter": "pkg:pub/flutter@0.0.0",
        "mygit": "pkg:pub/mygit@1.0.0?vcs_url="
        "https://github.com/acme/mygit.git%400123456789abcdef0123456789abcdef01234567",
        "path": "pkg:pub/path@1.9.0",  # https://pub.dartlang.org is syft's default: no qualifier
        "test": "pkg:pub/test@1.24.9?hosted_url=pub.dev",
    }


def test_package_resolved_v1_and_v2_purls() -> None:
    v2 = {p.name: (p.version, p.purl) for p in _parse(swift.CATALOGER, "swift/v2/Package.resolved")}
    assert v2["swift-log"] == ("1.5.4", "pkg:swift/github.com/apple/swift-log/swift-log@1.5.4")
    assert v2["onbranch"] == ("", "pkg:swift/git%40github.com:acme/onbranch.git/onbranch")
    (v1,) = _parse(swift.CATALOGER, "swift/v1/Package.resolved")
    assert v1.purl == "pkg:swift/github.com/Alamofire/Alamofire.git/Alamofire@5.4.3"


def test_haskell_lock_and_freeze() -> None:
    assert _nv(_parse(haskell.CATALOGER, "haskell/stack.yaml.lock")) == {
        ("acme-missiles", "0.3"),
        ("text-short", "0.1.5"),
    }
    assert _nv(_parse(haskell.CATALOGER, "haskell/cabal.project.freeze")) == {
        ("Cabal", "3.8.1.0"),
        ("base", "4.17.2.1"),
        ("bytestring", "0.11.5.3"),
        ("zlib", "0.6.3.0"),  # the flag line "zlib -bundled-c-zlib" gives nothing
    }
    stack = b"resolver: lts-21.25\nextra-deps:\n- acme-missiles-0.3@sha256:ab,613\n- ./local\n"
    assert _nv(haskell.CATALOGER.parse("stack.yaml", stack, CTX)) == {("acme-missiles", "0.3")}


def test_every_documented_package_is_marked_declared() -> None:
    for path, data in DOCUMENTED.items():
        for cataloger in LOCKFILE_CATALOGERS:
            if cataloger.wants(path, 0o644, len(data)) is not None:
                for found in cataloger.parse(path, data, CTX):
                    assert dict(found.metadata)["declared"] == "lock-file", (path, found)


@pytest.mark.parametrize(
    ("cataloger", "path", "data", "message"),
    [
        (js.CATALOGER, "a/package-lock.json", b"{", "a/package-lock.json: not valid JSON"),
        (js.CATALOGER, "a/package-lock.json", b"[]", "is not a JSON object"),
        (js.CATALOGER, "a/pnpm-lock.yaml", b"a: [", "a/pnpm-lock.yaml: not valid YAML"),
        (js.CATALOGER, "a/pnpm-lock.yaml", b"lockfileVersion: x\n", "no readable lockfileVersion"),
        (python.CATALOGER, "a/poetry.lock", b"[[package]\n", "a/poetry.lock: not valid TOML"),
        (python.CATALOGER, "a/Pipfile.lock", b"1", "Pipfile.lock is not a JSON object"),
        (rust.CATALOGER, "Cargo.lock", b"\xff", "Cargo.lock: not valid TOML"),
        (php.CATALOGER, "composer.lock", b"nul", "composer.lock: not valid JSON"),
        # syft fails on the whole file here too (it decodes license into []string)
        (
            php.CATALOGER,
            "composer.lock",
            b'{"packages": [{"name": "a/b", "version": "1", "license": "MIT"}]}',
            "composer.lock: license of 'a/b' is not a list of strings",
        ),
        (go.CATALOGER, "m/go.mod", b'require "x v1\n', "m/go.mod: unterminated quoted string"),
        (dart.CATALOGER, "pubspec.lock", b"sdks: {}\n", "pubspec.lock has no packages mapping"),
        (swift.CATALOGER, "Package.resolved", b'"pins"', "is not a JSON object"),
        (haskell.CATALOGER, "stack.yaml.lock", b"{", "stack.yaml.lock: not valid YAML"),
    ],
)
def test_bad_input_is_one_catalog_error_naming_the_file(
    cataloger: Declared, path: str, data: bytes, message: str
) -> None:
    with pytest.raises(CatalogError) as caught:
        cataloger.parse(path, data, CTX)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_lock_file_catalogers_are_opt_in_and_named_apart_from_the_image_ones() -> None:
    assert Options().lockfiles is False
    assert catalogers(catalog=True, lockfiles=False) == ALL_CATALOGERS
    assert catalogers(catalog=True, lockfiles=True) == ALL_CATALOGERS + LOCKFILE_CATALOGERS
    assert catalogers(catalog=False, lockfiles=True) == ()
    names = [c.name for c in ALL_CATALOGERS + LOCKFILE_CATALOGERS]
    assert len(names) == len(set(names))


def test_the_report_cache_keys_on_the_option(tmp_path: Path) -> None:
    layout = tmp_path / "x"
    layout.mkdir()
    (layout / "index.json").write_text("{}")
    request = RenderRequest(("json",), False, "1.6", False)
    off = ReportCache.key(str(layout), Options(), request)
    on = ReportCache.key(str(layout), Options(lockfiles=True), request)
    assert off is not None
    assert on is not None
    assert off != on


def test_the_cli_flag_adds_declared_packages_to_the_report(tmp_path: Path) -> None:
    files = [TarFile("srv/Cargo.lock", DOCUMENTED["edge/cargo-v1/Cargo.lock"])]
    layout = tmp_path / "image"
    custom_layout(layout, [tar_bytes(files)], media_type=TAR_LAYER, ref="cli")
    plain, opted = tmp_path / "plain.json", tmp_path / "opted.json"
    assert main(["report", str(layout), "-f", "json", "-o", str(plain)]) == 0
    assert main(["report", str(layout), "--lockfiles", "-f", "json", "-o", str(opted)]) == 0
    assert json.loads(plain.read_text())["images"][0]["packages"] == []
    packages = json.loads(opted.read_text())["images"][0]["packages"]
    assert sorted((p["name"], p["version"], p["purl"]) for p in packages) == [
        ("aho-corasick", "0.7.18", "pkg:cargo/aho-corasick@0.7.18"),
        ("gitcrate", "0.1.0", "pkg:cargo/gitcrate@0.1.0"),
        ("memchr", "2.4.1", "pkg:cargo/memchr@2.4.1"),
    ]
    assert all(["declared", "lock-file"] in p["metadata"] for p in packages)


def test_yarn_berry_patch_and_alias_entries_name_the_package_they_resolve() -> None:
    # berry's lock format (https://yarnpkg.com/advanced/lexicon#locator): "name@protocol:..."
    lock = (
        b"__metadata:\n  version: 8\n\n"
        b'"resolve@npm:1.22.8":\n  version: 1.22.8\n\n'
        b'"resolve@patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>":\n'
        b"  version: 1.22.8\n\n"
        b'"@scope/y@npm:1.0.0, local@npm:@scope/y@^1":\n  version: 1.0.0\n\n'
        b'"app@workspace:.":\n  version: 0.0.0-use.local\n'
    )
    found = js.CATALOGER.parse("yarn.lock", lock, CTX)
    assert [(p.name, p.version) for p in found] == [
        ("resolve", "1.22.8"),
        ("@scope/y", "1.0.0"),
        ("app", "0.0.0-use.local"),
    ]
