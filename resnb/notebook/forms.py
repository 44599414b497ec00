"""``ResourceForm``: an ipywidgets form generated from resources' pydantic models.

One section per resource key, one widget per config field (text, number, checkbox, dropdown,
password for secrets, "from $NAME" for env-var fields), a message line under each widget, and a
Build button. Every interaction has a headless twin (:meth:`ResourceForm.fill`,
:meth:`ResourceForm.build`) because nbclient and tests have no front end.

Secrets never reach a widget: password fields start empty (empty keeps the current secret) and
env-var fields start empty with the variable's *name* as placeholder (empty keeps the EnvVar).
A secret typed into one is moved out of the widget when Build is pressed (kept for the next Build
in this process only), so the widget state a saved notebook stores never holds it.
ipywidgets is imported when the widgets are first needed, not when this module is imported;
the widgets themselves are made and filled in :mod:`resnb.notebook.form_widgets`.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from resnb.errors import did_you_mean, exception_summary, listing
from resnb.notebook.config_errors import ConfigArgError, FieldProblem, raise_problems
from resnb.notebook.config_fields import (
    MISSING,
    ConfigField,
    definition_label,
    fields_of,
    not_configurable_reason,
)
from resnb.notebook.config_overrides import collect_overrides, validate_config
from resnb.notebook.form_widgets import FieldInput, load_ipywidgets, make_control, type_into

__all__ = ["ResourceForm"]

_ERROR_STYLE = "color:#b00020"
_OK_STYLE = "color:#1b5e20"


# -- describing fields --------------------------------------------------------------------------------
def _uses_text(spec: ConfigField) -> str:
    uses = spec.uses or "a resource"
    return f"uses {uses}" if uses.startswith("resource ") else uses


def _field_marker(spec: ConfigField) -> str:
    if spec.kind == "resource":
        return f"[{_uses_text(spec)}]"
    if spec.env_var:
        return f"[from ${spec.env_var}]"
    if spec.secret:
        return "[secret]"
    if spec.masked_by_name:
        return "[masked by name]"
    if spec.sensitive:
        return "[from env]"
    return "[required]" if spec.current is MISSING else ""


def _describe_fields(fields: Mapping[str, ConfigField]) -> str:
    parts = []
    for spec in fields.values():
        if spec.kind == "config":
            parts.append(f"{spec.name}({_describe_fields(spec.fields)})")
        else:
            parts.append(f"{spec.name}{_field_marker(spec)}")
    return ", ".join(parts)


# -- the form -----------------------------------------------------------------------------------------
class ResourceForm:
    """An ipywidgets form for the resources ``keys`` of ``definitions``, with a Build button.

    ``on_build`` receives the overrides ``{key: {field: typed value}}`` (only the fields that
    differ from the definitions, as :func:`~resnb.notebook.config_args.parse_config_args`
    returns them; complete them with
    :func:`~resnb.notebook.config_args.to_resource_config`). Per-field problems are shown next
    to the widgets and kept in :attr:`errors`, keyed by ``(key, field path)``.
    """

    def __init__(
        self,
        definitions: Mapping[str, Any],
        keys: Sequence[str],
        *,
        on_build: Callable[[dict[str, dict[str, Any]]], Any],
    ) -> None:
        self.definitions = dict(definitions)
        self.keys = list(keys)
        for key in self.keys:
            if key not in self.definitions:
                raise ConfigArgError(
                    FieldProblem(
                        key,
                        "",
                        f"no resource with this key, so there is no form for it. Available: "
                        f"{listing(self.definitions)}.{did_you_mean(key, self.definitions)}",
                    )
                )
        self.on_build = on_build
        self.fields = {key: fields_of(self.definitions[key], shared=self.definitions) for key in self.keys}
        self.errors: dict[tuple[str, str], str] = {}
        self.last_result: Any = None
        self.last_error: BaseException | None = None
        self._widget: Any = None
        self._inputs: dict[tuple[str, str], FieldInput] = {}
        self._messages: dict[str, Any] = {}
        self._status: Any = None
        self._button: Any = None
        self._anchor_prefix = f"resnb-form-{uuid.uuid4().hex[:8]}-"

    # -- widgets ----------------------------------------------------------------------------------
    @property
    def widget(self) -> Any:
        """The ipywidgets container (built on first access)."""
        if self._widget is None:
            self._widget = self._build_widget()
        return self._widget

    @property
    def button(self) -> Any:
        """The Build button."""
        _ = self.widget
        return self._button

    def _build_widget(self) -> Any:
        w = load_ipywidgets()
        sections = [self._section(w, key) for key in self.keys]
        self._button = w.Button(description="Build", button_style="primary", tooltip="Build these resources")
        self._button.on_click(self._on_click)
        self._status = w.HTML(value="")
        return w.VBox([*sections, self._button, self._status])

    def _section(self, w: Any, key: str) -> Any:
        definition = self.definitions[key]
        type_name = html.escape(definition_label(definition))
        anchor = html.escape(self._anchor(key), quote=True)
        heading = w.HTML(
            value=f"<h4 id='{anchor}' style='margin:8px 0 4px'>{html.escape(key)} <code>{type_name}</code></h4>"
        )
        self._messages[key] = w.HTML(value="")
        fields = self.fields[key]
        if not fields:
            reason = not_configurable_reason(definition) or "it has no config fields"
            rows = [w.HTML(value=f"<i>No config to set: {html.escape(reason)}.</i>")]
        else:
            rows = self._rows(w, key, fields)
        return w.VBox([heading, *rows, self._messages[key]])

    def _rows(self, w: Any, key: str, fields: Mapping[str, ConfigField]) -> list[Any]:
        rows = []
        for spec in fields.values():
            if spec.kind == "resource":
                rows.append(w.HTML(value=f"<b>{html.escape(spec.name)}</b>: {self._uses_html(spec)}"))
            elif spec.kind == "config":
                title = w.HTML(value=f"<b>{html.escape(spec.name)}</b> <i>({html.escape(spec.label)})</i>")
                inner = w.VBox(self._rows(w, key, spec.fields), layout=w.Layout(margin="0 0 0 20px"))
                rows.append(w.VBox([title, inner]))
            else:
                rows.append(self._input_row(w, key, spec))
        return rows

    def _anchor(self, key: str) -> str:
        """The HTML id of ``key``'s section (unique to this form)."""
        return self._anchor_prefix + re.sub(r"[^\w-]", "-", key)

    def _uses_html(self, spec: ConfigField) -> str:
        """A nested resource: a link to its key's section in this form, or how to build it."""
        key = spec.resource_key
        if key is None:
            return html.escape(_uses_text(spec))
        if key in self.fields:
            link = f"<a href='#{html.escape(self._anchor(key), quote=True)}'>{html.escape(key)}</a>"
            return f"uses resource {link} (set in its own section of this form)"
        return html.escape(f"uses resource {key} (build it with %build_resources {key})")

    def _input_row(self, w: Any, key: str, spec: ConfigField) -> Any:
        control, shown_current = make_control(w, spec)
        message = w.HTML(value="")
        self._inputs[(key, spec.path)] = FieldInput(key, spec, control, message, control.value, shown_current)
        return w.VBox([control, message])

    # -- headless twins --------------------------------------------------------------------------
    def fill(self, key: str, **values: Any) -> None:
        """Type ``values`` into the widgets of ``key`` (a mapping for a nested Config field)."""
        _ = self.widget
        if key not in self.fields:
            raise ConfigArgError(
                FieldProblem(
                    key,
                    "",
                    f"this form has no section for it (sections: {listing(self.keys)})."
                    f"{did_you_mean(key, self.keys)}",
                )
            )
        self._fill(key, self.fields[key], values, "")

    def _fill(
        self, key: str, fields: Mapping[str, ConfigField], values: Mapping[str, Any], prefix: str
    ) -> None:
        for name, value in values.items():
            spec = fields.get(name)
            if spec is None:
                raise ConfigArgError(
                    FieldProblem(
                        key,
                        f"{prefix}{name}",
                        f"the form has no field '{name}' here.{did_you_mean(name, fields)} "
                        f"Fields: {listing(fields)}.",
                    )
                )
            if spec.kind == "resource":
                raise ConfigArgError(
                    FieldProblem(
                        key, spec.path, f"it is a nested resource ({_uses_text(spec)}); it has no widget."
                    )
                )
            if spec.kind == "config" and isinstance(value, Mapping):
                self._fill(key, spec.fields, value, f"{spec.path}.")
            else:
                type_into(self._inputs[(key, spec.path)], value)

    def values(self) -> dict[str, dict[str, Any]]:
        """The typed values that differ from the definitions, ``{key: {field: value}}``.

        Raises :class:`~resnb.notebook.config_args.ConfigArgError` if a widget holds text that
        cannot be typed (such as invalid JSON).
        """
        overrides, problems = self._collect(complete=False)
        raise_problems(problems)
        return overrides

    def build(self) -> Any:
        """Validate every field, then call ``on_build(values)`` and return its result.

        Problems are shown next to their widgets, kept in :attr:`errors`, and raised as one
        :class:`~resnb.notebook.config_args.ConfigArgError`.
        """
        _ = self.widget
        overrides, problems = self._collect(complete=True)
        for item in self._inputs.values():
            item.scrub()
        self._show_problems(problems)
        if problems:
            count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
            self._set_status(_ERROR_STYLE, f"Not built: {count}, shown next to the fields.")
            raise ConfigArgError(problems)
        self._set_status("color:inherit", "Building...")
        result = self.on_build(overrides)
        self.last_result = result
        self.last_error = None
        self._set_status(_OK_STYLE, f"Built {', '.join(self.keys)}.")
        return result

    def _on_click(self, _button: Any) -> None:
        """The Build button's callback: never raises (a callback cannot reach the user)."""
        try:
            self.build()
        except ConfigArgError as exc:
            self.last_error = exc  # already shown next to the fields and in the status line
        except Exception as exc:  # shown in the status line instead of vanishing in the log
            self.last_error = exc
            self._set_status(_ERROR_STYLE, f"Build failed: {exception_summary(exc)}")

    # -- validation and display -------------------------------------------------------------------
    def _collect(self, *, complete: bool) -> tuple[dict[str, dict[str, Any]], list[FieldProblem]]:
        _ = self.widget
        entries = []
        for (key, path), item in self._inputs.items():
            raw = item.entry()
            if raw is not MISSING:
                entries.append((key, path.split("."), raw))
        overrides, problems = collect_overrides(entries, self.definitions, complete=complete)
        if complete:
            problems.extend(self._missing_problems(overrides, problems))
        return overrides, problems

    def _missing_problems(
        self, overrides: Mapping[str, Any], found: Sequence[FieldProblem]
    ) -> list[FieldProblem]:
        """Problems of configurable keys the user did not touch (required fields left unset)."""
        checked = set(overrides) | {p.key for p in found}
        problems: list[FieldProblem] = []
        for key in self.keys:
            if key in checked or not self.fields[key]:
                continue
            try:
                validate_config(key, self.definitions[key], {})
            except ConfigArgError as exc:
                problems.extend(exc.problems)
        return problems

    def _show_problems(self, problems: Sequence[FieldProblem]) -> None:
        self.errors = {}
        for item in self._inputs.values():
            item.message.value = ""
        for message in self._messages.values():
            message.value = ""
        for problem in problems:
            self.errors[(problem.key, problem.field)] = problem.message
            target = self._message_for(problem)
            line = f"<span style='{_ERROR_STYLE}'>{html.escape(problem.message)}</span>"
            target.value = f"{target.value}<br>{line}" if target.value else line

    def _message_for(self, problem: FieldProblem) -> Any:
        path = problem.field
        while path:
            item = self._inputs.get((problem.key, path))
            if item is not None:
                return item.message
            path = path.rpartition(".")[0]
        return self._messages[problem.key]

    def _set_status(self, style: str, text: str) -> None:
        if self._status is not None:
            self._status.value = f"<span style='{style}'>{html.escape(text)}</span>"

    # -- display --------------------------------------------------------------------------------
    def describe(self) -> str:
        """``form for warehouse (host, port, password[secret])``: fields and how they are set."""
        sections = [f"{key} ({_describe_fields(self.fields[key])})" for key in self.keys]
        return "form for " + ("; ".join(sections) if sections else "(no resources)")

    def __repr__(self) -> str:
        return f"<ResourceForm: {self.describe()}>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The widget's bundle (when ipywidgets is available) with a meaningful ``text/plain``."""
        try:
            bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        except ImportError:
            bundle = {}
        bundle["text/plain"] = self.describe()
        if include:
            bundle = {k: v for k, v in bundle.items() if k in include}
        if exclude:
            bundle = {k: v for k, v in bundle.items() if k not in exclude}
        return bundle
