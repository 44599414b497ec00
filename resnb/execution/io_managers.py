"""Built-in IO managers and the contexts IO managers receive."""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from typing import Any

from resnb.core.io_manager import ConfigurableIOManager, IOManager
from resnb.core.keys import AssetKey
from resnb.errors import IOManagerError, exception_summary

__all__ = [
    "FilesystemIOManager",
    "InMemoryIOManager",
    "InputContext",
    "OutputContext",
    "build_input_context",
    "build_output_context",
]


def _step_logger(step_key: str) -> logging.Logger:
    """The logger of a step (``resnb.step.<step>``), as ``context.log`` of the asset or op."""
    return logging.getLogger(f"resnb.step.{step_key or 'direct'}")


class OutputContext:
    """What ``handle_output`` knows about the output: step, output name, asset key, run."""

    __slots__ = ("step_key", "name", "asset_key", "run_id", "metadata", "resources")

    def __init__(
        self,
        step_key: str,
        name: str,
        asset_key: AssetKey | None,
        run_id: str | None,
        metadata: Any = None,
        resources: Any = None,
    ) -> None:
        self.step_key = step_key
        self.name = name
        self.asset_key = asset_key
        self.run_id = run_id
        self.metadata = metadata or {}
        self.resources = resources

    @property
    def has_asset_key(self) -> bool:
        """Whether the output is an asset."""
        return self.asset_key is not None

    @property
    def log(self) -> logging.Logger:
        """The logger of the step whose output this is."""
        return _step_logger(self.step_key)

    def describe(self) -> str:
        """``asset 'a/b'`` or ``output 'result' of op 'x'``, for messages."""
        if self.asset_key is not None:
            return f"asset '{self.asset_key.to_user_string()}'"
        return f"output '{self.name}' of op '{self.step_key}'"

    def get_identifier(self) -> list[str]:
        """A path identifying the stored value: the asset key, else run id, step and output."""
        if self.asset_key is not None:
            return list(self.asset_key.path)
        return [self.run_id or "run", self.step_key, self.name]


class InputContext:
    """What ``load_input`` knows: the input name, the asset key and the upstream output."""

    __slots__ = ("name", "step_key", "asset_key", "upstream_output", "resources")

    def __init__(
        self,
        name: str,
        step_key: str,
        asset_key: AssetKey | None,
        upstream_output: OutputContext,
        resources: Any = None,
    ) -> None:
        self.name = name
        self.step_key = step_key
        self.asset_key = asset_key
        self.upstream_output = upstream_output
        self.resources = resources

    @property
    def has_asset_key(self) -> bool:
        """Whether the input is an asset."""
        return self.asset_key is not None

    @property
    def log(self) -> logging.Logger:
        """The logger of the step loading this input."""
        return _step_logger(self.step_key)


class InMemoryIOManager(IOManager):
    """Keeps values in a dict in this process (the default of ``materialize``)."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, ...], Any] = {}

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Keep ``obj`` under the output's identifier."""
        self.values[tuple(context.get_identifier())] = obj

    def load_input(self, context: InputContext) -> Any:
        """The value kept for the upstream output."""
        upstream = context.upstream_output
        try:
            return self.values[tuple(upstream.get_identifier())]
        except KeyError:
            raise IOManagerError(
                f"No value stored for {upstream.describe()} (input '{context.name}' of "
                f"'{context.step_key}'): it was not materialised in this run and the in-memory "
                "IO manager keeps values only for the run. Include it in the selection, or use "
                "a persistent IO manager such as FilesystemIOManager."
            ) from None


class FilesystemIOManager(ConfigurableIOManager):
    """Pickles each value to ``base_dir/<asset key path>`` (op outputs: ``base_dir/<run>/<step>/<output>``).

    Writes are atomic (a temporary file renamed into place), so a failed write never leaves a
    half-written value behind.
    """

    base_dir: str | None = None

    def _root(self) -> str:
        return self.base_dir or os.path.join(tempfile.gettempdir(), "resnb_storage")

    def _path(self, context: OutputContext) -> str:
        return os.path.join(self._root(), *context.get_identifier())

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Pickle ``obj`` to its path atomically."""
        try:
            payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            raise IOManagerError(
                f"FilesystemIOManager cannot store the value of {context.describe()}: it cannot "
                f"be pickled ({exception_summary(exc)}). Return a picklable value, or give this "
                "output another IO manager (io_manager_key=...)."
            ) from exc
        path = self._path(context)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".resnb-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(payload)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def load_input(self, context: InputContext) -> Any:
        """Unpickle the upstream value."""
        path = self._path(context.upstream_output)
        try:
            with open(path, "rb") as file:
                return pickle.load(file)
        except FileNotFoundError:
            raise IOManagerError(
                f"No stored value for {context.upstream_output.describe()} at {path} (input "
                f"'{context.name}' of '{context.step_key}'). Materialise it first, or include it "
                "in the selection."
            ) from None


def build_output_context(
    step_key: str | None = None,
    name: str | None = None,
    definition_metadata: Any = None,
    run_id: str | None = None,
    resources: Any = None,
    asset_key: Any = None,
    **_ignored: Any,
) -> OutputContext:
    """An ``OutputContext`` for testing an IO manager's ``handle_output`` directly."""
    key = AssetKey.from_coercible(asset_key) if asset_key is not None else None
    return OutputContext(step_key or "", name or "result", key, run_id, definition_metadata, resources)


def build_input_context(
    name: str | None = None,
    upstream_output: OutputContext | None = None,
    resources: Any = None,
    asset_key: Any = None,
    **_ignored: Any,
) -> InputContext:
    """An ``InputContext`` for testing an IO manager's ``load_input`` directly.

    Without ``upstream_output``, the upstream is the output of the asset ``asset_key`` (if given).
    """
    key = AssetKey.from_coercible(asset_key) if asset_key is not None else None
    upstream = upstream_output if upstream_output is not None else OutputContext("", "result", key, None)
    return InputContext(name or "input", "", key, upstream, resources)
