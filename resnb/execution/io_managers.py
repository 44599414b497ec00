"""Built-in IO managers and the contexts IO managers receive."""

from __future__ import annotations

import os
import pickle
import tempfile
from typing import Any

from resnb.core.io_manager import ConfigurableIOManager, IOManager
from resnb.errors import IOManagerError, exception_summary
from resnb.execution.io_contexts import InputContext, OutputContext

__all__ = ["FilesystemIOManager", "InMemoryIOManager", "InputContext", "OutputContext"]


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
