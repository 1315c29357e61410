"""Write sbr_tui.pot, the gettext template of every `_("...")` string in the sbr_tui package.

Run `python sbr_tui/locale/extract.py`; translators copy the template to
`<lang>/LC_MESSAGES/sbr_tui.po` and compile it to `sbr_tui.mo` with msgfmt.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).resolve().parent / "sbr_tui.pot"
HEADER = '''msgid ""
msgstr ""
"Project-Id-Version: sbr-tui\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
'''


def quote(text: str) -> str:
    """Return `text` as a quoted .po string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def literal_strings(node: ast.Call, count: int) -> list[str] | None:
    """Return the first `count` arguments of a call when all are string literals, else None."""
    arguments = node.args[:count]
    if len(arguments) < count or not all(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in arguments):
        return None
    return [arg.value for arg in arguments]


def find_messages() -> dict[tuple[str, str | None], list[str]]:
    """Return each literal passed to `_`, or singular and plural passed to `ngettext`, with its places (file:line)."""
    messages: dict[tuple[str, str | None], list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id == "_":
                strings = literal_strings(node, 1)
                key = None if strings is None else (strings[0], None)
            elif node.func.id == "ngettext":
                strings = literal_strings(node, 2)
                key = None if strings is None else (strings[0], strings[1])
            else:
                continue
            if key is not None:
                place = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                messages.setdefault(key, []).append(place)
    return messages


def main() -> None:
    entries = [HEADER]
    for (message, plural), places in find_messages().items():
        if plural is None:
            entries.append(f"#: {' '.join(places)}\nmsgid {quote(message)}\nmsgstr \"\"\n")
        else:
            entries.append(
                f"#: {' '.join(places)}\nmsgid {quote(message)}\nmsgid_plural {quote(plural)}\n"
                "msgstr[0] \"\"\nmsgstr[1] \"\"\n"
            )
    TEMPLATE.write_text("\n".join(entries), encoding="utf-8")
    print(f"wrote {len(entries) - 1} messages to {TEMPLATE}")


if __name__ == "__main__":
    main()
