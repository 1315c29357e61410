"""`sbr-tui` entry point: no arguments opens the app; subcommands run jobs headless."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from core.config import FORMATS, LOSSES, OPTIMIZERS, SESSION_MODES, Config
from core.errors import ConfigError, SbrError
from sbr_tui import __version__
from sbr_tui.i18n import _


def _optional_float(text: str) -> float | None:
    if text.strip().lower() in ("none", "off", ""):
        return None
    return float(text)


def _cutoffs(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise argparse.ArgumentTypeError(f"cutoffs are whole numbers separated by commas, got {text!r}") from None


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


# (flag, dotted setting, type, metavar, help). Defaults come from Config and are added to the help.
SETTING_FLAGS: list[tuple[str, str, Callable[[str], Any], str, str]] = [
    ("--format", "data.format", str, "NAME", "input format: " + ", ".join(FORMATS)),
    ("--train", "data.train_path", str, "FILE", "pre-split GRU4Rec TSV training file (use with --test/--valid)"),
    ("--valid", "data.valid_path", str, "FILE", "pre-split GRU4Rec TSV validation file"),
    ("--test", "data.test_path", str, "FILE", "pre-split GRU4Rec TSV test file"),
    ("--min-rating", "sessions.min_rating", _optional_float, "R", "keep events with rating >= R; 'none' keeps all"),
    ("--recent-days", "sessions.recent_days", _optional_float, "DAYS", "keep the last DAYS days of the log; 'none' keeps all"),
    ("--session-mode", "sessions.mode", str, "MODE", "'user': one session per user; 'gap': split a user's events on idle gaps"),
    ("--gap-minutes", "sessions.gap_minutes", float, "MIN", "idle gap in minutes that starts a new session in gap mode"),
    ("--min-item-support", "sessions.min_item_support", int, "N", "drop items with fewer than N events"),
    ("--min-session-length", "sessions.min_session_length", int, "N", "drop sessions with fewer than N events"),
    ("--test-days", "split.test_days", float, "DAYS", "sessions ending in the last DAYS days form the test set"),
    ("--valid-days", "split.valid_days", float, "DAYS", "sessions ending in the DAYS days before the test period form the validation set; 0 for none"),
    ("--embedding-size", "model.embedding_size", int, "N", "item embedding size; 0 feeds one-hot item vectors"),
    ("--hidden-size", "model.hidden_size", int, "N", "GRU units per layer"),
    ("--layers", "model.num_layers", int, "N", "number of GRU layers"),
    ("--dropout-embedding", "model.dropout_embedding", float, "P", "drop probability on the input embedding"),
    ("--dropout-hidden", "model.dropout_hidden", float, "P", "drop probability on the GRU output"),
    ("--loss", "model.loss", str, "NAME", "training loss: " + ", ".join(LOSSES)),
    ("--n-sample", "model.n_sample", int, "N", "extra negative items shared by each mini-batch (0: full softmax for cross-entropy)"),
    ("--sample-alpha", "model.sample_alpha", float, "A", "negatives are drawn with probability proportional to support**A"),
    ("--logq", "model.logq", float, "W", "weight of the logQ correction in sampled cross-entropy"),
    ("--bpreg", "model.bpreg", float, "L", "score regularisation weight of BPR-max"),
    ("--constrained-embedding", "model.constrained_embedding", _bool, "BOOL", "share the output item embedding with the input"),
    ("--epochs", "train.epochs", int, "N", "training epochs"),
    ("--batch-size", "train.batch_size", int, "N", "parallel sessions per mini-batch"),
    ("--optimizer", "train.optimizer", str, "NAME", "optimizer: " + ", ".join(OPTIMIZERS)),
    ("--learning-rate", "train.learning_rate", float, "LR", "learning rate"),
    ("--momentum", "train.momentum", float, "M", "momentum of the Adagrad optimizer"),
    ("--shuffle-sessions", "train.shuffle_sessions", _bool, "BOOL", "shuffle the session order every epoch"),
    ("--seed", "train.seed", int, "N", "random seed; the same seed repeats a run exactly on the CPU"),
    ("--train-memory-limit-mb", "train.memory_limit_mb", int, "MB", "reject training estimated to need more than MB; unset, the limit is 90%% of the available memory"),
    ("--cutoffs", "eval.cutoffs", _cutoffs, "K,K", "cutoffs k for Recall@k and MRR@k"),
    ("--eval-batch-size", "eval.batch_size", int, "N", "parallel sessions per evaluation step"),
    ("--memory-limit-mb", "eval.memory_limit_mb", int, "MB", "memory for one block of scores; larger catalogs are scored in chunks"),
    ("--runs-dir", "runs_dir", str, "DIR", "folder for run directories (default: the runs folder in the user data folder)"),
]


# Settings whose help text already states what happens when they are unset.
DEFAULT_IN_TEXT = {"runs_dir", "train.memory_limit_mb"}
FLAG_BY_SETTING = {dotted: flag for flag, dotted, _kind, _metavar, _text in SETTING_FLAGS}
DATA_SECTIONS = ("data", "sessions", "split")


def _add_setting_flags(parser: argparse.ArgumentParser, sections: Sequence[str] | None = None) -> None:
    """Add one flag per setting, limited to `sections` (such as "data") when given."""
    defaults = Config()
    group = parser.add_argument_group(_("settings (override --preset and --config)"))
    for flag, dotted, kind, metavar, text in SETTING_FLAGS:
        section = dotted.partition(".")[0]
        if sections is not None and section not in sections:
            continue
        default = defaults.get(dotted)
        if isinstance(default, list):
            default = ",".join(str(v) for v in default)
        if dotted in DEFAULT_IN_TEXT or (section == "data" and default in (None, "")):
            shown = ""
        elif default is None:
            shown = " (default: none)"
        else:
            shown = f" (default: {default})"
        group.add_argument(flag, dest=dotted, type=kind, metavar=metavar, default=argparse.SUPPRESS, help=_(text) + shown)
    if sections is None:
        group.add_argument("--preset", metavar="NAME", help=_("named settings: movielens-course, rsc15-reference"))
    group.add_argument(
        "--config",
        metavar="FILE",
        help=_("TOML file with settings in tables such as [train] and [model]; flags override it"),
    )


def describe_config_error(error: ConfigError) -> str:
    """Return the message of a ConfigError with each setting's command-line flag beside its name."""
    lines = []
    for dotted, message in error.errors.items():
        flag = FLAG_BY_SETTING.get(dotted)
        name = f"{flag} ({dotted})" if flag else dotted
        lines.append(f"{name}: {message}")
    return _("invalid settings:") + "\n  " + "\n  ".join(lines)


