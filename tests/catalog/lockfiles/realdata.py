"""Lock files written by the real tools, at test time, cached.

Every generator runs the tool that writes the format on a small project and returns the files
to put in an image (path in the image → bytes). Outputs are cached under
``~/.cache/oci-reporter-testdata/lockfiles/<name>-<key>/`` (the key hashes the generator's
inputs), so the network is needed once:

* npm's registry: ``npm install --package-lock-only`` (lock file v1, v2, v3); yarn 1, yarn
  berry (``@yarnpkg/cli-dist``) and pnpm run through ``npx`` from npm;
* PyPI: poetry and pipenv, pip-installed into a temporary venv; ``pip freeze`` of that venv and
  ``pipenv requirements --dev --hash`` are the requirements files;
* Debian: ``bundle lock --local`` (ruby-bundler, Debian's installed gems), ``composer update
  --no-install`` (composer, path repositories), ``cargo generate-lockfile`` on a directory
  registry made of Debian's ``librust-*-dev`` sources (``apt-get download``), and the real
  ``go.mod`` / ``go.sum`` Debian ships in ``golang-*-dev`` under ``usr/share/gocode/src``;
  ``rebar3 lock`` and ``mix deps.get`` (Debian's rebar3 and elixir) on git dependencies kept in
  local repositories (no Hex here, so no ``pkg`` entries: those are in ``documented.py``).

A tool that is missing or cannot reach its registry raises ``Unavailable``: the tests skip,
or fail under ``CI=true``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.catalog.binaries import AptUnavailable, download

__all__ = ["GENERATORS", "Unavailable", "generated", "lockfiles_cache"]


class Unavailable(Exception):
    """A tool or its registry is not reachable here."""


Files = dict[str, bytes]


def lockfiles_cache() -> Path:
    return Path.home() / ".cache" / "oci-reporter-testdata" / "lockfiles"


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> str:
    try:
        done = subprocess.run(
            args,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable(f"{args[0]}: {exc}") from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip()[-400:]
        raise Unavailable(f"{' '.join(args[:4])}: exit {done.returncode}: {tail}")
    return done.stdout


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise Unavailable(f"{tool} is not installed")
    return found


# One project for every JavaScript tool: a scoped package, a transitive dependency (ms), a dev
# dependency (npm and composer drop those, yarn and pnpm do not know) and an optional one.
_PACKAGE_JSON = {
    "name": "lock-app",
    "version": "1.2.3",
    "license": "MIT",
    # typescript and resolve: berry writes ``patch:`` entries for them
    "dependencies": {
        "debug": "4.3.4",
        "@types/node": "20.1.0",
        "typescript": "5.3.3",
        "resolve": "1.22.8",
    },
    "devDependencies": {"is-number": "7.0.0"},
    "optionalDependencies": {"left-pad": "1.3.0"},
}
_NPM_FLAGS = ["--ignore-scripts", "--no-audit", "--no-fund"]


def _js_project(work: Path) -> None:
    (work / "package.json").write_text(json.dumps(_PACKAGE_JSON, indent=2))


def _npm_lock(version: int) -> Callable[[Path], Files]:
    def generate(work: Path) -> Files:
        _js_project(work)
        npm = _need("npm")
        _run(
            [npm, "install", "--package-lock-only", f"--lockfile-version={version}", *_NPM_FLAGS],
            work,
        )
        return {"package-lock.json": (work / "package-lock.json").read_bytes()}

    return generate


def _yarn1(work: Path) -> Files:
    _js_project(work)
    _run(
        [_need("npx"), "-y", "yarn@1.22.22", "install", "--ignore-scripts", "--non-interactive"],
        work,
    )
    return {"yarn.lock": (work / "yarn.lock").read_bytes()}


def _berry(work: Path) -> Files:
    _js_project(work)
    (work / "yarn.lock").write_bytes(b"")  # marks the project root for berry
    _run(
        [
            _need("npx"),
            "-y",
            "-p",
            "@yarnpkg/cli-dist@4.5.3",
            "yarn",
            "install",
            "--mode=update-lockfile",
        ],
        work,
        env={"YARN_ENABLE_TELEMETRY": "0", "YARN_ENABLE_GLOBAL_CACHE": "0"},
    )
    return {"yarn.lock": (work / "yarn.lock").read_bytes()}


def _pnpm(work: Path) -> Files:
    _js_project(work)
    _run(
        [_need("npx"), "-y", "pnpm@9.15.0", "install", "--lockfile-only", "--ignore-scripts"], work
    )
    return {"pnpm-lock.yaml": (work / "pnpm-lock.yaml").read_bytes()}


_PYPROJECT = """\
[tool.poetry]
name = "lock-app"
version = "0.1.0"
description = ""
authors = ["A <a@example.com>"]
package-mode = false

