"""catalog_image: squash, detect the distro, parse visible files, attribute packages to layers."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest

from reporter.catalog import distro as distro_cataloger
from reporter.catalog import dpkg
from reporter.catalog import python as python_cataloger
from reporter.catalog.interface import (
    Cataloger,
    Digested,
    FoundPackage,
    ParseContext,
    Scanner,
    Want,
    WholeFile,
)
from reporter.catalog.run import catalog_image
from reporter.errors import CatalogError
from reporter.layers.scan import LayerScan
from reporter.layers.tarwalk import scan_layer
from reporter.model import Layer, Location
from reporter.options import Limits, Options
from reporter.pipeline import generate
from tests.catalog.test_binary import _busybox_tree, _syft
from tests.conftest import shared_path
from tests.hostile._build import TAR_LAYER, custom_layout
from tests.layers.test_tarwalk import Member, file, gz, info, make_tar

PKGS = "var/lib/pkgs"


class LinesCataloger:
    """``name version`` per line in var/lib/pkgs; ``BROKEN`` is unreadable."""

    name = "lines"

    def wants(self, path: str, mode: int, size: int) -> WholeFile | Scanner | None:
        return WholeFile(1024) if path == PKGS or path.endswith("/pkgs.extra") else None

    def parse(self, path: str, data: bytes, ctx: ParseContext) -> Iterable[FoundPackage]:
        distro = ctx.distro.id if ctx.distro else ""
        for line in data.decode().splitlines():
            if line == "BROKEN":
                raise CatalogError("unreadable line", where=path)
            name, version = line.split()
            yield FoundPackage(
                "test",
                name,
                version,
                purl=f"pkg:generic/{name}@{version}?distro={distro}",
                metadata=(("origin", "kept" if ctx.read("etc/origin") is not None else "none"),),
                supporting_paths=(f"usr/share/doc/{name}/copyright", "/etc/origin"),
            )


def pkgs(*lines: str) -> Member:
    return file(PKGS, "".join(f"{line}\n" for line in lines).encode())


OS_RELEASE = file("usr/lib/os-release", b'ID=testos\nVERSION_ID="1.2"\nNAME="Test OS"\n')


def image(
    *layers: Sequence[Member], catalogers: Sequence[Cataloger] = ()
) -> list[tuple[Layer, LayerScan]]:
    catalogers = catalogers or [distro_cataloger.CATALOGER, LinesCataloger()]
    out = []
    for index, members in enumerate(layers):
        blob = gz(make_tar(members))
        scan = scan_layer(io.BytesIO(blob), catalogers, limits=Limits())
        digest = "sha256:" + hashlib.sha256(blob).hexdigest()
        model = Layer(
            index,
            digest,
            "application/vnd.oci.image.layer.v1.tar+gzip",
            len(blob),
            scan.diff_id,
            base=index == 0,
        )
        out.append((model, scan))
    return out


def found(layers: list[tuple[Layer, LayerScan]]) -> dict[str, tuple[str, int | None]]:
    result = catalog_image(layers, [LinesCataloger()], "amd64")
    return {p.name: (p.version, p.layer_index) for p in result.packages}


def test_introduced_by_the_earliest_layer_that_listed_it_ever_since() -> None:
    layers = image(
        [pkgs("a 1", "b 1")],
        [pkgs("a 1", "b 1", "c 1")],  # adds c: rewrites the file
        [pkgs("a 1", "c 1")],  # removes b
        [pkgs("a 1", "c 2")],  # upgrades c
    )
    assert found(layers) == {"a": ("1", 0), "c": ("2", 3)}


def test_a_package_removed_then_added_back_is_introduced_by_the_re_adding_layer() -> None:
    layers = image([pkgs("a 1", "z 1")], [pkgs("z 1")], [pkgs("a 1", "z 1")])
    assert found(layers) == {"a": ("1", 2), "z": ("1", 0)}


def test_a_whited_out_file_starts_a_new_history() -> None:
    layers = image(
        [pkgs("a 1")],
        [file("var/lib/.wh.pkgs", b"")],
        [pkgs("a 1")],
    )
    assert found(layers) == {"a": ("1", 2)}


def test_a_version_nobody_kept_ends_the_walk_back() -> None:
    too_big = file(PKGS, b"a 1\n" + b"#" * 2000)  # over the cataloger's 1024 bytes
    layers = image([pkgs("a 1")], [too_big], [pkgs("a 1")])
    assert found(layers) == {"a": ("1", 2)}


class BinariesCataloger:
    """A ``binary`` package ``<name> 1`` for every file in usr/bin."""

    name = "binaries"

    def wants(self, path: str, mode: int, size: int) -> WholeFile | Scanner | None:
        return WholeFile(1024) if path.startswith("usr/bin/") else None

    def parse(self, path: str, data: bytes, ctx: ParseContext) -> Iterable[FoundPackage]:
        yield FoundPackage("binary", path.rpartition("/")[2], "1")


def _stanza(name: str, version: str = "1") -> bytes:
    return f"Package: {name}\nVersion: {version}\nArchitecture: amd64\n\n".encode()


def _debs(*members: Member) -> list[tuple[Layer, LayerScan]]:
    return image(list(members), catalogers=[dpkg.CATALOGER, BinariesCataloger()])


def test_a_binary_dpkg_owns_is_dropped_as_written_or_through_a_directory_link() -> None:
    md5 = "0" * 32
    layers = _debs(
        (info("bin", tarfile.SYMTYPE, linkname="usr/bin"), b""),  # merged /usr
        file("usr/bin/direct", b"x"),
        file("usr/bin/linked", b"x"),
        file("usr/bin/mine", b"x"),
        file("var/lib/dpkg/status", _stanza("tools")),
        file(
            "var/lib/dpkg/info/tools.md5sums",
            f"{md5}  usr/bin/direct\n{md5}  bin/linked\n".encode(),
        ),
    )
    result = catalog_image(layers, [dpkg.CATALOGER, BinariesCataloger()], "amd64")
    assert [(p.type, p.name) for p in result.packages] == [("binary", "mine"), ("deb", "tools")]
    # owned as written only: nothing else to resolve, the same packages
    owned_only = _debs(
        file("usr/bin/direct", b"x"),
        file("var/lib/dpkg/status", _stanza("tools")),
        file("var/lib/dpkg/info/tools.md5sums", f"{md5}  usr/bin/direct\n".encode()),
    )
    result = catalog_image(owned_only, [dpkg.CATALOGER, BinariesCataloger()], "amd64")
    assert [(p.type, p.name) for p in result.packages] == [("deb", "tools")]


def test_dpkg_packages_are_introduced_by_the_earliest_status_that_lists_them() -> None:
    status = "var/lib/dpkg/status"
    layers = image(
        [file(status, _stanza("a") + _stanza("b"))],
        [file(status, _stanza("a") + _stanza("b", "2") + _stanza("c"))],
        [file(status, _stanza("a") + _stanza("b", "2") + _stanza("c") + _stanza("d"))],
        catalogers=[dpkg.CATALOGER],
    )
    result = catalog_image(layers, [dpkg.CATALOGER], "amd64")
    assert [(p.name, p.version, p.layer_index) for p in result.packages] == [
        ("a", "1", 0),
        ("b", "2", 1),
        ("c", "1", 1),
        ("d", "1", 2),
    ]
    assert result.findings == ()


def test_a_broken_older_dpkg_status_is_one_finding_and_ends_the_walk_back() -> None:
    status = "var/lib/dpkg/status"
    broken = b"Package: a\nPackage: a\n\n"  # a duplicate field: dpkg (and syft) cannot read it
    layers = image(
        [file(status, _stanza("a"))],
        [file(status, broken)],
        [file(status, _stanza("a"))],
        catalogers=[dpkg.CATALOGER],
    )
    result = catalog_image(layers, [dpkg.CATALOGER], "amd64")
    assert [(p.name, p.layer_index) for p in result.packages] == [("a", 2)]
    (finding,) = result.findings
    assert finding.message == (
        f"cataloger dpkg could not parse /{status} (layer 1 {layers[1][0].digest}): "
        f"{status}: duplicate field 'Package'"
    )


def test_package_fields_locations_and_distro() -> None:
    layers = image(
        [
            OS_RELEASE,
            (info("usr/share/doc/a", tarfile.DIRTYPE), b""),
            file("usr/share/doc/a/copyright", b"MIT"),
            pkgs("a 1"),
        ],
        [pkgs("a 1", "b 2")],
    )
    result = catalog_image(layers, [distro_cataloger.CATALOGER, LinesCataloger()], "amd64")
    assert result.distro is not None
    assert (result.distro.id, result.distro.version_id) == ("testos", "1.2")
    assert result.findings == ()
    a, b = result.packages
    top = layers[1][0]
    assert a.purl == "pkg:generic/a@1?distro=testos"
    assert a.cataloger == "lines"
    assert a.locations == (
        Location("/var/lib/pkgs", 1, top.digest, top.diff_id),
        Location("/usr/share/doc/a/copyright", 0, layers[0][0].digest, layers[0][0].diff_id),
    )
    assert (a.layer_index, a.layer_digest, a.layer_diff_id, a.base) == (
        0,
        layers[0][0].digest,
        layers[0][0].diff_id,
        True,
    )
    assert (b.layer_index, b.base) == (1, False)
    assert b.locations == (Location("/var/lib/pkgs", 1, top.digest, top.diff_id),)


def test_read_gives_other_kept_files_of_the_view() -> None:
    class Reader(LinesCataloger):
        def wants(self, path: str, mode: int, size: int) -> WholeFile | Scanner | None:
            return WholeFile() if path in (PKGS, "etc/origin") else None

    catalogers: list[Cataloger] = [Reader()]
    blob = make_tar([file("etc/origin", b"x"), pkgs("a 1")])
    scan = scan_layer(io.BytesIO(blob), catalogers, limits=Limits())
    layers = [(Layer(0, "sha256:" + "0" * 64, "", len(blob), scan.diff_id), scan)]
    (package,) = catalog_image(layers, catalogers, "arm64").packages
    assert package.metadata == (("origin", "kept"),)


def test_a_parser_error_is_a_finding_naming_file_and_layer() -> None:
    class Other(LinesCataloger):
        name = "other"

        def wants(self, path: str, mode: int, size: int) -> WholeFile | Scanner | None:
            return WholeFile() if path == "opt/pkgs.extra" else None

    layers = image([pkgs("BROKEN"), file("opt/pkgs.extra", b"ok 1\n")])
    result = catalog_image(layers, [LinesCataloger(), Other()], "amd64")
    assert [p.name for p in result.packages] == ["ok"]
    (finding,) = result.findings
    assert finding.kind == "catalog"
    assert "/var/lib/pkgs" in finding.message
    assert layers[0][0].digest in finding.message
    assert "unreadable line" in finding.message


def test_a_broken_earlier_version_does_not_lose_the_visible_package() -> None:
    layers = image([pkgs("BROKEN")], [pkgs("a 1")])
    result = catalog_image(layers, [LinesCataloger()], "amd64")
    assert [(p.name, p.layer_index) for p in result.packages] == [("a", 1)]
    assert [f.kind for f in result.findings] == ["catalog"]


def test_duplicates_in_one_file_are_merged_and_output_is_sorted() -> None:
    layers = image([pkgs("zz 1", "aa 2", "aa 2", "aa 1")])
    result = catalog_image(layers, [LinesCataloger()], "amd64")
    assert [(p.name, p.version) for p in result.packages] == [("aa", "1"), ("aa", "2"), ("zz", "1")]


def test_no_layers_no_packages() -> None:
    result = catalog_image([], [LinesCataloger()], "amd64")
    assert (result.packages, result.distro, result.findings) == ((), None, ())


def test_real_debian_app_python_packages() -> None:
    blobs = shared_path("fixtures", "real", "debian-app.oci-gzip", "blobs", "sha256")
    manifest = json.loads(
        (blobs / "d2bb348eb5354007515d21890f14ba6ead882469021903d9191286f895149bf3").read_bytes()
    )
    config = json.loads((blobs / manifest["config"]["digest"][7:]).read_bytes())
    catalogers: list[Cataloger] = [distro_cataloger.CATALOGER, python_cataloger.CATALOGER]
    layers = []
    for index, (descriptor, diff_id) in enumerate(
        zip(manifest["layers"], config["rootfs"]["diff_ids"], strict=True)
    ):
        with (blobs / descriptor["digest"][7:]).open("rb") as raw:
            scan = scan_layer(raw, catalogers, limits=Limits())
        layers.append(
            (
                Layer(
                    index,
                    descriptor["digest"],
                    descriptor["mediaType"],
                    descriptor["size"],
                    diff_id,
                ),
                scan,
            )
        )
    result = catalog_image(layers, catalogers, "amd64")
    assert result.distro is not None
    assert (result.distro.id, result.distro.version_id) == ("debian", "12")
    python = [(p.name, p.version, p.layer_index) for p in result.packages if p.type == "python"]
    # README ground truth: idna is whited out, attrs hidden by the opaque directory
    assert python == [("packaging", "24.0", 2), ("six", "1.16.0", 2)]
    six = next(p for p in result.packages if p.name == "six")
    assert six.locations[0].path.endswith("six-1.16.0.dist-info/METADATA")
    assert six.layer_digest == manifest["layers"][2]["digest"]
    assert result.findings == ()


# --- hard links to a lower layer's file (image-spec layer.md allows them) ------------------


def _split_layers(stream: bytes, lower: set[str]) -> tuple[bytes, bytes]:
    """GNU tar's members as it wrote them (headers re-emitted by tarfile), the names in
    ``lower`` in one layer, the rest (hard links to them) in the layer above."""
    outs = (io.BytesIO(), io.BytesIO())
    with (
        tarfile.open(fileobj=io.BytesIO(stream)) as src,
        tarfile.open(fileobj=outs[0], mode="w", format=tarfile.GNU_FORMAT) as low,
        tarfile.open(fileobj=outs[1], mode="w", format=tarfile.GNU_FORMAT) as high,
    ):
        for member in src.getmembers():
            data = src.extractfile(member) if member.isreg() else None
            (low if member.name in lower or member.isdir() else high).addfile(member, data)
    return outs[0].getvalue(), outs[1].getvalue()


@pytest.mark.parametrize(
    ("lower", "links"),
    [
        # bin/busybox itself below (kept: the classifier wants it), applets linking to it above
        ({"bin/busybox"}, ("bin/[", "bin/cat", "bin/ls", "bin/sh")),
        # only bin/[ below (nobody wants "["), bin/busybox a link to it above
        ({"bin/["}, ("bin/busybox", "bin/cat", "bin/ls", "bin/sh")),
    ],
    ids=["target-kept", "target-not-kept"],
)
def test_hard_link_to_a_lower_layer_busybox_against_syft(
    tmp_path: Path, lower: set[str], links: tuple[str, ...]
) -> None:
    root, version = _busybox_tree(tmp_path)
    names = ("bin/[", "bin/busybox", "bin/cat", "bin/ls", "bin/sh")
    first = sorted(lower)[0]
    order = [first, *(n for n in names if n != first)]  # GNU tar: content under the first name
    stream = subprocess.run(
        ["tar", "-C", str(root), "--owner=0", "--group=0", "--no-recursion", "-cf", "-", *order],
        capture_output=True,
        check=True,
    ).stdout
    below, above = _split_layers(stream, lower)
    with tarfile.open(fileobj=io.BytesIO(above)) as tar:
        assert sorted(m.name for m in tar.getmembers() if m.islnk()) == sorted(links)
    out = tmp_path / "image"
    custom_layout(out, [below, above], media_type=TAR_LAYER)
    report = generate(str(out), Options())
    image_report = report.images[0]
    ours = [(p.name, p.version, p.layer_index, [loc.path for loc in p.locations])
            for p in image_report.packages if p.type == "binary"]  # fmt: skip
    theirs = [a for a in _syft(out) if a["type"] == "binary"]
    skipped = [f.message for f in image_report.findings if "hard link" in f.message]
    if first == "bin/busybox":
        assert ours == [("busybox", version, 0, ["/bin/busybox"])]
        assert not skipped
    else:
        # the link is wanted, its target's content went by unwanted in layer 0: said, exactly
        assert ours == []
        assert skipped  # one per cataloger that wants the name (classifier, distro)
        for message in skipped:
            assert message.startswith("/bin/busybox (layer 1 ")
            assert "hard link to /bin/[ of a lower layer, which no cataloger kept" in message
        assert any(m.endswith("cataloger binary-classifier-cataloger") for m in skipped)
    # syft 1.18.1 on the same image: what it reports, recorded beside ours
    syft_view = sorted((a["name"], a["version"], loc["path"], loc.get("accessPath", ""))
                       for a in theirs for loc in a["locations"])  # fmt: skip
    assert syft_view == SYFT_CROSS_LAYER[first](version)


SYFT_CROSS_LAYER: dict[str, Callable[[str], list[tuple[str, str, str, str]]]] = {
    "bin/busybox": lambda version: [("busybox", version, "/bin/busybox", "/bin/busybox")],
    # syft follows the link to layer 0's /bin/[ and reads it there: the one case where we
    # differ (a re-read of the lower layer would close it; it is a finding for now)
    "bin/[": lambda version: [("busybox", version, "/bin/[", "/bin/busybox")],
}


class Recorder:
    """Keeps what ``rules`` say and records what ``parse`` is given."""

    def __init__(self, name: str, rules: dict[str, Callable[[], WholeFile | Digested]]) -> None:
        self.name = name
        self.rules = rules
        self.parsed: list[tuple[str, bytes]] = []

    def wants(self, path: str, mode: int, size: int) -> Want | None:
        rule = self.rules.get(path)
        return None if rule is None else rule()

    def parse(self, path: str, data: bytes, ctx: ParseContext) -> Iterable[FoundPackage]:
        self.parsed.append((path, data))
        return ()


class Head:
    def __init__(self, n: int) -> None:
        self.n = n
        self.kept = b""

    def feed(self, chunk: bytes) -> bool:
        self.kept += chunk[: self.n - len(self.kept)]
        return len(self.kept) < self.n

    def result(self) -> bytes | None:
        return self.kept


def test_hard_link_to_a_lower_layer_file_gets_the_digested_bytes() -> None:
    # the bytes a same-layer link gets: the scanner's result, the trailer, the file's digests
    exe = b"\x7fELF" + bytes(range(256)) * 4000
    trailer = b"\x00oci-reporter:file-hashes\x00"
    digests = hashlib.sha256(exe).digest() + hashlib.sha512(exe).digest()
    whole = Recorder("whole", {"bin/app": WholeFile})
    # wants only the link: scanned from what the lower layer kept whole for another
    link = Recorder("link", {"bin/app2": lambda: Digested(Head(6))})
    both = Recorder("both", {p: lambda: Digested(Head(4)) for p in ("bin/app", "bin/app2")})
    catalogers: list[Cataloger] = [whole, link, both]
    lower = make_tar([file("bin/app", exe, mode=0o755)])
    upper = make_tar([(info("bin/app2", tarfile.LNKTYPE, linkname="bin/app", mode=0o755), b"")])
    layers = []
    for index, blob in enumerate((lower, upper)):
        scan = scan_layer(io.BytesIO(blob), catalogers, limits=Limits())
        layers.append((Layer(index, f"sha256:{index:064}", "", len(blob), scan.diff_id), scan))
    result = catalog_image(layers, catalogers, "amd64")
    assert result.findings == ()
    assert link.parsed == [("bin/app2", exe[:6] + trailer + digests)]
    assert sorted(both.parsed) == [
        ("bin/app", exe[:4] + trailer + digests),
        ("bin/app2", exe[:4] + trailer + digests),  # its own capture of the target, reused
    ]
