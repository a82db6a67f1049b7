"""The e-mails' language: gettext catalogs (``locales/<lang>/LC_MESSAGES/reminders.po``)
read with Babel, and one Jinja environment per language with the i18n extension.

A locale whose language has no catalog gets English; numbers, dates and times are still
written its way (``core.formatting``). The catalogs are compiled in memory on first use,
so translators edit the .po files and nothing else.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

HERE = Path(__file__).parent
LOCALE_DIR = HERE / "locales"
TEMPLATE_DIR = HERE / "templates"
DOMAIN = "reminders"


def languages() -> frozenset[str]:
    """Languages with a catalog, and English (the messages' own language)."""
    found = {p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").exists()}
    return frozenset(found | {"en"})


def language_of(locale: str) -> str:
    """``hi_IN`` -> ``hi`` when Hindi has a catalog, else ``en``."""
    language = locale.replace("-", "_").split("_")[0].lower()
    return language if language in languages() else "en"


@lru_cache(maxsize=16)
def translations(language: str) -> gettext.NullTranslations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == "en" or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    found: gettext.NullTranslations = Translations(fp=compiled, domain=DOMAIN)
    return found


@lru_cache(maxsize=16)
def environment(language: str) -> Environment:
    """Templates for ``language``: ``.html`` autoescaped, ``.txt`` as written."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env
