"""IO managers: how asset and op outputs are stored and loaded.

``IOManager`` is the interface; ``ConfigurableIOManager`` is a configurable resource that is
itself the IO manager; ``ConfigurableIOManagerFactory`` creates one in ``create_io_manager``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from resnb.core.resources import ConfigurableResourceFactory

__all__ = ["ConfigurableIOManager", "ConfigurableIOManagerFactory", "IOManager"]


class IOManager(ABC):
    """Stores outputs (:meth:`handle_output`) and loads them as inputs (:meth:`load_input`)."""

    @abstractmethod
    def handle_output(self, context: Any, obj: Any) -> None:
        """Store ``obj``, the output described by ``context`` (asset key, step, ...)."""

    @abstractmethod
    def load_input(self, context: Any) -> Any:
        """Load the value for the input described by ``context`` (``context.upstream_output``)."""


class ConfigurableIOManagerFactory(ConfigurableResourceFactory):
    """A configurable resource whose value is the IO manager made by :meth:`create_io_manager`."""

    @abstractmethod
    def create_io_manager(self, context: Any) -> Any:
        """Return the IO manager (or any object) handed to the run."""

    def create_resource(self, context: Any) -> Any:
        """The resource value: :meth:`create_io_manager`'s result."""
        return self.create_io_manager(context)


class ConfigurableIOManager(ConfigurableIOManagerFactory, IOManager):
    """A configurable resource that is itself the IO manager: implement the two methods."""

    def create_io_manager(self, context: Any) -> Any:
        """The IO manager: the (per-run copy of the) object itself."""
        return self
