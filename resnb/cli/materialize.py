"""``resnb materialize TARGET ASSET ... [--upstream] [--config ...]``: run assets, one line per asset."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from resnb.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    UsageProblem,
    add_command,
    bound_resources,
    command_line_text,
    count,
    load_defs,
    user_traceback,
)

if TYPE_CHECKING:
    from resnb.cli.common import Commands

__all__ = ["add_materialize", "materialize"]


def add_materialize(commands: Commands) -> None:
    """Add the ``materialize`` command to ``commands``."""
    parser = add_command(
        commands,
        "materialize",
        materialize,
        summary="materialize assets",
        description="Materialize the named assets with the target's resources and print one status "
        "line per asset. Upstream values are loaded through their IO managers (a FilesystemIOManager, "
        "say); an upstream asset whose IO manager keeps values in memory (the default) is "
        "materialized too, and a line says so.",
    )
    assets = parser.add_argument("assets", nargs="+", metavar="ASSET", default=[])
    assets.required = False  # ASSET words may also come after --config (see _ConfigItems)
    parser.add_argument(
        "-u",
        "--upstream",
        action="store_true",
        help="recompute every upstream asset instead of loading stored values",
    )
    parser.add_argument(
        "-c",
        "--config",
        nargs="+",
        action=_ConfigItems,
        default=[],
        metavar="ASSET.FIELD=VALUE",
        help="config of an asset that takes a Config, typed by its model (e.g. -c my_asset.limit=10); "
        "words after it without '=' are assets",
    )
    parser.add_argument(
        "-j",
        "--config-json",
        metavar="JSON",
        help='asset config as JSON: \'{"ASSET": {"FIELD": VALUE}}\' (--config wins per field)',
    )
    parser.set_defaults(config_assets=[])


class _ConfigItems(argparse.Action):
    """``--config``: keeps the ``ASSET.FIELD=VALUE`` items and hands other words back as assets.

    The option takes several values, so ``-c a.n=1 b`` would swallow the asset ``b``: a word
    without ``=`` (and without ``.``, which a mistyped item keeps, to be reported as config) is
    an asset name, collected in ``config_assets``.
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        from resnb.notebook.config_args import split_config_words

        items, assets = split_config_words(values)
        setattr(namespace, self.dest, [*getattr(namespace, self.dest), *items])
        namespace.config_assets = [*namespace.config_assets, *assets]


def _asset_names(args: argparse.Namespace) -> list[str]:
    """The assets to materialize: the ASSET words, also those given after ``--config``."""
    names = [*args.assets, *args.config_assets]
    if not names:
        raise UsageProblem(
            "name the assets to materialize: resnb materialize TARGET ASSET [ASSET ...] (after "
            "--config ITEM ..., a word without '=' is an asset)"
        )
    return names


def materialize(args: argparse.Namespace) -> int:
    """Materialize the named assets of ``args.target``; 1 if the Definitions or an asset failed.

    Bad asset config (unknown asset or field, a value of the wrong type, a required field not
    given) is a usage problem whose message says which flag gives it.
    """
    from resnb.errors import ConfigError, InvalidSubsetError, ResnbError
    from resnb.notebook import runs
    from resnb.notebook.asset_config import AssetConfigError, with_flag_hint

    names = _asset_names(args)
    defs = _load_or_report(args.target)
    if defs is None:
        return EXIT_FAILURE
    command = " ".join(["resnb materialize", args.target, *names, *(["--upstream"] if args.upstream else [])])
    try:
        plan, note = _materialize_plan(defs, names, args.upstream)
        run_config = _run_config(defs, args, plan, command)
        _check_resources(plan)
        needs = _resource_keys_by_step(plan)
        if note:  # only once the run can start: no note before an error about config or resources
            print(note, flush=True)
        live, result = runs.run_plan(plan, _StepLines().update, run_config)
    except (InvalidSubsetError, AssetConfigError) as exc:
        raise UsageProblem(str(exc)) from None
    except ConfigError as exc:
        hinted = with_flag_hint(exc, command)
        if hinted is not exc:  # op config the flags can give
            raise UsageProblem(str(hinted)) from None
        return _report(exc)
    except ResnbError as exc:
        return _report(exc)
    error = runs.failure_error(live, result, needs)
    if error is not None:
        return _report(error, "" if args.upstream else _load_hint(error, plan))
    print(f"materialized {count(len(live.asset_names), 'asset')} of {args.target}")
    return EXIT_OK