def build_config(args: argparse.Namespace, path: str | None) -> Config:
    """Return the config from defaults, then --preset, --config, the data path and flags, in that order."""
    from core.presets import apply_preset

    config = Config()
    if getattr(args, "preset", None):
        apply_preset(config, args.preset)
    if getattr(args, "config", None):
        config.update_from_toml_file(args.config)
    flags = vars(args)
    if path is not None and "data.train_path" in flags:
        config.data.path = path  # both kinds of source: validation reports the conflict
    elif path is not None:
        from core.pipeline import set_data_source

        set_data_source(config, path, flags.get("data.format", config.data.format))
    for _flag, dotted, _kind, _metavar, _text in SETTING_FLAGS:
        if dotted in flags:
            config.set(dotted, flags[dotted])
    if config.data.train_path is not None and path is None:
        config.data.path = None
    return config


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sbr-tui",
        description=_("Session-based recommendation with GRU4Rec. Without a command, opens the terminal app."),
    )
    parser.add_argument("--version", action="version", version=f"sbr-tui {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help=_("folder for downloaded datasets (app)"))
    parser.add_argument("--runs-dir", dest="app_runs_dir", metavar="DIR", help=_("folder for run directories (app)"))
    parser.add_argument("--lang", metavar="CODE", help=_("language of the interface, such as en or ko"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    train = commands.add_parser("train", help=_("train GRU4Rec and save a run"), description=_("Load, split, train, evaluate and save a run."))
    train.add_argument("path", nargs="?", help=_("ratings file or dataset folder (MovieLens or GRU4Rec TSV)"))
    train.add_argument("--json", action="store_true", help=_("print one JSON object with every result as the last line of stdout"))
    _add_setting_flags(train)

    stats = commands.add_parser("stats", help=_("print statistics of a log"), description=_("Print counts, session lengths and time statistics."))
    stats.add_argument("path", nargs="?", help=_("ratings file or dataset folder (or pre-split files with --train/--test)"))
    stats.add_argument("--json", action="store_true", help=_("print the statistics as one JSON object"))
    _add_setting_flags(stats, DATA_SECTIONS)

    recommend = commands.add_parser("recommend", help=_("show a session's history and next-item recommendations"))
    recommend.add_argument("run_dir", help=_("run directory written by `sbr-tui train`"))
    recommend.add_argument("--session", type=int, help=_("session (or user) id from the valid or test data"))
    recommend.add_argument("-k", type=int, default=10, help=_("number of recommendations (default: 10)"))
    recommend.add_argument("--list", action="store_true", help=_("list the session ids that can be used"))
    recommend.add_argument("--json", action="store_true", help=_("print the result as one JSON object"))

    runs = commands.add_parser("runs", help=_("list saved runs"))
    runs.add_argument("--runs-dir", dest="list_runs_dir", metavar="DIR", help=_("folder for run directories"))

    download = commands.add_parser("download", help=_("download a MovieLens archive"))
    download.add_argument("name", choices=["ml-1m", "ml-100k", "ml-latest-small"], help=_("archive name"))
    download.add_argument("--dest", metavar="DIR", help=_("destination folder (default: the user data folder)"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.lang:
        from sbr_tui.i18n import set_language

        set_language(args.lang)

    if args.command is None:
        from sbr_tui.app import run_app

        return run_app(data_dir=args.data_dir, runs_dir=args.app_runs_dir)

    from rich.console import Console

    err = Console(stderr=True)
    try:
        if args.command == "train":
            from sbr_tui.commands import command_train

            return command_train(args, build_config(args, args.path))
        if args.command == "stats":
            from sbr_tui.commands import command_stats

            return command_stats(args, build_config(args, args.path))
        if args.command == "recommend":
            from sbr_tui.commands import command_recommend

            return command_recommend(args)
        if args.command == "runs":
            from sbr_tui.commands import command_runs

            return command_runs(args)
        if args.command == "download":
            from sbr_tui.commands import command_download

            return command_download(args)
    except SbrError as exc:
        from rich.text import Text

        message = describe_config_error(exc) if isinstance(exc, ConfigError) else str(exc)
        err.print(Text.assemble((f"{_('error')}: ", "bold red"), message), highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err.print(_("interrupted"))
        return 130
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
