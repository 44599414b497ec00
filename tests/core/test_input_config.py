"""Which op input annotations run config can give, and how their values are checked (resnb.core.input_config).

How a run uses them is in tests/execution/test_op_inputs_from_config.py.
"""

from __future__ import annotations

import inspect
import typing
from pathlib import Path
from typing import Any, Optional, Union

import pytest

from resnb.core.input_config import FileValue, loader_for
from resnb.errors import ConfigError


class Frame:
    """A type with no loader."""


@pytest.mark.parametrize(
    ("annotation", "described"),
    [
        (int, "an int"),
        (float, "a float"),
        (str, "a str"),
        (bool, "a bool"),
        (Optional[int], "None or an int"),  # noqa: UP045 - the typing form on purpose
        (int | None, "None or an int"),
        (list[int], "a list of (an int)"),
        (typing.List[str], "a list of (a str)"),  # noqa: UP006 - the typing alias on purpose
        (set[int], "a list of (an int)"),
        (dict, "a dict"),
        (dict[str, bool], "a dict of str to (a bool)"),
        (typing.Annotated[int, "meta"], "an int"),
    ],
)
def test_loadable_annotations(annotation: Any, described: str):
    loader = loader_for(annotation)
    assert loader is not None
    assert loader.describe() == described


@pytest.mark.parametrize("annotation", [Any, inspect.Parameter.empty])
def test_any_takes_only_the_value_forms(annotation: Any):
    loader = loader_for(annotation)
    assert loader is not None
    assert loader.describe().startswith("any value, given as {'value': ...}")
    assert loader.validate({"value": [1]}, "x") == [1]
    with pytest.raises(ConfigError):
        loader.validate([1], "x")


@pytest.mark.parametrize(
    "annotation", [Frame, tuple, set, object, Union[int, str], Frame | None, list[Frame], dict[int, int]]
)
def test_annotations_without_a_loader(annotation: Any):
    assert loader_for(annotation) is None


def test_scalars_are_checked_as_dagster_checks_them():
    int_loader, float_loader = loader_for(int), loader_for(float)
    assert int_loader is not None and float_loader is not None
    assert int_loader.validate(3, "x") == 3
    assert float_loader.validate(3, "x") == 3.0
    assert isinstance(float_loader.validate(3, "x"), float)
    for bad in (True, 3.0, "3", None):
        with pytest.raises(ConfigError):
            int_loader.validate(bad, "x")


def test_the_value_form_is_checked_like_the_value():
    loader = loader_for(int)
    assert loader is not None
    assert loader.validate({"value": 2}, "x") == 2
    with pytest.raises(ConfigError, match=r"\(at \['value'\]\) is None"):
        loader.validate({"value": None}, "input 'x'")
    with pytest.raises(ConfigError):
        loader.validate({"value": 1, "json": {"path": "p"}}, "x")


def test_file_forms_are_kept_until_resolved(tmp_path: Path):
    path = tmp_path / "v.json"
    path.write_text('{"value": [1, 2]}')
    loader = loader_for(list[int])
    assert loader is not None
    checked = loader.validate([{"json": {"path": str(path)}}, 3], "xs")
    assert checked == [FileValue("json", str(path)), 3]
    assert loader.resolve(checked) == [[1, 2], 3]


def test_set_is_made_when_resolved():
    loader = loader_for(set[str])
    assert loader is not None
    assert loader.resolve(loader.validate(["a", "a", "b"], "x")) == {"a", "b"}
