"""The resnb magics (``%load_ext resnb``). Their names and flags are the public contract.

Each magic parses its line strictly (``%name?`` shows the usage), turns bad input into a
``UsageError`` (with "did you mean"), returns a result object (so ``x = %magic ...`` and ``_``
work and a trailing ``;`` silences it), and delegates the work to a
:class:`~resnb.notebook.session.Session`.
"""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import (
    MAGIC_NO_VAR_EXPAND_ATTR,
    Magics,
    line_cell_magic,
    line_magic,
    magics_class,
    no_var_expand,
    output_can_be_silenced,
)
from IPython.core.magic_arguments import argument, parse_argstring
from traitlets import Instance
from traitlets.config import Configurable

from resnb.errors import did_you_mean
from resnb.notebook.magic_support import (
    LiveDisplay,
    MagicHelp,
    Resnb,
    check_variable_name,
    magic_args,
    names_after_config,
    usage_errors,
)
from resnb.notebook.session import Session

__all__ = ["MAGIC_NAMES", "SUBCOMMANDS", "ResnbMagics", "subcommand_magic"]

#: The magics the extension registers (all line magics; build_resources is a cell magic too).
MAGIC_NAMES = (
    "load_defs",
    "reload_defs",
    "resources",
    "resource_graph",
    "build_resources",
    "teardown_resources",
    "materialize",
    "asset_value",
    "resnb_status",
    "resnb",
)

#: ``%resnb SUBCOMMAND ...`` -> the magic it runs (the magics' own names work too)
SUBCOMMANDS = {
    "load": "load_defs",
    "reload": "reload_defs",
    "resources": "resources",
    "graph": "resource_graph",
    "build": "build_resources",
    "teardown": "teardown_resources",
    "materialize": "materialize",
    "value": "asset_value",
    "status": "resnb_status",
}


def subcommand_magic(word: str) -> str | None:
    """The magic a ``%resnb`` subcommand runs: ``graph`` or ``resource_graph`` -> ``resource_graph``."""
    if word in SUBCOMMANDS:
        return SUBCOMMANDS[word]
    return word if word in SUBCOMMANDS.values() else None


