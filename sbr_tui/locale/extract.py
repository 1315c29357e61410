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


def find_messages() -> dict[str, list[str]]:
    """Return each string passed to `_` as a literal, with the places it occurs (file:line)."""
    messages: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"):
                continue
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                place = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                messages.setdefault(node.args[0].value, []).append(place)
    return messages


def main() -> None:
    entries = [HEADER]
    for message, places in find_messages().items():
        entries.append(f"#: {' '.join(places)}\nmsgid {quote(message)}\nmsgstr \"\"\n")
    TEMPLATE.write_text("\n".join(entries), encoding="utf-8")
    print(f"wrote {len(entries) - 1} messages to {TEMPLATE}")


if __name__ == "__main__":
    main()
