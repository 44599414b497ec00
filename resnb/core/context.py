"""``Resources`` (the object holding built resources) and ``InitResourceContext``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from resnb.errors import UnknownResourceError, did_you_mean, listing

if TYPE_CHECKING:
    import logging

__all__ = ["InitResourceContext", "Resources", "build_init_resource_context"]


class Resources:
    """Built resources by key: ``resources.db`` or ``resources["db"]``.

    ``"db" in resources`` tests keys, and iterating yields keys (a mapping, unlike Dagster's
    namedtuple). An unknown key raises :class:`~resnb.errors.UnknownResourceError` (also an
    ``AttributeError``, so ``hasattr`` works) naming the keys that are available.
    """

    __slots__ = ("_values", "_hint", "_originals")

    def __init__(
        self, values: Mapping[str, Any], hint: str = "", originals: Mapping[str, Any] | None = None
    ) -> None:
        object.__setattr__(self, "_values", dict(values))
        object.__setattr__(self, "_hint", hint)
        # the initialised resources when ``values`` differ from them (IAttachDifferentObjectToOpContext)
        object.__setattr__(self, "_originals", None if originals is None else dict(originals))

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        try:
            return self._values[key]
        except KeyError:
            raise UnknownResourceError(self._unknown_message(key)) from None

    def __getitem__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise UnknownResourceError(self._unknown_message(key)) from None

    def _unknown_message(self, key: str) -> str:
        hint = self._hint or (
            f"Provide a resource under the key '{key}' or declare it where it is used "
            f"(a typed parameter or required_resource_keys={{'{key}'}})."
        )
        return (
            f"Unknown resource '{key}'. Available here: {listing(self._values)}."
            f"{did_you_mean(key, self._values)} {hint}"
        )

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("Resources are read-only; build them with build_resources.")

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __dir__(self) -> list[str]:
        return sorted(self._values)

    def _asdict(self) -> dict[str, Any]:
        return dict(self._values)

    @property
    def original_resource_dict(self) -> dict[str, Any]:
        """A plain ``dict`` of key to the initialised resource.

        The same as the values, except for resources implementing
        ``IAttachDifferentObjectToOpContext``: attribute access gives the object they attach to
        the context, this dict gives the resource itself (what typed parameters receive).
        """
        return dict(self._values if self._originals is None else self._originals)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={_safe_repr(v)}" for k, v in self._values.items())
        return f"Resources({inner})"


def _safe_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


class InitResourceContext:
    """What a resource sees while it is being initialised.

    ``resource_config`` is the processed config (``None`` when the resource has no config
    schema), ``resources`` holds only the keys it declared in ``required_resource_keys``, ``log``
    is a standard :class:`logging.Logger`, and ``instance`` is always ``None`` (resnb keeps no
    instance database).
    """

    __slots__ = ("resource_config", "resources", "resource_def", "resource_key", "run_id", "_log")

    def __init__(
        self,
        resource_config: Any = None,
        resources: Resources | Mapping[str, Any] | None = None,
        resource_def: Any = None,
        resource_key: str | None = None,
        run_id: str | None = None,
        log: logging.Logger | None = None,
    ) -> None:
        self.resource_config = resource_config
        if resources is None:
            resources = Resources({})
        elif not isinstance(resources, Resources):
            resources = Resources(resources)
        self.resources = resources
        self.resource_def = resource_def
        self.resource_key = resource_key
        self.run_id = run_id
        self._log = log

    @property
    def log(self) -> logging.Logger:
        """A standard logger named ``resnb.resource.<key>``."""
        if self._log is None:
            import logging

            self._log = logging.getLogger(f"resnb.resource.{self.resource_key or 'direct'}")
        return self._log

    @property
    def instance(self) -> None:
        """Always ``None``: resnb has no instance or event-log database."""
        return None

    @property
    def run(self) -> None:
        """Always ``None``: resnb has no run storage."""
        return None

    def replace_config(self, config: Any) -> InitResourceContext:
        """A copy of this context with another ``resource_config``."""
        return InitResourceContext(
            config, self.resources, self.resource_def, self.resource_key, self.run_id, self._log
        )

    def __repr__(self) -> str:
        keys = ", ".join(self.resources)
        return f"InitResourceContext(resource_key={self.resource_key!r}, resources=[{keys}])"


def build_init_resource_context(
    config: Any = None,
    resources: Mapping[str, Any] | None = None,
    instance: None = None,
) -> InitResourceContext:
    """A context for calling a resource function directly, for example in a unit test.

    The config is processed against the resource's schema when the resource is invoked.
    """
    if instance is not None:
        raise TypeError("resnb has no instances: leave instance=None.")
    return InitResourceContext(resource_config=config, resources=dict(resources or {}))
