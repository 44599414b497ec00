"""``build_resources``: resources initialised outside of a run, for as long as a block lasts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from resnb.build.scope import ResourceScope
from resnb.core.context import Resources

if TYPE_CHECKING:
    import logging

__all__ = ["build_resources"]


@contextmanager
def build_resources(
    resources: Mapping[str, Any],
    instance: None = None,
    resource_config: Mapping[str, Any] | None = None,
    dagster_run: None = None,
    log_manager: logging.Logger | None = None,
) -> Iterator[Resources]:
    """Initialise every resource in ``resources`` and tear them down when the block exits.

    Values may be resource objects (``ConfigurableResource``), ``configure_at_launch()``
    partials, ``@resource`` definitions, IO managers or plain objects (handed over as they are).
    ``resource_config`` has the shape ``{key: {"config": {...}}}``. Initialisation follows the
    dependencies, ties broken by key; teardown is the exact reverse, also when the block raises
    (its exception propagates unchanged). A failing teardown is a ``ResourceTeardownWarning``.

    >>> with build_resources({"greeting": "hello"}) as res:
    ...     res.greeting
    'hello'
    """
    if instance is not None:
        raise TypeError(
            "build_resources(): resnb has no instances, so the second argument (instance) must be "
            "None. To pass config, use resource_config={key: {'config': {...}}}."
        )
    scope = ResourceScope(resources, resource_config, log=log_manager)
    values = scope.open()
    failed = True
    try:
        yield Resources({key: values[key] for key in scope.definitions})
        failed = False
    finally:
        scope.close(work_failed=failed)