[tool.poetry.dependencies]
python = "^3.9"
requests = "2.31.0"
attrs = "23.2.0"

[tool.poetry.group.dev.dependencies]
iniconfig = "2.0.0"
"""
_PIPFILE = """\
[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
requests = "==2.31.0"
attrs = "==23.2.0"

[dev-packages]
iniconfig = "==2.0.0"
"""


def _python_tools(work: Path) -> Files:
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], work)
    _run([str(venv / "bin" / "pip"), "install", "-q", "poetry", "pipenv"], work, timeout=900)
    poetry_dir, pipenv_dir = work / "poetry", work / "pipenv"
    poetry_dir.mkdir()
    pipenv_dir.mkdir()
    (poetry_dir / "pyproject.toml").write_text(_PYPROJECT)
    (pipenv_dir / "Pipfile").write_text(_PIPFILE)
    _run([str(venv / "bin" / "poetry"), "lock", "--no-interaction"], poetry_dir)
    pipenv_env = {"WORKON_HOME": str(work / "venvs"), "PIPENV_VERBOSITY": "-1"}
    _run([str(venv / "bin" / "pipenv"), "lock"], pipenv_dir, env=pipenv_env)
    dev = _run(
        [str(venv / "bin" / "pipenv"), "requirements", "--dev", "--hash"],
        pipenv_dir,
        env=pipenv_env,
    )
    frozen = _run([str(venv / "bin" / "pip"), "freeze"], work)
    return {
        "poetry/poetry.lock": (poetry_dir / "poetry.lock").read_bytes(),
        "pipenv/Pipfile.lock": (pipenv_dir / "Pipfile.lock").read_bytes(),
        "req/requirements.txt": frozen.encode(),
        "req/requirements-dev.txt": dev.encode(),
    }


_GEMFILE = """\
source "https://rubygems.org"
gem "rake"
gem "webrick"
group :development do
  gem "net-telnet"
end
"""


def _bundler(work: Path) -> Files:
    (work / "Gemfile").write_text(_GEMFILE)
    _run([_need("bundle"), "lock", "--local"], work, env={"BUNDLE_USER_HOME": str(work / ".b")})
    return {"Gemfile.lock": (work / "Gemfile.lock").read_bytes()}


def _composer(work: Path) -> Files:
    packages = {
        "log": {
            "name": "acme/log",
            "version": "1.4.2",
            "license": "MIT",
            "require": {"acme/util": "^2.0"},
        },
        "util": {"name": "acme/util", "version": "2.0.1", "license": ["Apache-2.0"]},
        "devtool": {"name": "acme/devtool", "version": "0.9.0", "license": "BSD-3-Clause"},
    }
    for folder, doc in packages.items():
        (work / "packages" / folder).mkdir(parents=True)
        (work / "packages" / folder / "composer.json").write_text(json.dumps(doc))
    root = {
        "name": "acme/app",
        "repositories": [{"type": "path", "url": "packages/*", "options": {"symlink": False}}],
        "require": {"acme/log": "^1.4"},
        "require-dev": {"acme/devtool": "^0.9"},
    }
    (work / "composer.json").write_text(json.dumps(root))
    env = {"COMPOSER_ALLOW_SUPERUSER": "1", "COMPOSER_HOME": str(work / ".composer")}
    _run(
        [
            _need("composer"),
            "update",
            "--no-install",
            "--no-interaction",
            "--no-plugins",
            "--no-audit",
        ],
        work,
        env=env,
    )
    return {"composer.lock": (work / "composer.lock").read_bytes()}


_RUST_DEBS = ["librust-cfg-if-dev", "librust-itoa-dev", "librust-memchr-dev"]
_GO_DEBS = ["golang-github-stretchr-testify-dev", "golang-golang-x-sys-dev"]


def _unpack(packages: list[str], into: Path) -> Path:
    try:
        debs = download(packages, lockfiles_cache() / "debs")
    except AptUnavailable as exc:
        raise Unavailable(str(exc)) from exc
    root = into / "root"
    for deb in debs.values():
        _run(["dpkg-deb", "-x", str(deb), str(root)], into)
    return root


def _cargo(work: Path) -> Files:
    registry = _unpack(_RUST_DEBS, work) / "usr" / "share" / "cargo" / "registry"
    project = work / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "main.rs").write_text("fn main() {}\n")
    (project / "Cargo.toml").write_text(
        '[package]\nname = "lock-app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n'
        'cfg-if = "1"\nitoa = "1"\nmemchr = "2"\nlocaldep = { path = "localdep" }\n'
    )
    (project / "localdep" / "src").mkdir(parents=True)
    (project / "localdep" / "src" / "lib.rs").write_text("")
    (project / "localdep" / "Cargo.toml").write_text(
        '[package]\nname = "localdep"\nversion = "0.3.0"\nedition = "2021"\n'
    )
    (project / ".cargo").mkdir()
    (project / ".cargo" / "config.toml").write_text(
        '[source.crates-io]\nreplace-with = "debian"\n\n'
        f'[source.debian]\ndirectory = "{registry}"\n'
    )
    _run([_need("cargo"), "generate-lockfile", "--offline"], project)
    return {"Cargo.lock": (project / "Cargo.lock").read_bytes()}


def _go(work: Path) -> Files:
    src = _unpack(_GO_DEBS, work) / "usr" / "share" / "gocode" / "src"
    files: Files = {}
    for found in sorted(src.rglob("go.mod")):
        folder = found.parent.relative_to(src).as_posix()
        files[f"{folder}/go.mod"] = found.read_bytes()
        if (found.parent / "go.sum").is_file():
            files[f"{folder}/go.sum"] = (found.parent / "go.sum").read_bytes()
    if not files:
        raise Unavailable("the Debian Go packages hold no go.mod")
    return files


def _git_repo(folder: Path, files: dict[str, str]) -> str:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    git = _need("git")
    _run([git, "init", "-q"], folder)
    _run([git, "add", "-A"], folder)
    who = ["-c", "user.name=test", "-c", "user.email=test@example.com"]
    _run([git, *who, "commit", "-q", "-m", "initial"], folder)
    _run([git, "tag", "v0.4.0"], folder)
    return folder.as_uri()


def _beam(work: Path) -> Files:
    env = {"HOME": str(work / "home"), "MIX_HOME": str(work / "mix"), "HEX_OFFLINE": "1"}
    (work / "erldep").mkdir()
    erl_url = _git_repo(
        work / "erldep",
        {
            "rebar.config": "{erl_opts, []}.\n",
            "src/erldep.app.src": '{application, erldep, [{vsn, "0.4.0"}, '
            "{applications, [kernel, stdlib]}]}.\n",
        },
    )
    (work / "erlapp" / "src").mkdir(parents=True)
    (work / "erlapp" / "rebar.config").write_text(
        f'{{deps, [{{erldep, {{git, "{erl_url}", {{tag, "v0.4.0"}}}}}}]}}.\n'
    )
    (work / "erlapp" / "src" / "erlapp.app.src").write_text(
        '{application, erlapp, [{vsn, "1.0.0"}, {applications, [kernel, stdlib]}]}.\n'
    )
    _run([_need("rebar3"), "lock"], work / "erlapp", env=env)
    (work / "exdep").mkdir()
    ex_url = _git_repo(
        work / "exdep",
        {
            "mix.exs": "defmodule Exdep.MixProject do\n  use Mix.Project\n"
            '  def project, do: [app: :exdep, version: "0.2.0", deps: []]\nend\n',
            "lib/exdep.ex": "defmodule Exdep do\nend\n",
        },
    )
    (work / "exapp").mkdir()
    (work / "exapp" / "mix.exs").write_text(
        "defmodule Exapp.MixProject do\n  use Mix.Project\n"
        '  def project, do: [app: :exapp, version: "1.0.0", '
        f'deps: [{{:exdep, git: "{ex_url}", tag: "v0.4.0"}}]]\nend\n'
    )
    _run([_need("mix"), "deps.get"], work / "exapp", env=env)
    return {
        "erlapp/rebar.lock": (work / "erlapp" / "rebar.lock").read_bytes(),
        "exapp/mix.lock": (work / "exapp" / "mix.lock").read_bytes(),
    }


# name → generator; the version in the name keys the cache (bump it when a generator changes).
GENERATORS: dict[str, Callable[[Path], Files]] = {
    "npm-v1": _npm_lock(1),
    "npm-v2": _npm_lock(2),
    "npm-v3": _npm_lock(3),
    "yarn-v1": _yarn1,
    "yarn-berry": _berry,
    "pnpm-v9": _pnpm,
    "python": _python_tools,
    "bundler": _bundler,
    "composer": _composer,
    "cargo": _cargo,
    "go": _go,
    "beam": _beam,
}


def generated(name: str) -> Files:
    """The files ``GENERATORS[name]`` writes (from the cache once made)."""
    key = hashlib.sha256(f"v1 {name} {json.dumps(_PACKAGE_JSON)}".encode()).hexdigest()[:12]
    folder = lockfiles_cache() / f"{name}-{key}"
    manifest = folder / "files.json"
    if manifest.is_file():
        names = json.loads(manifest.read_text())
        return {n: (folder / "files" / n).read_bytes() for n in names}
    with tempfile.TemporaryDirectory(prefix=f"lock-{name}-") as tmp:
        files = GENERATORS[name](Path(tmp))
    staging = folder.with_name(f".{folder.name}-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    for relative, data in files.items():
        target = staging / "files" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (staging / "files.json").write_text(json.dumps(sorted(files)))
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return files
