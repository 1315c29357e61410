"""Setup screen: the settings form, presets, TOML save and load, and the resulting split sizes."""

from __future__ import annotations

import copy
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Checkbox, Footer, Input, Label, Select, Static

from core.errors import SbrError
from core.presets import PRESETS, apply_preset
from sbr_tui.dialogs.path_prompt import PathPrompt
from sbr_tui.i18n import _
from sbr_tui.messages import DataChanged, LoadProgress
from sbr_tui.screens.base import SbrScreen, notify_error
from sbr_tui.widgets.nav import NavBar
from sbr_tui.widgets.settings_form import SettingsForm
from sbr_tui.widgets.stats_view import split_table


class SetupScreen(SbrScreen):
    """Edit every setting of the run; each change is checked at once and errors show beside the field."""

    SCREEN_NAME = _("Setup")
    BINDINGS = [
        Binding("ctrl+r", "update_split", _("Update split"), id="setup.split"),
        Binding("ctrl+s", "save_config", _("Save TOML"), id="setup.save"),
        Binding("ctrl+o", "open_config", _("Open TOML"), id="setup.open"),
    ]

    def compose(self) -> ComposeResult:
        yield NavBar("setup")
        with Horizontal(id="preset-row"):
            yield Label(_("Preset:"))
            yield Select([(name, name) for name in PRESETS], prompt=_("(none)"), id="preset", compact=True)
        with VerticalScroll(id="setup-scroll"):
            yield Static("", id="split-summary")
            yield SettingsForm(id="form")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(SettingsForm).fill(self.sbr.config)
        self.show_split()

    def n_train_sessions(self) -> int | None:
        prepared = self.sbr.prepared
        return None if prepared is None or prepared.split is None else prepared.split.train.n_sessions

    def check(self) -> dict[str, str]:
        """Read every field, show the errors beside the fields, and adopt the settings when all are valid."""
        form = self.query_one(SettingsForm)
        config, errors = form.read(self.sbr.config, self.n_train_sessions())
        form.show_errors(errors)
        self.sbr.settings_errors = errors
        if not errors:
            self.sbr.config = config
        self.show_split()
        return errors

    @on(Input.Changed)
    @on(Select.Changed, "SettingsForm Select")
    @on(Checkbox.Changed)
    def field_changed(self) -> None:
        self.check()

    @on(Select.Changed, "#preset")
    def preset_chosen(self, event: Select.Changed) -> None:
        if event.value is Select.BLANK:
            return
        config = copy.deepcopy(self.sbr.config)
        apply_preset(config, str(event.value))
        self.sbr.config = config
        self.query_one(SettingsForm).fill(config)
        self.notify(_("Preset {name} applied.").format(name=event.value))

    # ---- split ----------------------------------------------------------------

    def show_split(self) -> None:
        """Show the split sizes of the prepared data, saying when the settings no longer match it."""
        summary = self.query_one("#split-summary", Static)
        prepared = self.sbr.prepared
        if prepared is None:
            summary.update(_("No data loaded: load a log on the Data screen (F2) to see the split sizes."))
            return
        if prepared.split is None:
            message = _("No split with these settings: {error}. Change the split days, then Ctrl+R.")
            summary.update(Text(message.format(error=prepared.split_error)))
            return
        table = split_table(prepared.split.summary())
        if self.sbr.config.data.train_path is not None:
            table.caption = _("Pre-split files: the session and split settings do not apply.")
        elif not self.sbr.prepared_is_current():
            table.caption = _("Session or split settings changed: Ctrl+R updates the split.")
        summary.update(table)

    def action_update_split(self) -> None:
        """Prepare the data again with the current session and split settings."""
        if self.check():
            notify_error(self.app, _("Fix the settings marked in red first."), _("Invalid settings"))
            return
        data = self.sbr.config.data
        if data.train_path is not None:
            self.notify(_("Pre-split files keep their own split, so the session and split settings do not apply."),
                        severity="warning")
            return
        if not data.path:
            self.notify(_("Load data on the Data screen (F2) first."), severity="warning")
            return
        if self.sbr.load_data(copy.deepcopy(self.sbr.config), self) is not None:
            self.query_one("#split-summary", Static).update(_("Updating the split..."))

    def on_load_progress(self, message: LoadProgress) -> None:
        self.query_one("#split-summary", Static).update(_("Updating the split: {percent:.0%}").format(percent=message.fraction))

    def on_data_changed(self, message: DataChanged) -> None:
        self.check()

    # ---- TOML -----------------------------------------------------------------

    def default_config_path(self) -> str:
        return str(self.sbr.config_dir / "config.toml")

    def action_save_config(self) -> None:
        """Save the settings as TOML after checking every field."""
        if self.check():
            notify_error(self.app, _("Fix the settings marked in red before saving."), _("Invalid settings"))
            return

        def save(path: str | None) -> None:
            if not path:
                return
            target = Path(path).expanduser()
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(self.sbr.config.to_toml(), encoding="utf-8")
            except OSError as exc:
                notify_error(self.app, _("Cannot save {path}: {error}").format(path=target, error=exc), _("Settings not saved"))
                return
            self.notify(_("Settings saved to {path}").format(path=target))

        self.app.push_screen(PathPrompt(_("Save settings as TOML"), self.default_config_path()), save)

    def action_open_config(self) -> None:
        """Load settings from a TOML file, keeping the data source."""
        from core.config import Config

        def load(path: str | None) -> None:
            if not path:
                return
            try:
                config = Config.from_toml_file(Path(path).expanduser())
            except SbrError as exc:
                notify_error(self.app, str(exc), _("Settings file could not be read"))
                return
            config.data = copy.deepcopy(self.sbr.config.data)
            self.sbr.config = config
            self.query_one(SettingsForm).fill(config)
            self.check()
            self.notify(_("Settings loaded from {path}").format(path=path))

        self.app.push_screen(PathPrompt(_("Open settings from TOML"), self.default_config_path()), load)
