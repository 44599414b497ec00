"""The widgets of :class:`~resnb.notebook.forms.ResourceForm`: one control per config field.

:func:`make_control` picks the widget for a field (text, number, checkbox, dropdown, password for
secrets, "from $NAME" for env-var fields) and :func:`type_into` sets one as typing would, for the
form's headless twins. Secrets never reach a widget: password fields (declared secrets, and fields
masked by their name) start empty (empty keeps the current value) and env-var fields start empty
with the variable's *name* as placeholder. What the user types into them is moved out of the
widget when Build is pressed (:meth:`FieldInput.scrub`), so saved widget state never holds it.
ipywidgets is imported by :func:`load_ipywidgets`, when the widgets are first needed.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

from pydantic import SecretBytes, SecretStr

from resnb.notebook.config_errors import ConfigArgError, FieldProblem
from resnb.notebook.config_fields import MISSING, ConfigField

__all__ = ["FieldInput", "load_ipywidgets", "make_control", "type_into"]


def load_ipywidgets() -> Any:
    """The ipywidgets module; an ImportError that says how to get it, or what to use instead."""
    try:
        import ipywidgets
    except ImportError as exc:  # a declared dependency, but environments differ
        raise ImportError(
            "ResourceForm needs ipywidgets: pip install ipywidgets (it comes with resnb's "
            "dependencies). Without it, use --config KEY.FIELD=VALUE or --config-json."
        ) from exc
    return ipywidgets


@dataclass
class FieldInput:
    """One editable field: its spec, its widget, the widget's initial value, its message line."""

    key: str
    spec: ConfigField
    control: Any
    message: Any
    initial: Any
    shown_current: bool  # the widget shows the current value (building with it changes nothing)
    kept: Any = MISSING  # a secret typed before the last Build, moved out of the widget

    @property
    def hidden(self) -> bool:
        """True for a secret, a field masked by its name, or an env-var field: its value is never shown."""
        return self.spec.secret or self.spec.masked_by_name or self.spec.sensitive

    def entry(self) -> Any:
        """The raw value to type, or MISSING when the widget says "keep the current value"."""
        value = self.control.value
        if self.shown_current:
            return MISSING if value == self.initial else value
        if value is None or value == "":
            return self.kept
        return value

    def scrub(self) -> None:
        """Move a typed secret out of the widget, whose state is synced and saved with the notebook.

        The form keeps it (in this process only) for the next Build, until something else is typed.
        """
        if self.hidden and self.control.value not in (None, ""):
            self.kept = self.control.value
            self.control.value = ""
            self.control.placeholder = "kept from your last entry (type to replace)"


def _tooltip(spec: ConfigField) -> str:
    parts = [spec.description] if spec.description else []
    parts.append(f"type: {spec.label}")
    if spec.env_var:
        parts.append(f"from ${spec.env_var}; type a value to override it, leave empty to keep it")
    elif spec.secret:
        parts.append("secret: leave empty to keep the current value")
    elif spec.masked_by_name:
        parts.append("masked by name (its name looks secret): leave empty to keep the current value")
    return " | ".join(parts)


def _as_text(value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, enum.Enum):
        return str(value.value)
    try:
        return json.dumps(value if not isinstance(value, (set, frozenset, tuple)) else list(value))
    except (TypeError, ValueError):
        return str(value)


def _placeholder(spec: ConfigField) -> str:
    if spec.env_var:
        return f"from ${spec.env_var}"
    if spec.masked_by_name:
        return "required" if spec.current is MISSING else "unchanged (masked by name)"
    if spec.sensitive and not spec.secret:
        return "from env vars (type to override)"
    if spec.secret:
        return "required secret" if spec.current is MISSING else "unchanged (secret)"
    if spec.kind == "text":
        return f"JSON or text: {spec.label}"
    return "required" if spec.current is MISSING else ("empty = None" if spec.optional else "")


def _choice_options(spec: ConfigField) -> list[tuple[str, Any]]:
    if spec.kind == "bool":
        options: list[tuple[str, Any]] = [("true", True), ("false", False)]
    else:
        options = [(str(c.value if isinstance(c, enum.Enum) else c), c) for c in spec.choices]
    return [("(none)", None), *options] if spec.optional else options


def make_control(w: Any, spec: ConfigField) -> tuple[Any, bool]:
    """The widget for ``spec`` and whether it shows the current value."""
    common = dict(description=spec.name, tooltip=_tooltip(spec), style={"description_width": "initial"})
    current = spec.current
    hidden = spec.sensitive or spec.secret
    if spec.secret or spec.masked_by_name:
        return w.Password(value="", placeholder=_placeholder(spec), **common), False
    if hidden:
        return w.Text(value="", placeholder=_placeholder(spec), **common), False
    if spec.kind == "choice" or (spec.kind == "bool" and spec.optional):
        options = _choice_options(spec)
        value = current if any(current == v for _, v in options) and current is not MISSING else None
        return w.Dropdown(options=options, value=value, **common), current is not MISSING
    # A required field without a value shows 0 / unchecked, and building uses what is shown.
    if spec.kind == "bool":
        checked = bool(current) if current is not MISSING else False
        return w.Checkbox(value=checked, indent=False, **common), current is not MISSING
    if spec.kind in ("int", "float") and not spec.optional:
        cls = w.IntText if spec.kind == "int" else w.FloatText
        return cls(value=current if current is not MISSING else 0, **common), current is not MISSING
    return w.Text(value=_as_text(current), placeholder=_placeholder(spec), **common), current is not MISSING


def type_into(item: FieldInput, value: Any) -> None:
    """Set a widget as typing would; a value the widget cannot hold raises ConfigArgError."""
    spec, control = item.spec, item.control
    if isinstance(value, (SecretStr, SecretBytes)):
        value = value.get_secret_value()
    if isinstance(value, bytes):
        value = value.decode()
    try:
        control.value = _widget_value(control, value)
    except (TypeError, ValueError) as exc:
        shown = "the value (not shown: secret)" if spec.sensitive else repr(value)
        what = type(control).__name__
        raise ConfigArgError(
            FieldProblem(
                item.key, spec.path, f"{shown} cannot be typed into its {what} widget ({spec.label})."
            )
        ) from (None if spec.sensitive else exc)


def _widget_value(control: Any, value: Any) -> Any:
    kind = type(control).__name__
    if kind in ("Text", "Password"):
        return _as_text(value)
    if kind == "Checkbox":
        return _as_bool(value)
    if kind in ("IntText", "FloatText"):
        number = (int if kind == "IntText" else float)(value)
        if isinstance(value, bool) or (kind == "IntText" and isinstance(value, float) and number != value):
            raise ValueError("not a number of that kind")
        return number
    return _option_value(control, value)


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise ValueError("not a bool")


def _option_value(control: Any, value: Any) -> Any:
    for label, option in control.options:
        names = {label, getattr(option, "name", None)}
        if option == value or (value is not None and isinstance(value, str) and value in names):
            return option
    raise ValueError("not one of the options")
