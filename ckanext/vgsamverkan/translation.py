"""The extension's own catalogue, for text composed outside a request (mail, history
sentences, fee line texts) in a given language. Babel and the files only: owned by no
sender, so that the pure text modules can import it at the top (issue 18: before, it
lived in mailer.py, and eventtext, feetext and the mailer closed an import circle)."""
from __future__ import annotations

import os
from functools import lru_cache

from babel.support import NullTranslations, Translations

from ckanext.vgsamverkan.formats import LANGUAGES

__all__ = ["LANGUAGES", "translations"]

_I18N = os.path.join(os.path.dirname(__file__), "i18n")


@lru_cache(maxsize=8)
def translations(lang: str) -> NullTranslations:
    """The catalogue of ``lang`` (English is the source language: no catalogue)."""
    if lang == "en":
        return NullTranslations()
    return Translations.load(_I18N, [lang], domain="ckanext-vgsamverkan")
