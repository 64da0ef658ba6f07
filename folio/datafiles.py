"""The data files besides the chapters: figure data, the palette, and the paths the book names.

Every problem is a finding ``path:line:col: CODE severity: message`` with the path relative to
the project, and every file is reported in one run (``figures.load_figure_specs`` stops at the
first bad file and raises ``ValueError`` without a line; here its message is mapped back to the
line of the key at fault).
"""

from __future__ import annotations

import re
from pathlib import Path

from . import config, figures, safety, yamlio
from .catalogue import finding
from .errors import Finding, relpath

FIGURE_DIR = Path("assets") / "data" / "figures"
PALETTE = config.PALETTE
_HEX = re.compile(r"#[0-9A-Fa-f]{6}")
# Folders contributors write to: no file in them may lead outside (fonts, ICC profiles, images,
# figure data, the bibliography and the CSL style all live under assets/).
CONTAINED = ("chapters", "assets")


def read_text(path: Path, root: Path, folder: Path) -> tuple[str | None, list[Finding]]:
    """A data file's text, after checking that it is inside ``folder`` and not too large."""
    shown = relpath(path, root)
    if not safety.inside(path, folder):
        return None, [finding("F007", shown, 0, f"'{shown}' leads outside {relpath(folder, root)}/")]
    try:
        size = path.stat().st_size
        if size > safety.MAX_DATA_BYTES:
            return None, [finding("F003", shown, 0, f"the file is {size:,} bytes; the limit is {safety.MAX_DATA_BYTES:,}")]
        return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n"), []
    except UnicodeDecodeError as exc:
        return None, [finding("F001", shown, 0, f"not UTF-8 ({exc.reason} at byte {exc.start})")]
    except OSError as exc:
        return None, [finding("D001", shown, 0, f"cannot read the file: {exc.strerror}")]


def _line_of(message: str, lines: yamlio.Lines) -> int:
    """The line of the deepest key named in a ``figures`` error message that the file has."""
    key = re.search(r"key '([^']*)'", message)
    parts = tuple(re.findall(r"[^.\[\]]+", key.group(1))) if key else ()
    while parts:
        if parts in lines:
            return lines[parts]
        parts = parts[:-1]
    return 1


def load_figures(root: Path) -> tuple[list[figures.FigureSpec], list[Finding]]:
    """Every figure data file, checked; a finding with file and line for each bad one."""
    folder = root / FIGURE_DIR
    specs: list[figures.FigureSpec] = []
    problems: list[Finding] = []
    for path in sorted(folder.glob("*.yaml")):
        shown = relpath(path, root)
        text, found = read_text(path, root, folder)
        if text is None:
            problems += found
            continue
        data, lines, found = yamlio.load(text, shown)
        if found:
            problems += found
            continue
        try:
            specs.append(figures._load_one(path))   # the figure module's own checks of each kind
        except ValueError as exc:
            message = str(exc).removeprefix(f"{path}: ").removeprefix(f"{path}")
            problems.append(finding("D001", shown, _line_of(message, lines), message))
        del data
    return specs, problems


PALETTE_SCHEMA: dict[str, config.Field] = {
    **{key: config.Field(str, key != "text", "A colour as #rrggbb." + (" Type; ink when absent." if key == "text" else ""))
       for key in (*figures.PALETTE_KEYS, "motif")},
    "themes": config.Field(dict, True, "One #rrggbb colour per theme key (the book's own names: the values of its "
                           "front-matter key of type colour)."),
    "press_single_ink": config.Field(dict, False, "Palette keys the press edition prints in black ink alone, each as "
                                     "a percentage of K (small type on one plate), instead of through the profile."),
}


def check_palette(root: Path) -> list[Finding]:
    path = root / PALETTE
    shown = relpath(path, root)
    text, problems = read_text(path, root, root / "assets")
    if text is None:
        return problems
    data, lines, problems = yamlio.load(text, shown)
    if problems:
        return problems
    problems = config.validate(data, PALETTE_SCHEMA, lines, shown)
    if problems:
        return problems
    for where, value in [((k,), v) for k, v in data.items() if k not in ("themes", "press_single_ink")] + \
                        [(("themes", k), v) for k, v in data["themes"].items()]:
        if not isinstance(value, str) or not _HEX.fullmatch(value):
            problems.append(finding("M005", shown, lines.get(where, 1), f"'{'.'.join(where)}' must be a colour as #rrggbb, not {value!r}"))
    for key, value in (data.get("press_single_ink") or {}).items():
        where = ("press_single_ink", key)
        if (key not in data and key not in figures.PALETTE_KEYS) or key in ("themes", "press_single_ink"):
            problems.append(finding("M005", shown, lines.get(where, 1), f"'press_single_ink.{key}' names no colour of the palette"))
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
            problems.append(finding("M005", shown, lines.get(where, 1),
                                    f"'press_single_ink.{key}' must be a percentage of black from 0 to 100, not {value!r}"))
    return problems


def check_symlinks(root: Path) -> list[Finding]:
    """Any file or folder under chapters/ or assets/ that leads outside its folder."""
    out: list[Finding] = []
    for name in CONTAINED:
        folder = root / name
        if not folder.is_dir():
            continue
        if not safety.inside(folder, root):
            out.append(finding("F007", name, 0, f"'{name}/' leads outside the project"))
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() and not safety.inside(path, folder):
                out.append(finding("F007", relpath(path, root), 0, f"'{path.relative_to(root).as_posix()}' is a link to a "
                                   f"place outside {name}/"))
    return out
