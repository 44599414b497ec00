"""The work behind ``%build_resources``: config from flags or JSON, or a form, then the session builds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from IPython.core.error import UsageError

from resnb.notebook.config_args import (
    merge_configs,
    parse_config_args,
    parse_config_json,
    parse_config_mapping,
)
from resnb.notebook.session import Session

__all__ = ["build"]


def build(
    session: Session,
    keys: Sequence[str],
    pairs: Sequence[str],
    config_json: str | None,
    form: bool,
    config_var: Mapping[str, Any] | None = None,
    cell_config: Mapping[str, Any] | None = None,
) -> Any:
    """Build ``keys`` (all when empty) with config from ``pairs``, ``config_json``, the mapping of a
    ``%%build_resources`` cell (``cell_config``) and a variable's dict ``config_var``, or show a form.

    For the same field, ``--config`` wins over ``--config-json``, which wins over the cell, which
    wins over ``--config-var``.
    """
    for key in keys:
        if "=" in key:
            raise UsageError(f"'{key}' looks like config, not a resource key: write --config {key}")
        session.check_resource_key(key)
    definitions = session.resource_definitions
    chosen = list(keys) or list(definitions)
    if form:
        if pairs or config_json or config_var is not None or cell_config is not None:
            raise UsageError(
                "--form and --config/--config-json/--config-var (or a %%build_resources cell) are two ways "
                "to give the same config: use one of them."
            )
        from resnb.notebook.forms import ResourceForm

        return ResourceForm(definitions, chosen, on_build=lambda config: session.build(chosen, config))
    from_var = parse_config_mapping(config_var, chosen, definitions) if config_var is not None else {}
    from_cell = parse_config_mapping(cell_config, chosen, definitions) if cell_config is not None else {}
    from_json = parse_config_json(config_json, chosen, definitions) if config_json else {}
    from_args = parse_config_args(list(pairs), chosen, definitions) if pairs else {}
    return session.build(keys or None, merge_configs(from_var, from_cell, from_json, from_args))