@magics_class
class ResnbMagics(Magics, Configurable):
    """The magics, holding one :class:`Session` per shell and the :class:`Resnb` settings."""

    settings = Instance(Resnb)

    def __init__(self, shell: Any, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self.settings = Resnb(parent=shell)
        self.session = Session(namespace=shell.user_ns)

    def _loaded_session(self) -> Session:
        if self.session.loaded is None:
            raise UsageError(
                "No Definitions are loaded: run %load_defs first (%load_defs module:attr, "
                "%load_defs path/to/file.py, or %load_defs alone for the notebook's own)."
            )
        return self.session

    def _bind(self, name: str | None, value: Any) -> None:
        if name is not None:
            self.shell.user_ns[name] = value

    # -- definitions ----------------------------------------------------------------------------------
    @magic_args
    @argument("target", nargs="?", help="module:attr, module, file.py[:attr], or a notebook variable.")
    @output_can_be_silenced
    @line_magic
    @usage_errors
    def load_defs(self, line: str) -> Any:
        """Load Definitions and show a summary (assets, resources, jobs, problems).

        Without TARGET: the notebook's `defs`, its only Definitions, or its loose @asset
        functions and resources (loose assets that `defs` leaves out are named in the summary).
        """
        args = parse_argstring(self.load_defs, line)
        return self.session.load(args.target)

    @magic_args
    @output_can_be_silenced
    @line_magic
    @usage_errors
    def reload_defs(self, line: str) -> Any:
        """Re-import the loaded Definitions' code and report what changed.

        Open resources whose declaration did not change stay open; the others are torn down.
        """
        parse_argstring(self.reload_defs, line)
        return self._loaded_session().reload()

    @magic_args
    @output_can_be_silenced
    @line_magic
    @usage_errors
    def resources(self, line: str) -> Any:
        """A table of the resources: key, type, config (secrets masked), env vars, links, state."""
        parse_argstring(self.resources, line)
        return self._loaded_session().resources_table()

    @magic_args
    @argument("-s", "--select", help="Selection such as '+name', 'name+', '*name' (default: everything).")
    @argument(
        "-f",
        "--format",
        choices=("svg", "dot", "png"),
        help="Output format (default: %%config Resnb.graph_format).",
    )
    @argument("-O", "--output", metavar="FILE", help="Also save the graph to FILE (.svg, .png, .dot).")
    @argument("--no-resources", action="store_true", help="Leave resources out of the graph.")
    @output_can_be_silenced
    @line_magic
    @usage_errors
    def resource_graph(self, line: str) -> Any:
        """The graph of resources, assets and ops, with their state (built, materialized, failed, stale)."""
        args = parse_argstring(self.resource_graph, line)
        from resnb.notebook.graph_magic import draw_graph

        session = self._loaded_session()
        include = not args.no_resources
        return draw_graph(session, args.select, args.format, args.output, include, self.settings.graph_format)

    # -- resources -----------------------------------------------------------------------------------
    @magic_args
    @argument("keys", nargs="*", metavar="KEY", help="Resource keys to build (default: all).")
    @argument(
        "-c",
        "--config",
        nargs="+",
        action="extend",
        metavar="KEY.FIELD=VALUE",
        help="Config values, typed by the resource's model.",
    )
    @argument("-j", "--config-json", metavar="JSON", help='Config as JSON: {"KEY": {"FIELD": VALUE}}.')
    @argument(
        "-v",
        "--config-var",
        metavar="NAME",
        help="Config from a notebook variable holding a dict like the JSON form.",
    )
    @argument("-F", "--form", action="store_true", help="Show a form to fill in and build instead.")
    @argument("-o", "--out", metavar="NAME", help="Also bind the result to the variable NAME.")
    @no_var_expand
    @output_can_be_silenced
    @line_cell_magic
    @usage_errors
    def build_resources(self, line: str, cell: str | None = None) -> Any:
        """Build resources and keep them open across cells; returns the open resources.

        Building a key again tears its previous build down first. %teardown_resources closes them.
        As a cell magic (%%build_resources), the cell holds the config as TOML ([KEY] tables of
        FIELD = VALUE) or JSON; --config, then --config-json, win over it, and it over --config-var.
        """
        args = parse_argstring(self.build_resources, line)
        args.config, args.keys = names_after_config(args.config, args.keys)
        check_variable_name(args.out)
        from resnb.notebook.build_magic import build

        session = self._loaded_session()
        variable = self._config_variable(args.config_var)
        body = None
        if cell is not None:
            from resnb.notebook.config_body import parse_config_body

            body = parse_config_body(cell)
        result = build(session, args.keys, args.config or [], args.config_json, args.form, variable, body)
        self._bind(args.out, result)
        return result

    def _config_variable(self, name: str | None) -> Any:
        """The value of the notebook variable ``name`` (``--config-var``), or None."""
        if name is None:
            return None
        namespace = self.shell.user_ns
        if name not in namespace:
            variables = [v for v in namespace if not v.startswith("_") and isinstance(namespace[v], dict)]
            raise UsageError(
                f"--config-var: no notebook variable named '{name}'.{did_you_mean(name, variables)} "
                'Define it first, e.g. cfg = {"warehouse": {"user": "analyst"}}.'
            )
        return namespace[name]

    @magic_args
    @argument("keys", nargs="*", metavar="KEY", help="Resource keys to tear down (default: all open).")
    @output_can_be_silenced
    @line_magic
    @usage_errors
    def teardown_resources(self, line: str) -> Any:
        """Tear down open resources (and those that depend on them), exactly once."""
        args = parse_argstring(self.teardown_resources, line)
        return self.session.teardown(args.keys or None)

    # -- assets --------------------------------------------------------------------------------------
    @magic_args
    @argument("assets", nargs="*", metavar="ASSET", help="Assets to materialize.")
    @argument("-u", "--upstream", action="store_true", help="Recompute everything upstream too.")
    @argument("-s", "--select", help="Selection such as '+name' or 'name*', added to ASSET.")
    @argument(
        "-c",
        "--config",
        nargs="+",
        action="extend",
        metavar="ASSET.FIELD=VALUE",
        help="Asset config, typed by the asset's Config model.",
    )
    @argument(
        "-j", "--config-json", metavar="JSON", help='Asset config as JSON: {"ASSET": {"FIELD": VALUE}}.'
    )
    @argument("-o", "--out", metavar="NAME", help="Also bind the result to the variable NAME.")
    @no_var_expand
    @output_can_be_silenced
    @line_magic
    @usage_errors
    def materialize(self, line: str) -> Any:
        """Materialize assets with the session's resources; returns the value (one ASSET) or a result.

        Upstream values materialized earlier in this kernel are reused (unless --upstream, and
        with a warning when they are stale); upstream never materialized is added to the run.
        Assets taking a Config get it from --config/--config-json (the flag wins per field).
        Progress shows while it runs and is removed when it ends, except when a step failed:
        the failure raises, naming the asset, and the table shows what failed and was skipped.
        """
        args = parse_argstring(self.materialize, line)
        args.config, args.assets = names_after_config(args.config, args.assets)
        check_variable_name(args.out)
        if not args.assets and not args.select:
            raise UsageError("%materialize: name at least one asset (or give --select '*' for all).")
        session = self._loaded_session()
        config = None
        if args.config or args.config_json:
            from resnb.notebook.asset_config import parse_asset_config

            only = args.assets[0] if len(args.assets) == 1 and not args.select else None
            config = parse_asset_config(args.config or [], args.config_json, session.asset_configs, only)
        live = None
        if self.settings.show_progress and LiveDisplay.supported(self.shell):
            live = LiveDisplay(self.shell, self.settings.progress_interval)
        try:
            result = session.materialize(
                args.assets,
                upstream=args.upstream,
                select=args.select,
                on_progress=None if live is None else lambda r: live.update(r, final=r.finished),
                config=config,
            )
        except BaseException as exc:
            if live is not None:
                live.end_failed(getattr(exc, "result", None))
            raise
        if live is not None:  # the result (or nothing, after ';') is the cell's one output
            live.clear()
        single = args.assets[0] if len(args.assets) == 1 and not args.select else None
        value = result.value(single) if single is not None and result.has_value(single) else result
        self._bind(args.out, value)
        return value

    @magic_args
    @argument("asset", metavar="ASSET", help="The asset whose value to return.")
    @output_can_be_silenced
    @line_magic
    @usage_errors
    def asset_value(self, line: str) -> Any:
        """The value ASSET got in this kernel, or else what its IO manager loads."""
        args = parse_argstring(self.asset_value, line)
        return self._loaded_session().asset_value(args.asset)

    @magic_args
    @output_can_be_silenced
    @line_magic
    @usage_errors
    def resnb_status(self, line: str) -> Any:
        """What is loaded, which resources are open, what is materialized and what is stale (and why)."""
        parse_argstring(self.resnb_status, line)
        return self.session.status()

    # -- the umbrella ------------------------------------------------------------------------------
    @no_var_expand
    @output_can_be_silenced
    @line_magic
    def resnb(self, line: str) -> Any:
        """%resnb SUBCOMMAND [ARGS]: every resnb magic under one name (%resnb help lists them).

        ``%resnb graph --select 'raw+'`` is ``%resource_graph --select 'raw+'``.
        """
        line = line.strip()
        if line.endswith(";"):  # silences the output (@output_can_be_silenced), not part of the arguments
            line = line[:-1].rstrip()
        word, rest = (line.split(None, 1) + ["", ""])[:2]
        word = word.strip("'\"")
        if word in ("", "help", "-h", "--help"):
            return MagicHelp(_umbrella_help())
        name = subcommand_magic(word)
        if name is None:
            words = [*SUBCOMMANDS, "help"]
            raise UsageError(
                f"%resnb has no subcommand '{word}'.{did_you_mean(word, words)} Subcommands: "
                f"{', '.join(words)}."
            )
        magic = getattr(self, name)
        if rest and not getattr(magic, MAGIC_NO_VAR_EXPAND_ATTR, False):
            rest = self.shell.var_expand(rest, depth=2)  # as IPython does for that magic: the cell's names
        return magic(rest)


def _umbrella_help() -> str:
    width = max(map(len, SUBCOMMANDS))
    rows = [f"  {word.ljust(width)}  %{name}" for word, name in SUBCOMMANDS.items()]
    return (
        "usage: %resnb SUBCOMMAND [ARGS]\n\nRuns a resnb magic; ARGS are that magic's "
        "(%resnb SUBCOMMAND -h shows them).\n\nsubcommands:\n" + "\n".join(rows)
    )
