"""``Session``: the state of one kernel: loaded Definitions, open resources, materialised values.

No IPython here: the magics drive a session, and so can the command line or a test.

- ``load``/``reload`` install Definitions and report a diff; open resources whose declaration did
  not change stay open, the others are torn down.
- ``build`` opens resources (with their dependencies) and keeps them open across calls; building
  a key again tears its previous build down first. ``teardown`` closes them, each exactly once.
- ``materialize`` runs assets with the open resources (reused as they are, never re-initialised
  or torn down by the run), other resources being built for the run only. Values stay in a
  session-wide in-memory IO manager (when the Definitions define no ``io_manager``), so later runs
  reuse upstream values instead of recomputing them.
- ``status`` says what is open, materialised, failed, and stale and why.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from resnb._stack import user_stacklevel
from resnb.build.scope import PreBuilt, ResourceScope
from resnb.core.definitions import Definitions
from resnb.errors import (
    ConfigError,
    InvalidSubsetError,
    IOManagerError,
    ResnbError,
    UnknownResourceError,
    did_you_mean,
    exception_summary,
    listing,
)
from resnb.execution.materialize import bind_asset_resources
from resnb.execution.selection import asset_graph
from resnb.notebook import runs
from resnb.notebook.asset_config import AssetConfig, asset_run_config, config_models, with_flag_hint
from resnb.notebook.config_args import to_resource_config
from resnb.notebook.describe import asset_name, find_problems, type_text
from resnb.notebook.display import (
    BuiltResources,
    DefsSummary,
    MaterializeResult,
    ReloadReport,
    ResourceTable,
    StatusReport,
    TeardownReport,
)
from resnb.notebook.fingerprint import asset_fingerprint, resource_fingerprint
from resnb.notebook.loading import LoadedDefs, load_target, reload_target
from resnb.notebook.session_resources import OpenResources
from resnb.notebook.session_state import (
    AssetRecords,
    Installed,
    SessionMemoryIOManager,
    StaleUpstreamWarning,
    load_through_io_manager,
    reload_diff,
    stale_reasons,
    user_frames,
    uses_default_io_manager,
)
from resnb.notebook.suggest import suggestion

__all__ = ["NotLoadedError", "Session"]

DEFAULT_IO_MANAGER = "io_manager"
_SESSION_MEMORY_PRINT = "session in-memory IO manager"


class NotLoadedError(ResnbError, ValueError):
    """The session has no Definitions yet."""


class Session:
    """The state of one notebook kernel (see the module docstring).

    ``namespace`` is where targets without a module are looked up (the notebook's variables).
    """

    def __init__(self, namespace: Mapping[str, Any] | None = None) -> None:
        self.namespace = namespace
        self._installed: Installed | None = None
        self._open = OpenResources()
        self._assets = AssetRecords()
        self._memory = SessionMemoryIOManager(
            lambda name: self._installed is not None and name in self._installed.graph
        )

    # -- what is loaded ------------------------------------------------------------------------------
    @property
    def loaded(self) -> LoadedDefs | None:
        """The loaded target, or None."""
        return self._installed.loaded if self._installed else None

    def _require(self) -> Installed:
        if self._installed is None:
            raise NotLoadedError(
                "No Definitions are loaded. Load them first: %load_defs [TARGET] in a notebook "
                "(TARGET such as 'my_package.definitions:defs'; none: the notebook's own)."
            )
        return self._installed

    @property
    def defs(self) -> Definitions:
        """The loaded Definitions."""
        return self._require().loaded.defs

    @property
    def resource_definitions(self) -> dict[str, Any]:
        """Resource key -> declaration (the Definitions' resources and those bound to assets)."""
        return dict(self._require().resources)

    @property
    def asset_names(self) -> list[str]:
        """The asset keys, as ``a`` or ``prefix/a``, in topological order."""
        return self._require().graph.toposort() if self._installed else []

    @property
    def resource_keys(self) -> list[str]:
        """The resource keys, sorted."""
        return sorted(self._installed.resources) if self._installed else []

    # -- load / reload --------------------------------------------------------------------------------
    def load(self, target: str | None = None) -> DefsSummary:
        """Load the Definitions ``target`` names (see :func:`load_target`) and summarise them."""
        report = self._install(load_target(target, self.namespace))
        summary = self.summary()
        if report.torn_down:  # resources open from the previous target whose definition differs
            note = f"tore down the open resources {', '.join(report.torn_down)}: they differ in what was loaded now."
            summary = dataclasses.replace(summary, notes=[*summary.notes, note])
        return summary

    def reload(self) -> ReloadReport:
        """Re-import the loaded target's code and report what changed."""
        installed = self._require()
        return self._install(reload_target(installed.loaded, self.namespace))

    def summary(self) -> DefsSummary:
        """Assets, resources, jobs and problems of the loaded Definitions."""
        installed = self._require()
        defs = installed.loaded.defs
        return DefsSummary(
            installed.loaded.describe(),
            {asset_name(d): d.group_name for d in defs.assets},
            {key: type_text(value) for key, value in sorted(installed.resources.items())},
            [job.name for job in defs.jobs],
            find_problems(defs, installed.resources),
            installed.loaded.notes,
        )

    def _install(self, loaded: LoadedDefs) -> ReloadReport:
        defs = loaded.defs
        resources = bind_asset_resources(defs.assets, defs.resources)
        new = Installed(
            loaded,
            resources,
            {key.to_user_string(): asset_fingerprint(d) for d in defs.assets for key in d.keys},
            {key: resource_fingerprint(value) for key, value in resources.items()},
            asset_graph(defs.assets),
        )
        old, self._installed = self._installed, new
        report = reload_diff(loaded.describe(), old, new)
        report.torn_down = self._open.refresh(resources, new.resource_prints)
        report.kept_open = list(self._open)
        self._assets.forget_except(new.asset_prints)
        return report

    # -- resources ----------------------------------------------------------------------------------
    def build(
        self, keys: Iterable[str] | None = None, config: Mapping[str, Mapping[str, Any]] | None = None
    ) -> BuiltResources:
        """Open ``keys`` (default: every resource) and their dependencies; keep them open.

        ``config`` maps key -> {field: value} (as
        :func:`~resnb.notebook.config_args.parse_config_args` returns it), typed and merged over
        the declared values. A key already open is torn down first (the open resources that
        depend on it are rebuilt with it, with their previous config). If one fails, the
        resources this call opened are torn down again.
        """
        installed = self._require()
        wanted = list(installed.resources) if keys is None else list(dict.fromkeys(keys))
        config = dict(config or {})
        self._check_build_request(wanted, config)
        complete = to_resource_config(installed.resources, config) if config else {}
        configs = {key: entry["config"] for key, entry in complete.items()}
        replaced = self._open.build(installed.resources, installed.resource_prints, wanted, configs)
        return self._open.built(replaced)

    def _check_build_request(self, wanted: list[str], config: Mapping[str, Any]) -> None:
        for key in [*wanted, *config]:
            self.check_resource_key(key)
        for key in config:
            if key not in wanted:
                raise ConfigError(
                    f"Config was given for resource '{key}', which is not being built (building: "
                    f"{listing(wanted)}). Add '{key}' to the keys to build, or drop its config."
                )

    def check_resource_key(self, key: str) -> None:
        """Raise :class:`~resnb.errors.UnknownResourceError` (did you mean) unless ``key`` is a resource."""
        resources = self._require().resources
        if key not in resources:
            raise UnknownResourceError(
                f"No resource with key '{key}'. Resource keys: {listing(resources)}."
                f"{did_you_mean(key, resources)}"
            )

    def teardown(self, keys: Iterable[str] | None = None) -> TeardownReport:
        """Tear down ``keys`` (default: everything open) and what depends on them, exactly once."""
        wanted = list(self._open) if keys is None else list(dict.fromkeys(keys))
        if keys is not None:
            for key in wanted:
                if key not in self._open:
                    self.check_resource_key(key)
        problems = self._open.teardown_problems
        first = len(problems)
        torn_down = self._open.close(wanted)
        failed = {p.key: exception_summary(p.error) for p in problems[first:]}
        return TeardownReport(torn_down, [k for k in wanted if k not in torn_down], failed)

    def close(self) -> None:
        """Tear down everything still open (safe to call more than once)."""
        self._open.close(list(self._open))

    def built(self) -> BuiltResources:
        """The open resources, as a ``Resources`` object."""
        return self._open.built()

    def resources_table(self) -> ResourceTable:
        """Every resource of the loaded Definitions, described safely."""
        installed = self._require()
        return ResourceTable.from_definitions(
            installed.loaded.defs, installed.resources, self._open.since(), self._open.built_from()
        )

    # -- runs -----------------------------------------------------------------------------------------
    def _run_resources(self) -> dict[str, Any]:
        resources = self._open.for_run(self._require().resources)
        resources.setdefault(DEFAULT_IO_MANAGER, PreBuilt(self._memory))
        return resources

    def _current_print(self, key: str) -> str:
        if key in self._open:
            return self._open[key].effective_print
        prints = self._require().resource_prints
        if key == DEFAULT_IO_MANAGER and key not in prints:
            return _SESSION_MEMORY_PRINT
        return prints.get(key, "missing")

    def materialize(
        self,
        names: Iterable[str] = (),
        *,
        upstream: bool = False,
        select: str | None = None,
        on_progress: runs.Progress | None = None,
        config: Mapping[str, Mapping[str, Any]] | None = None,
        command: str | None = None,
    ) -> MaterializeResult:
        """Materialise ``names`` (and ``select``); nothing named: every asset.

        Upstream assets not materialised in this session are added; ``upstream=True``
        recomputes everything upstream. ``config`` is asset config ``{asset: {field: value}}`` (as
        :func:`~resnb.notebook.asset_config.parse_asset_config` returns it); every asset of the
        run that takes config is checked before anything runs, and a problem raises
        :class:`~resnb.notebook.asset_config.AssetConfigError` whose hint shows ``command``
        (default ``%materialize NAMES``) with the flags to add. A failure raises
        :class:`~resnb.errors.StepExecutionError` naming the asset, chained to the user's
        exception (the result is on its ``.result``).
        """
        installed = self._require()
        names = list(names)
        command = command or " ".join(["%materialize", *names, *([f"--select '{select}'"] if select else [])])
        if not names and not select:
            names = installed.graph.toposort()
        wanted = runs.selection(installed.graph, names, select, upstream=upstream, available=self._reusable)
        run_config = asset_run_config(config or {}, self.asset_configs, wanted, command)
        self._warn_stale_upstream(installed, wanted)
        resources = self._run_resources()
        plan = runs.plan_run(installed.loaded.defs.assets, wanted, resources)
        used = self._resource_prints_by_step(plan, resources)
        try:
            live, result = runs.run_plan(plan, on_progress, run_config)
        except ConfigError as exc:
            hinted = with_flag_hint(exc, command)
            if hinted is exc:
                raise
            raise hinted from exc
        self._assets.record(live.rows, live, installed.asset_prints, used)
        error = runs.failure_error(live, result, used)
        if error is not None:
            raise user_frames(error) from error.__cause__
        return live

    def _reusable(self, name: str) -> bool:
        """True when a run may load ``name``'s value from this session instead of recomputing it.

        Its last run succeeded, and the IO manager that stored the value is the one a run would
        use now: a replaced IO manager (reloaded, rebuilt with other config) may not have it.
        """
        if not self._assets.available(name):
            return False
        key = self._require().io_manager_key(name)
        stored_with = self._assets.materialized[name].resource_prints.get(key) if key else None
        return stored_with is None or stored_with == self._current_print(key)

    @property
    def asset_configs(self) -> dict[str, AssetConfig]:
        """Asset name -> the config it takes (see :func:`~resnb.notebook.asset_config.config_models`)."""
        return config_models(self._require().loaded.defs.assets)

    def _warn_stale_upstream(self, installed: Installed, wanted: list[str]) -> None:
        """Warn for each stale upstream value that this run reuses instead of recomputing it."""
        running = set(wanted)
        stale = self.stale()
        downstream_of_run = installed.graph.descendants(running) if len(running) > 1 else set()
        for name in wanted:
            for parent in installed.graph.upstream_of(name):
                if parent in running:
                    continue
                reasons = list(stale.get(parent, ()))
                if (
                    parent in downstream_of_run
                ):  # stale by the time it is used: the run recomputes its upstream
                    recomputed = sorted(a for a in installed.graph.ancestors([parent]) if a in running)
                    reasons.append(f"this run recomputes its upstream {listing(recomputed)}")
                if not reasons:
                    continue
                warnings.warn(
                    StaleUpstreamWarning(
                        f"Asset '{name}' reuses the value of upstream asset '{parent}' materialized "
                        f"earlier in this kernel, which is stale ({'; '.join(reasons)}). Run "
                        f"%materialize {name} --upstream to recompute it, or %materialize {parent} first."
                    ),
                    stacklevel=user_stacklevel(),
                )

    def _resource_prints_by_step(self, plan: Any, resources: Mapping[str, Any]) -> dict[str, dict[str, str]]:
        scope = ResourceScope(resources)
        used = {}
        for step in plan.steps:
            keys = scope.init_order(step.required_keys & resources.keys())
            used[step.name] = {key: self._current_print(key) for key in keys}
        return used

    def asset_value(self, name: str) -> Any:
        """The value ``name`` got in this session, else what its IO manager loads."""
        installed = self._require()
        if name not in installed.graph:
            raise InvalidSubsetError(
                f"No asset named '{name}'. Assets: {listing(installed.graph)}.{suggestion(name, installed.graph)}"
            )
        if name in self._assets.values:
            return self._assets.values[name]
        resources = self._run_resources()
        if DEFAULT_IO_MANAGER not in installed.resources and uses_default_io_manager(
            installed.loaded.defs, name
        ):
            raise IOManagerError(
                f"Asset '{name}' has not been materialized in this kernel, and its values are kept "
                f"in memory (the Definitions define no '{DEFAULT_IO_MANAGER}'). Run %materialize {name} first."
            )
        return load_through_io_manager(installed.loaded.defs, name, resources)

    # -- status ---------------------------------------------------------------------------------------
    def stale(self) -> dict[str, list[str]]:
        """Materialised asset -> why its value may be out of date (nothing when it is current)."""
        installed = self._require()
        records = self._assets.materialized
        return stale_reasons(installed.graph, records, installed.asset_prints, self._current_print)

    def _outcomes(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        """(asset -> error of the failures still current, asset -> why it is stale).

        A failed asset whose code changed since it failed is stale, not failed: the fix has
        not run yet. Its last error stays in the reasons.
        """
        if self._installed is None:
            return dict(self._assets.failed), {}
        fixed = self._assets.fixed_since_failing(self._installed.asset_prints)
        failed = {name: error for name, error in self._assets.failed.items() if name not in fixed}
        stale = self.stale()
        for name, error in fixed.items():
            stale[name] = ["code changed since it failed", f"last error: {error}"]
        return failed, stale

    def status(self) -> StatusReport:
        """What is loaded, open, materialised, failed, skipped and stale (and why)."""
        installed = self._installed
        info = {key: self._open.describe(key) for key in self._open}
        materialized = {name: (m.at, m.duration) for name, m in self._assets.materialized.items()}
        failed, stale = self._outcomes()
        return StatusReport(
            installed.loaded.describe() if installed else None,
            installed.at if installed else None,
            info,
            materialized,
            failed,
            stale,
            sorted(self._assets.skipped),
        )

    def graph_states(self) -> dict[str, str]:
        """Graph node name -> state (built, materialized, failed, stale, skipped) for rendering."""
        states = {f"resource:{key}": "built" for key in self._open}
        failed, stale = self._outcomes()
        for name in self._assets.materialized:
            states[name] = "stale" if name in stale else "materialized"
        for name in self._assets.skipped:
            states[name] = "skipped"
        for name in stale:
            states[name] = "stale"
        for name in failed:
            states[name] = "failed"
        return states
