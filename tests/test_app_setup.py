"""Setup form: invalid values block training with the error beside the field; TOML and presets."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, Static

from app_helpers import field_input, load_demo, make_app, type_field, wait_for_workers
from core.config import Config
from sbr_tui.dialogs.path_prompt import PathPrompt


def error_beside(app, dotted: str) -> str:
    return str(app.screen.query_one(f"#field-{dotted.replace('.', '-')}-error", Static).render())


@pytest.mark.parametrize(
    ("dotted", "text", "expected"),
    [
        ("train.epochs", "", "a value is required"),
        ("train.epochs", "0", "epochs must be a whole number >= 1"),
        ("train.epochs", "-2", "epochs must be a whole number >= 1"),
        ("train.batch_size", "0", "batch size must be a whole number >= 1"),
        ("model.hidden_size", "-5", "hidden size must be a whole number >= 1"),
        ("train.learning_rate", "0", "learning rate must be a number in (0, 10]"),
        ("model.dropout_hidden", "1", "dropout is a drop probability in [0, 1)"),
        ("eval.cutoffs", "5, x", "cutoffs are whole numbers separated by commas"),
    ],
)
async def test_invalid_value_blocks_training(tmp_path, dotted, text, expected):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.config.data.path = "demo"
        app.config.data.format = "demo"
        await pilot.press("f3")
        await pilot.pause()
        await type_field(pilot, dotted, text)

        assert expected in error_beside(app, dotted)
        assert field_input(pilot, dotted).has_class("-invalid")
        assert dotted in app.settings_errors

        await pilot.press("f4")
        await pilot.press("s")
        await pilot.pause()
        assert app.training_worker() is None
        assert app.screen.SCREEN_NAME == "Setup"  # sent back to the form
        assert not (tmp_path / "runs").exists()


async def test_non_numeric_text_is_rejected(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        widget = field_input(pilot, "train.batch_size")
        widget.value = "abc"
        await pilot.pause()
        assert "'abc' is not a whole number" in error_beside(app, "train.batch_size")
        assert app.config.train.batch_size == 64  # the last valid value is kept

        # Typing letters into a whole-number field inserts nothing, which is an empty value.
        await type_field(pilot, "train.epochs", "x")
        assert field_input(pilot, "train.epochs").value == ""
        assert "a value is required" in error_beside(app, "train.epochs")


async def test_batch_larger_than_train_sessions(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await load_demo(pilot)
        n_train = app.prepared.split.train.n_sessions
        await pilot.press("f3")
        await pilot.pause()
        await type_field(pilot, "train.batch_size", str(n_train + 1))
        assert f"larger than the {n_train} training sessions" in error_beside(app, "train.batch_size")

        await type_field(pilot, "train.batch_size", str(n_train))
        assert error_beside(app, "train.batch_size") == ""
        assert app.config.train.batch_size == n_train


async def test_toml_save_and_open(tmp_path):
    app = make_app(tmp_path)
    target = tmp_path / "saved.toml"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await type_field(pilot, "model.hidden_size", "48")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PathPrompt)
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert Config.from_toml_file(target).model.hidden_size == 48

        await type_field(pilot, "model.hidden_size", "12")
        assert app.config.model.hidden_size == 12
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert app.config.model.hidden_size == 48
        assert field_input(pilot, "model.hidden_size").value == "48"


async def test_unreadable_toml_titles_error(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        for attempt in range(2):
            await pilot.press("ctrl+o")
            await pilot.pause()
            app.screen.query_one(Input).value = str(tmp_path / "missing.toml")
            await pilot.press("enter")
            await pilot.pause()

        errors = [note for note in app._notifications if note.severity == "error"]
        assert len(errors) == 1  # the second error replaced the first
        assert errors[0].title == "Settings file could not be read"
        assert "not found" in errors[0].message


async def test_preset_fills_the_form(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        app.screen.query_one("#preset", Select).value = "rsc15-reference"
        await pilot.pause()
        await wait_for_workers(pilot)
        assert app.config.train.optimizer == "adagrad"
        assert field_input(pilot, "model.n_sample").value == "2048"
        assert app.settings_errors == {}
