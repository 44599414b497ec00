"""Asset config given on a command line: ``--config ASSET.FIELD=VALUE`` and ``--config-json JSON``.

``%materialize`` and ``resnb materialize`` take the config of the assets they run this way. An
asset takes config when its function has a ``Config`` parameter (``def a(config: MyConfig)``) or
its ``@asset`` declares a dict ``config_schema``; the values are typed by that model as
``%build_resources`` types resource config (:mod:`resnb.notebook.config_args`), and become run
config ``{"ops": {node_name: {"config": {...}}}}``.

1. :func:`config_models` says which assets take config (asset name -> :class:`AssetConfig`).
2. :func:`parse_asset_config` turns the flags into overrides ``{asset: {field: typed value}}``.
3. :func:`asset_run_config` checks every asset of a run (missing required fields included) and
   returns the run config; a problem raises :class:`AssetConfigError`, whose message ends with
   the flags that would fix it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

from resnb.core.assets import AssetsDefinition
from resnb.core.legacy_config import ConfigSchema
from resnb.errors import ConfigError, did_you_mean, listing
from resnb.notebook.config_args import merge_configs
from resnb.notebook.config_errors import ConfigArgError, FieldProblem
from resnb.notebook.config_fields import ConfigField, fields_of
from resnb.notebook.config_overrides import Overrides, check_config, collect_overrides, config_entries
from resnb.notebook.config_values import read_config_json

__all__ = [
    "AssetConfig",
    "AssetConfigError",
    "asset_run_config",
    "config_models",
    "parse_asset_config",
    "with_flag_hint",
]

_NO_CONFIG = (
    "its function has no Config parameter (such as `config: MyConfig`) and its @asset no config_schema"
)
_SCALAR_CONFIG = (
    "its config_schema is a single value, not fields; pass it in Python: "
    "materialize([...], run_config={'ops': {NAME: {'config': VALUE}}})"
)
_Entry = tuple[str, Sequence[str], Any]
_PYTHON_HINT = "\nProvide it as run_config="  # how execution ends a rejected step Config


@dataclass(frozen=True)
class AssetConfig:
    """The config an asset takes: its run-config address ``node`` and its ``model``.

    ``model`` is None when it takes no field-by-field config; ``reason`` then says why.
    """

    node: str
    model: type[BaseModel] | None
    reason: str = ""


class AssetConfigError(ConfigArgError):
    """Asset config given to a command is invalid or missing: every problem, then how to fix it."""

    def __init__(self, problems: Sequence[FieldProblem] | FieldProblem, hint: str = "") -> None:
        items = (problems,) if isinstance(problems, FieldProblem) else tuple(problems)
        super().__init__([replace(problem, kind="asset") for problem in items])
        if hint:
            self.args = (f"{self.args[0]}\n{hint}",)


def config_models(assets: Iterable[AssetsDefinition]) -> dict[str, AssetConfig]:
    """Asset name (``a``, ``prefix/a``) -> the config it takes; every asset of ``assets`` is listed."""
    found: dict[str, AssetConfig] = {}
    for definition in assets:
        info = _asset_config(definition)
        for key in definition.keys:
            found[key.to_user_string()] = info
    return found


def _asset_config(definition: AssetsDefinition) -> AssetConfig:
    if definition.params.config is not None:
        return AssetConfig(definition.node_name, definition.params.config[1])
    if definition.config_schema is None:
        return AssetConfig(definition.node_name, None, _NO_CONFIG)
    model = ConfigSchema(definition.config_schema).model
    return AssetConfig(definition.node_name, model, "" if model is not None else _SCALAR_CONFIG)


# -- parsing ----------------------------------------------------------------------------------------
def parse_asset_config(
    pairs: Sequence[str],
    config_json: str | None,
    models: Mapping[str, AssetConfig],
    only_asset: str | None = None,
) -> Overrides:
    """Overrides ``{asset: {field: typed value}}`` from ``ASSET.FIELD=VALUE`` items and JSON.

    ``ASSET.FIELD.SUB=VALUE`` sets a sub-field of a nested ``Config``; JSON is
    ``{"asset": {"field": value}}`` (an entry may also be ``{"config": {...}}``). For the same
    field an item wins over the JSON. With ``only_asset`` (the one asset named), ``FIELD=VALUE``
    without the asset's name sets that asset's field. Raises :class:`AssetConfigError` listing
    every problem (unknown assets and fields with a suggestion, values that do not fit the type).
    """
    problems: list[FieldProblem] = []
    from_json: Overrides = {}
    from_pairs: Overrides = {}
    if config_json:
        from_json = _typed(_json_entries(config_json, models, problems), models, problems)
    if pairs:
        from_pairs = _typed(_pair_entries(pairs, models, problems, only_asset), models, problems)
    if problems:
        raise AssetConfigError(problems)
    return merge_configs(from_json, from_pairs)


def _typed(
    entries: list[_Entry], models: Mapping[str, AssetConfig], problems: list[FieldProblem]
) -> Overrides:
    definitions = {name: models[name].model for name, _, _ in entries}
    overrides, found = collect_overrides(entries, definitions)
    problems.extend(found)
    return overrides


def _check_asset(name: str, models: Mapping[str, AssetConfig]) -> FieldProblem | None:
    info = models.get(name)
    if info is None:
        configurable = [n for n, i in models.items() if i.model is not None]
        return FieldProblem(
            name,
            "",
            f"there is no asset with this name. Assets that take config: {listing(configurable)}."
            f"{did_you_mean(name, models)}",
        )
    if info.model is None:
        return FieldProblem(name, "", f"it takes no config: {info.reason}.")
    return None


def _asset_and_path(target: str, models: Mapping[str, AssetConfig]) -> tuple[str, list[str]]:
    """``needs_cfg.inner.depth`` -> (``needs_cfg``, [inner, depth]); the longest known asset name wins."""
    parts = [part.strip() for part in target.split(".")]
    for end in range(len(parts) - 1, 0, -1):
        name = ".".join(parts[:end])
        if name in models:
            return name, parts[end:]
    return parts[0], parts[1:]


def _unreadable(target: str, models: Mapping[str, AssetConfig]) -> FieldProblem:
    # Without '=' the item may be a mistyped value: echo it only if it looks like a name.
    looks_like_name = all(part.replace("/", "_").isidentifier() for part in target.split("."))
    shown = repr(target) if target and looks_like_name else "an item"
    example = next(
        (f"{name}.FIELD=VALUE" for name, info in models.items() if info.model), "ASSET.FIELD=VALUE"
    )
    return FieldProblem("?", "", f"cannot read config {shown}: write ASSET.FIELD=VALUE, e.g. {example}.")


def _names_a_field(target: str, models: Mapping[str, AssetConfig]) -> bool:
    """Whether ``target`` (before ``=``) is a field path without its asset: ``n``, ``inner.depth``.

    A word without a dot is always a field (``ASSET=VALUE`` is never config); a dotted one is
    when it does not start with an asset name.
    """
    if not target:
        return False
    return "." not in target or _asset_and_path(target, models)[0] not in models


def _pair_entries(
    pairs: Sequence[str],
    models: Mapping[str, AssetConfig],
    problems: list[FieldProblem],
    only_asset: str | None = None,
) -> list[_Entry]:
    entries: list[_Entry] = []
    for item in pairs:
        target, sep, raw = item.partition("=")
        if only_asset is not None and _names_a_field(target.strip(), models):
            target = f"{only_asset}.{target.strip()}"  # FIELD=VALUE for the one asset named
        name, path = _asset_and_path(target.strip(), models)
        if not sep or not path or not all(path) or not name:
            problems.append(_unreadable(target.strip(), models))
            continue
        problem = _check_asset(name, models)
        if problem is not None:
            problems.append(problem)
            continue
        entries.append((name, path, raw))
    return entries


def _json_entries(text: str, models: Mapping[str, AssetConfig], problems: list[FieldProblem]) -> list[_Entry]:
    try:
        data = read_config_json(text, '{"my_asset": {"field": 1}}')
    except ValueError as exc:
        problems.append(FieldProblem("?", "", str(exc)))
        return []
    if not isinstance(data, Mapping):
        message = f'config JSON must be an object {{"ASSET": {{"FIELD": VALUE}}}}, got {type(data).__name__}.'
        problems.append(FieldProblem("?", "", message))
        return []
    entries: list[_Entry] = []
    for name, config in data.items():
        try:
            entries.extend(_mapping_entries(str(name), config, models))
        except ConfigArgError as exc:
            problems.extend(exc.problems)
    return entries


def _mapping_entries(name: str, config: Any, models: Mapping[str, AssetConfig]) -> list[_Entry]:
    problem = _check_asset(name, models)
    if problem is None and not isinstance(config, Mapping):
        problem = FieldProblem(
            name, "", f"its config must be an object of field values, got {type(config).__name__}."
        )
    if problem is not None:
        raise ConfigArgError(problem)
    model = models[name].model
    fields = fields_of(model)
    if set(config) == {"config"} and "config" not in fields and isinstance(config["config"], Mapping):
        config = config["config"]  # the run-config form {"config": {...}}
    return [(name, path, raw) for path, raw in config_entries(name, fields, config, model)]


# -- run config -------------------------------------------------------------------------------------
def asset_run_config(
    overrides: Mapping[str, Mapping[str, Any]],
    models: Mapping[str, AssetConfig],
    running: Sequence[str],
    command: str,
) -> dict[str, Any]:
    """Run config ``{"ops": {node: {"config": {...}}}}`` for the assets ``running``.

    Every running asset that takes config is checked: a required field nobody gave, config for an
    asset outside the run, or a value its model rejects raises :class:`AssetConfigError`, whose
    hint shows ``command`` (what the user ran, e.g. ``%materialize a``) with the flags to add.
    """
    problems = [_outside(name, running) for name in overrides if name not in running]
    ops: dict[str, Any] = {}
    missing: list[str] = []
    for node, names in _nodes(running, models).items():
        model = models[names[0]].model
        first = names[0]
        given = merge_configs(*({first: overrides.get(name, {})} for name in names)).get(first, {})
        values, found = check_config(first, model, given, complete=True, shared={})
        problems.extend(found)
        missing.extend(f"{first}.{path}" for path in _required_paths(fields_of(model), given))
        if values:
            ops[node] = {"config": values}
    if problems:
        raise AssetConfigError(problems, _hint(command, missing))
    return {"ops": ops} if ops else {}


def _outside(name: str, running: Sequence[str]) -> FieldProblem:
    return FieldProblem(
        name,
        "",
        f"config was given for it, but this run does not materialize it (running: {listing(running)}). "
        "Add it to the assets to materialize, or drop its config.",
    )


def _nodes(running: Sequence[str], models: Mapping[str, AssetConfig]) -> dict[str, list[str]]:
    """Node -> the running asset names it computes, for the assets that take config."""
    nodes: dict[str, list[str]] = {}
    for name in running:
        info = models.get(name)
        if info is not None and info.model is not None:
            nodes.setdefault(info.node, []).append(name)
    return nodes


def _required_paths(fields: Mapping[str, ConfigField], given: Mapping[str, Any]) -> list[str]:
    """Dotted paths of the required fields ``given`` leaves unset (into nested configs too)."""
    paths: list[str] = []
    for name, spec in fields.items():
        if name in given and not isinstance(given[name], Mapping):
            continue
        if spec.kind == "config" and spec.fields:
            inner = _required_paths(spec.fields, given.get(name, {}))
            paths.extend(inner if spec.required else [])
        elif spec.required and name not in given:
            paths.append(spec.path)
    return paths


def _hint(command: str, missing: Sequence[str]) -> str:
    if not missing:
        return f"Asset config is given with: {command} --config ASSET.FIELD=VALUE (or --config-json JSON)."
    flags = " ".join(f"{path}=VALUE" for path in missing)
    example: dict[str, Any] = {}
    for path in missing:  # needs_cfg.inner.depth -> {"needs_cfg": {"inner": {"depth": VALUE}}}
        *parents, leaf = path.split(".")
        entry = example
        for part in parents:
            entry = entry.setdefault(part, {})
        entry[leaf] = "VALUE"
    shown = json.dumps(example).replace('"VALUE"', "VALUE")
    return f"Give it with: {command} --config {flags} (or --config-json '{shown}')."


def with_flag_hint(error: ConfigError, command: str) -> ConfigError:
    """``error`` (op config rejected as the run started) saying how ``command`` gives asset config.

    An error that says how to write ``run_config=`` in Python gets a new error (raise it ``from``
    the original) naming the flags instead; others are returned unchanged.
    """
    text, found, _ = str(error).partition(_PYTHON_HINT)
    if isinstance(error, ConfigArgError) or not found:
        return error
    return ConfigError(f"{text}\n{_hint(command, [])}")
