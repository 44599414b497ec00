"""Packaging: pyproject.toml and environment.yml agree, the ``resnb`` command works, CI runs pytest."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent

# conda packages that stand for something other than a Python dependency of resnb
CONDA_ONLY = {"python", "pip", "graphviz"}  # graphviz: the system `dot` behind the renderer


def pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def requirement_name(requirement: str) -> str:
    """The normalised project name of a requirement such as ``pydantic>=2.6,<3``."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement.strip())
    assert name, requirement
    return re.sub(r"[-_.]+", "-", name.group()).lower()


def parse_environment_yml(text: str) -> dict[str, Any]:
    """Parse the YAML subset environment.yml uses: top-level scalars and lists, one nested list."""
    result: dict[str, Any] = {}
    items: list[Any] = []  # the list under the current top-level key
    nested: tuple[int, list[str]] | None = None  # (indent of "- pip:", its list)
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*", "", raw).rstrip()
        if not line:
            continue
        indent, item = len(line) - len(line.lstrip()), line.strip()
        if indent == 0:
            key, _, value = item.partition(":")
            result[key] = value.strip() or []
            items, nested = (result[key] if isinstance(result[key], list) else []), None
        elif not item.startswith("- "):
            raise AssertionError(f"environment.yml: unexpected line {raw!r}")
        elif nested is not None and indent > nested[0]:
            nested[1].append(item[2:].strip().strip("'\""))
        elif item.endswith(":"):
            nested = (indent, [])
            items.append({item[2:-1].strip(): nested[1]})
        else:
            nested = None
            items.append(item[2:].strip().strip("'\""))
    return result


@pytest.fixture(scope="module")
def environment() -> dict[str, Any]:
    return parse_environment_yml((ROOT / "environment.yml").read_text(encoding="utf-8"))


def conda_dependencies(environment: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(conda specs, pip lines) of environment.yml."""
    conda = [dep for dep in environment["dependencies"] if isinstance(dep, str)]
    pip = [line for dep in environment["dependencies"] if isinstance(dep, dict) for line in dep["pip"]]
    return conda, pip


def test_environment_yml_uses_conda_forge(environment: dict[str, Any]) -> None:
    assert environment["channels"] == ["conda-forge"]


def test_environment_yml_installs_this_package_with_its_test_extra(environment: dict[str, Any]) -> None:
    _, pip = conda_dependencies(environment)
    match = re.fullmatch(r"(?:-e\s+)?(\S+?)\[([\w,\s-]+)\]", pip[0]) if len(pip) == 1 else None
    assert match, f"expected a single pip line like '-e .[test]', got {pip}"
    path, extras = match.group(1), {extra.strip() for extra in match.group(2).split(",")}
    project = pyproject()["project"]
    assert (ROOT / path).resolve() == ROOT and project["name"] == "resnb"
    assert "test" in extras and extras <= set(project["optional-dependencies"])


def test_environment_yml_matches_pyproject_dependencies(environment: dict[str, Any]) -> None:
    conda, _ = conda_dependencies(environment)
    names = {requirement_name(spec): spec.replace(" ", "") for spec in conda}
    assert "graphviz" in names, "conda-forge's graphviz provides `dot` for the graphviz renderer"
    assert "pip" in names
    assert names["python"] == "python" + pyproject()["project"]["requires-python"].replace(" ", "")
    runtime = {requirement_name(dep) for dep in pyproject()["project"]["dependencies"]}
    assert set(names) - CONDA_ONLY <= runtime, "other conda packages must be pyproject dependencies too"


def test_runtime_dependencies_cover_the_tomllib_fallback_on_python_310() -> None:
    runtime = pyproject()["project"]["dependencies"]
    tomli = [dep for dep in runtime if requirement_name(dep) == "tomli"]
    assert tomli and "python_version<'3.11'" in tomli[0].replace(" ", ""), "[tool.resnb] is read with tomli"
    assert "pytest" in {
        requirement_name(dep) for dep in pyproject()["project"]["optional-dependencies"]["test"]
    }


def declared_version() -> str:
    text = (ROOT / "resnb" / "_version.py").read_text(encoding="utf-8")
    match = re.search(r"^__version__ = \"([^\"]+)\"$", text, re.MULTILINE)
    assert match, "resnb/_version.py must define __version__"
    return match.group(1)


def test_python_m_resnb_version_prints_the_declared_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "resnb", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, f"resnb {declared_version()}\n", "")


def test_cli_without_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    from resnb.cli import main

    assert main([]) == 0
    assert "usage: resnb" in capsys.readouterr().out


def test_cli_rejects_unknown_option(capsys: pytest.CaptureFixture[str]) -> None:
    from resnb.cli import main

    assert main(["--bogus"]) == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_ci_script_is_executable_and_runs_the_readme_test_command() -> None:
    script = ROOT / ".ci" / "run"
    assert script.is_file() and os.access(script, os.X_OK)
    lines = [line.strip() for line in script.read_text(encoding="utf-8").splitlines()]
    assert "set -euo pipefail" in lines
    assert any(line.startswith("python -m pytest") for line in lines)
    assert 'python -m pip install -e ".[test]" && python -m pytest' in (ROOT / "README.md").read_text(
        encoding="utf-8"
    )
