"""The font documents are set in: Noto Sans (OFL), from the pinned ``fontpkg-noto-sans``.

The package ships Noto Sans as a variable font (2 MB, every script). Instancing all of it
for each PDF takes seconds, so once per process (about a second, at the first PDF) it is cut
to the characters a document prints (Latin, punctuation, the rupee sign ₹) and instanced at
regular and bold weight: two static fonts of ~33 kB in a private temporary directory (the
PDF library reads fonts from files), removed when the process exits. Characters outside the
cut are printed as ``?`` (``printable``).
"""

from __future__ import annotations

import atexit
import io
import shutil
import tempfile
from functools import cache
from pathlib import Path

from fontpkg_noto_sans import ROOT
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

FAMILY = "NotoSans"
SOURCE = ROOT / "files" / "NotoSans[wdth,wght].ttf"
WEIGHTS = {"": 400, "B": 700}
# Basic Latin, Latin-1, Latin Extended-A, general punctuation, the rupee and numero signs.
CODEPOINTS = frozenset(
    [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x2028), *range(0x2030, 0x2040)]
) | {0x20B9, 0x2116, 0x2122}


def _cut() -> bytes:
    """The variable font limited to ``CODEPOINTS`` (its axes kept)."""
    font = TTFont(io.BytesIO(SOURCE.read_bytes()), lazy=True)
    options = subset.Options()
    options.layout_features = ["kern", "liga"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(CODEPOINTS))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


@cache
def font_files() -> dict[str, Path]:
    """Style (``""``, ``"B"``) -> a static TTF of that weight, built on first use."""
    folder = Path(tempfile.mkdtemp(prefix="salestrack-fonts-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    cut = _cut()
    paths = {}
    for style, weight in WEIGHTS.items():
        font = instancer.instantiateVariableFont(
            TTFont(io.BytesIO(cut)), {"wght": weight, "wdth": 100}
        )
        paths[style] = folder / f"{FAMILY}-{weight}.ttf"
        font.save(str(paths[style]))
    return paths


def printable(text: str) -> str:
    """``text`` with what the font cannot show as ``?`` (line breaks kept)."""
    return "".join(c if ord(c) in CODEPOINTS or c == "\n" else "?" for c in text)
