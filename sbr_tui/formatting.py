"""Text formatting of times, durations and metrics shared by the screens."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sbr_tui.i18n import _


# Run statuses and split parts as the core writes them, with their display names.
STATUS_NAMES = {
    "running": _("running"),
    "finished": _("finished"),
    "cancelled": _("cancelled"),
    "failed": _("failed"),
    "broken": _("broken"),
}
PART_NAMES = {"train": _("train"), "valid": _("valid"), "test": _("test")}


def status_name(status: str) -> str:
    """Return the display name of a run status, or the status itself when it is unknown."""
    return STATUS_NAMES.get(status, status)


def part_name(part: str) -> str:
    """Return the display name of a split part: train, valid or test."""
    return PART_NAMES.get(part, part)


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
