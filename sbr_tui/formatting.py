"""Text formatting of times, durations and metrics shared by the screens."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from sbr_tui.i18n import _, ngettext


# Run statuses and split parts as the core writes them, with their display names.
STATUS_NAMES = {
    "running": _("running"),
    "finished": _("finished"),
    "cancelled": _("cancelled"),
    "failed": _("failed"),
    "broken": _("broken"),
}
PART_NAMES = {"train": _("train"), "valid": _("valid"), "test": _("test")}

# Short names of the losses for narrow tables. The full names are in the run's settings.
LOSS_SHORT_NAMES = {"cross-entropy": "CE", "bpr-max": "BPR-max", "top1-max": "TOP1-max"}

# Run folder names start with the local start time, as core.runs.create_run_dir writes it.
RUN_STAMP_FORMAT = "%Y%m%d-%H%M%S"
RUN_STAMP_LENGTH = 15


def status_name(status: str) -> str:
    """Return the display name of a run status, or the status itself when it is unknown."""
    return STATUS_NAMES.get(status, status)


def part_name(part: str) -> str:
    """Return the display name of a split part: train, valid or test."""
    return PART_NAMES.get(part, part)


def loss_short_name(loss: str | None) -> str:
    """Return the short name of a loss, such as CE for cross-entropy, or "-" when unknown."""
    if not loss:
        return "-"
    return LOSS_SHORT_NAMES.get(loss, loss)


def tail_text(text: str, width: int) -> str:
    """Return `text`, or its last `width` - 1 characters after "…" when it is longer than `width`."""
    if len(text) <= width:
        return text
    return "…" + text[len(text) - width + 1 :]


def run_label(name: str, dataset: str | None, width: int = 22, seconds: bool = False) -> str:
    """Return a short label of a run: its start as `MM-DD HH:MM` (with `:SS` when `seconds`) and the dataset name.

    A name without a start time, such as a folder made by hand, is shown as its last `width` characters.
    """
    try:
        started = dt.datetime.strptime(name[:RUN_STAMP_LENGTH], RUN_STAMP_FORMAT)
    except ValueError:
        return tail_text(name, width)
    stamp = started.strftime("%m-%d %H:%M:%S " if seconds else "%m-%d %H:%M ")
    if dataset:
        path = Path(dataset)
        source = path.stem if path.suffix else path.name
    else:
        source = name[RUN_STAMP_LENGTH + 1 :]
    return stamp + tail_text(source, width - len(stamp))


def format_time(seconds: float | None) -> str:
    """Format unix seconds as a UTC date and minute, or "-" when unknown."""
    if seconds is None or not math.isfinite(float(seconds)):
        return "-"
    moment = dt.datetime.fromtimestamp(float(seconds), tz=dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M")


def format_duration(seconds: float | None) -> str:
    """Format a duration in seconds as `1d 02:03:04`, `02:03:04` or `12.3 s`."""
    if seconds is None or not math.isfinite(float(seconds)):
        return "-"
    seconds = float(seconds)
    if seconds < 60:
        return _("{seconds:.1f} s").format(seconds=seconds)
    whole = int(round(seconds))
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}d {clock}" if days else clock


def epochs_text(count: int) -> str:
    """Return "1 epoch" or "N epochs" in the current language."""
    return ngettext("{count} epoch", "{count} epochs", count).format(count=count)


def format_metric(value: Any) -> str:
    """Format a metric such as Recall@k with four decimals, or "-" when missing."""
    if value is None:
        return "-"
    try:
        return f"{float(value):.4f}"
    except (TypeError, ValueError):
        return "-"


def format_count(value: Any) -> str:
    """Format a count with thousands separators, or "-" when missing."""
    if value is None:
        return "-"
    return f"{int(value):,}"


def format_number(value: Any, digits: int = 1) -> str:
    """Format a float with `digits` decimals, or "-" when missing."""
    if value is None:
        return "-"
    return f"{float(value):,.{digits}f}"


def largest_cutoff(metrics: dict[str, Any], default: int = 20) -> int:
    """Return the largest k among `recall@k` keys of `metrics`, or `default` when there are none."""
    cutoffs = [int(key.split("@", 1)[1]) for key in metrics if key.startswith("recall@")]
    return max(cutoffs) if cutoffs else default