def _run_config(defs: Any, args: argparse.Namespace, plan: Any, command: str) -> dict[str, Any]:
    """The run config the ``--config``/``--config-json`` flags give the assets of ``plan``, checked."""
    from resnb.notebook.asset_config import asset_run_config, config_models, parse_asset_config

    models = config_models(defs.assets)
    overrides = (
        parse_asset_config(args.config, args.config_json, models) if args.config or args.config_json else {}
    )
    running = [key.to_user_string() for step in plan.steps for key in step.asset_keys]
    return asset_run_config(overrides, models, running, command)


def _check_resources(plan: Any) -> None:
    """Raise what starting ``plan`` would for its resources, initialising none.

    A key no resource is given for, a dependency that is missing, an unset env var or invalid
    config: the same errors the run raises before its first step.
    """
    from resnb.build.scope import ResourceScope

    plan.check_resources()
    ResourceScope(plan.resources).check(plan.required_resource_keys)


def _load_or_report(target: str) -> Any:
    """The Definitions ``target`` names, or None after printing the error raised building them."""
    from resnb.errors import ResnbError

    try:
        return load_defs(target)
    except ResnbError as exc:
        print(
            f"resnb: cannot build the Definitions of '{target}': {command_line_text(str(exc))}",
            file=sys.stderr,
        )
        return None


def _materialize_plan(defs: Any, names: list[str], upstream: bool) -> tuple[Any, str]:
    """The plan running ``names``, and a line saying which upstream assets were added and why.

    Without ``upstream``, an upstream asset is loaded through its IO manager when that manager
    keeps values beyond this process (not the in-memory one); otherwise it runs too.
    """
    from resnb.execution.selection import asset_graph
    from resnb.notebook import runs

    resources = bound_resources(defs)
    graph = asset_graph(defs.assets)
    loadable = _loadable(defs, resources)
    wanted = runs.selection(graph, names, None, upstream=upstream, available=loadable)
    added = [name for name in wanted if name not in names]
    note = ""
    if added and not upstream:
        note = (
            f"also materializing upstream {_names(added)}: {'its' if len(added) == 1 else 'their'} "
            "IO manager keeps values in memory only, so no earlier run's value can be loaded"
        )
    return runs.plan_run(defs.assets, wanted, resources), note


def _loadable(defs: Any, resources: dict[str, Any]) -> Callable[[str], bool]:
    """Whether asset ``name``'s stored value can be loaded: its IO manager is not an in-memory one."""
    from resnb.core.keys import AssetKey
    from resnb.execution.io_managers import InMemoryIOManager

    def loadable(name: str) -> bool:
        key = AssetKey.from_user_string(name)
        outputs = defs.resolve_assets_def(key).outputs.values()
        manager_key = next(spec.io_manager_key for spec in outputs if spec.asset_key == key)
        manager = resources.get(manager_key)
        return manager is not None and not isinstance(manager, InMemoryIOManager)

    return loadable


def _load_hint(error: BaseException, plan: Any) -> str:
    """A hint when an IO manager failed in a run that loads upstream values instead of computing them."""
    from resnb.errors import IOManagerError

    loads = any(source.step is None for step in plan.steps for source in step.inputs.values())
    if not loads or not isinstance(error.__cause__, IOManagerError):
        return ""
    return " To compute the upstream values in this run instead of loading them, add --upstream."


def _resource_keys_by_step(plan: Any) -> dict[str, list[str]]:
    """Step -> the resource keys it needs, dependencies included (to name them when one fails)."""
    from resnb.build.scope import ResourceScope

    scope = ResourceScope(plan.resources)
    return {step.name: scope.init_order(step.required_keys & plan.resources.keys()) for step in plan.steps}


def _names(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


class _StepLines:
    """Prints one line per step of a run as soon as it ends: status, asset(s), duration, error."""

    def __init__(self) -> None:
        self.printed: set[str] = set()

    def update(self, result: Any) -> None:
        for row in getattr(result, "rows", []):
            if row.step not in self.printed and row.status not in ("pending", "running"):
                self.printed.add(row.step)
                duration = f"{row.duration * 1000:9.2f} ms" if row.duration is not None else " " * 12
                print(f"{row.status:<10} {row.label:<24} {duration}  {row.error}".rstrip(), flush=True)


def _report(error: BaseException, hint: str = "") -> int:
    """Print ``error`` worded for the terminal, then ``hint`` and the user's traceback; return 1."""
    traceback = _user_traceback(error)
    print(f"resnb materialize: {command_line_text(str(error), traceback)}{hint}{traceback}", file=sys.stderr)
    return EXIT_FAILURE


def _user_traceback(error: BaseException) -> str:
    """The traceback of the user's exception behind ``error``, without resnb's own frames."""
    cause = error.__cause__
    return "" if cause is None else user_traceback(cause)
