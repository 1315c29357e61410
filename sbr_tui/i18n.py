"""The translation function for every user-facing string of the app and the CLI.

Strings are looked up in the gettext catalog `sbr_tui/locale/<lang>/LC_MESSAGES/sbr_tui.mo`.
The language comes from `SBR_TUI_LANG`, else from the usual LANGUAGE / LC_ALL /
LC_MESSAGES / LANG variables; English (the source strings) is the fallback.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

DOMAIN = "sbr_tui"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_translation: gettext.NullTranslations = gettext.NullTranslations()


def set_language(language: str | None = None) -> None:
    """Switch the catalog; None picks the language from the environment."""
    global _translation
    if language is None:
        language = os.environ.get("SBR_TUI_LANG")
    languages = [language] if language else None
    _translation = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=languages, fallback=True)


def _(message: str) -> str:
    """Return `message` in the current language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


set_language()
