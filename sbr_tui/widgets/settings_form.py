"""The settings form: one input per Config field, each with its error shown beside it."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.validation import Integer, Number
from textual.widgets import Checkbox, Input, Label, Select, Static

from core.config import LOSSES, OPTIMIZERS, SESSION_MODES, Config
from sbr_tui.i18n import _


@dataclass(frozen=True)
class Field:
    """One form field: the dotted Config name, its label and how its text is parsed."""

    dotted: str
    label: str
    kind: str  # "int", "float", "optional_float", "cutoffs", "choice" or "bool"
    choices: tuple[str, ...] = ()

    @property
    def widget_id(self) -> str:
        return "field-" + self.dotted.replace(".", "-")


SECTIONS: list[tuple[str, list[Field]]] = [
    (_("Sessions and filters"), [
        Field("sessions.mode", _("session mode"), "choice", SESSION_MODES),
        Field("sessions.gap_minutes", _("idle gap (minutes)"), "float"),
        Field("sessions.min_rating", _("min rating (none: all)"), "optional_float"),
        Field("sessions.recent_days", _("recent days (none: all)"), "optional_float"),
        Field("sessions.min_item_support", _("min item support"), "int"),
        Field("sessions.min_session_length", _("min session length"), "int"),
    ]),
    (_("Split"), [
        Field("split.test_days", _("test days"), "float"),
        Field("split.valid_days", _("valid days"), "float"),
    ]),
    (_("Model"), [
        Field("model.loss", _("loss"), "choice", LOSSES),
        Field("model.embedding_size", _("embedding size (0: one-hot)"), "int"),
        Field("model.hidden_size", _("hidden size"), "int"),
        Field("model.num_layers", _("GRU layers"), "int"),
        Field("model.dropout_embedding", _("embedding dropout"), "float"),
        Field("model.dropout_hidden", _("hidden dropout"), "float"),
        Field("model.n_sample", _("extra negative samples"), "int"),
        Field("model.sample_alpha", _("sample alpha"), "float"),
        Field("model.logq", _("logQ weight"), "float"),
        Field("model.bpreg", _("BPR-max regularisation"), "float"),
        Field("model.constrained_embedding", _("shared output embedding"), "bool"),
    ]),
    (_("Training"), [
        Field("train.epochs", _("epochs"), "int"),
        Field("train.batch_size", _("batch size"), "int"),
        Field("train.optimizer", _("optimizer"), "choice", OPTIMIZERS),
        Field("train.learning_rate", _("learning rate"), "float"),
        Field("train.momentum", _("momentum (Adagrad)"), "float"),
        Field("train.shuffle_sessions", _("shuffle sessions"), "bool"),
        Field("train.seed", _("seed"), "int"),
    ]),
    (_("Evaluation"), [
        Field("eval.cutoffs", _("cutoffs k (comma list)"), "cutoffs"),
        Field("eval.batch_size", _("evaluation batch size"), "int"),
        Field("eval.memory_limit_mb", _("score memory (MB)"), "int"),
    ]),
]

FIELDS: list[Field] = [field for _title, fields in SECTIONS for field in fields]
FIELD_NAMES = {field.dotted for field in FIELDS}


def value_to_text(field: Field, value: Any) -> str:
    """Return the text an input shows for a setting value."""
    if field.kind == "optional_float" and value is None:
        return "none"
    if field.kind == "cutoffs":
        return ", ".join(str(k) for k in value)
    if field.kind in ("float", "optional_float"):
        return f"{float(value):g}"
    return str(value)


def parse_text(field: Field, text: str) -> Any:
    """Parse the text of an input into a setting value; raise ValueError with a message."""
    text = text.strip()
    if text == "":
        raise ValueError(_("a value is required"))
    if field.kind == "int":
        try:
            return int(text)
        except ValueError:
            raise ValueError(_("{text!r} is not a whole number").format(text=text)) from None
    if field.kind == "float" or field.kind == "optional_float":
        if field.kind == "optional_float" and text.lower() in ("none", "off"):
            return None
        try:
            return float(text)
        except ValueError:
            raise ValueError(_("{text!r} is not a number").format(text=text)) from None
    if field.kind == "cutoffs":
        parts = [part.strip() for part in text.split(",") if part.strip()]
        try:
            return [int(part) for part in parts]
        except ValueError:
            raise ValueError(_("cutoffs are whole numbers separated by commas")) from None
    raise ValueError(f"field {field.dotted} has no text input")


class SettingsForm(Vertical):
    """Inputs for every field of FIELDS, filled from and checked against a Config."""

    DEFAULT_CSS = """
    SettingsForm { height: auto; }
    SettingsForm .section { text-style: bold; margin-top: 1; }
    SettingsForm .row { height: auto; }
    SettingsForm .row Label { width: 26; padding: 0 1 0 0; }
    SettingsForm .row Input, SettingsForm .row Select { width: 18; }
    SettingsForm .row Checkbox { width: 18; }
    SettingsForm .field-error { width: 1fr; color: $error; padding: 0 0 0 1; }
    """

    def compose(self) -> ComposeResult:
        for title, fields in SECTIONS:
            yield Static(title, classes="section")
            for field in fields:
                with Horizontal(classes="row"):
                    yield Label(field.label)
                    yield self._make_widget(field)
                    yield Static("", classes="field-error", id=field.widget_id + "-error")

    def _make_widget(self, field: Field):
        if field.kind == "choice":
            options = [(choice, choice) for choice in field.choices]
            return Select(options, allow_blank=False, id=field.widget_id, compact=True)
        if field.kind == "bool":
            return Checkbox("", id=field.widget_id, compact=True)
        if field.kind == "int":
            return Input(type="integer", validators=[Integer()], id=field.widget_id, compact=True)
        if field.kind == "float":
            return Input(type="number", validators=[Number()], id=field.widget_id, compact=True)
        return Input(id=field.widget_id, compact=True)

    def fill(self, config: Config) -> None:
        """Show the values of `config` in every field and clear the errors."""
        for field in FIELDS:
            widget = self.query_one("#" + field.widget_id)
            value = config.get(field.dotted)
            if isinstance(widget, Input):
                widget.value = value_to_text(field, value)
            else:
                widget.value = value
        self.show_errors({})

    def read(self, base: Config, n_train_sessions: int | None = None) -> tuple[Config, dict[str, str]]:
        """Return a copy of `base` with the form's values and {dotted field: message} for every invalid field.

        Every field is parsed, then the whole config is checked with
        Config.field_errors, which adds range and cross-field rules such as
        batch size <= number of training sessions.
        """
        config = copy.deepcopy(base)
        errors: dict[str, str] = {}
        for field in FIELDS:
            widget = self.query_one("#" + field.widget_id)
            if isinstance(widget, Input):
                try:
                    value = parse_text(field, widget.value)
                except ValueError as exc:
                    errors[field.dotted] = str(exc)
                    continue
            else:
                value = widget.value
            config.set(field.dotted, value)
        for dotted, message in config.field_errors(n_train_sessions).items():
            if dotted in FIELD_NAMES and dotted not in errors:
                errors[dotted] = message
        return config, errors

    def show_errors(self, errors: dict[str, str]) -> None:
        """Show each message beside its field and mark the field invalid; clear the others."""
        for field in FIELDS:
            message = errors.get(field.dotted, "")
            self.query_one(f"#{field.widget_id}-error", Static).update(message)
            self.query_one("#" + field.widget_id).set_class(bool(message), "-invalid")
