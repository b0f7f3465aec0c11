"""Numbers and money as people write them in the language of the page or the mail.

Swedish: ``18 500,00 kr`` and ``24,5`` (a no-break space groups the thousands, a comma
marks the decimals). English: ``SEK 18,500.00`` and ``24.5``. Dates are ISO 8601
(``2026-11-26``) in both, which is also the Swedish standard (SS-ISO 8601).

The one place pages (through the template helpers), mails, fee statements and the event
log's summaries format a number, so that they can never disagree.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from babel.numbers import format_decimal

LANGUAGES = ("sv", "en")


def current_lang() -> str:
    """The language of the current web request, or the site's default (``sv`` or ``en``)."""
    import ckan.plugins.toolkit as tk  # noqa: PLC0415 (formats is pure, tested without CKAN: CKAN and Flask only when a request's language is asked)

    from ckanext.vgsamverkan import config  # noqa: PLC0415 (formats is pure, tested without CKAN: CKAN and Flask only when a request's language is asked)

    try:
        from flask import has_request_context  # noqa: PLC0415 (formats is pure, tested without CKAN: CKAN and Flask only when a request's language is asked)

        if has_request_context():
            lang = tk.h.lang()
            if lang in LANGUAGES:
                return lang
    except Exception:  # noqa: BLE001 (no app, or a request without a locale)
        pass
    return config.default_locale() if config.default_locale() in LANGUAGES else "sv"


def _decimal(value: Any) -> Decimal:
    if isinstance(value, str) and "/" in value:
        frac = Fraction(value)
        return Decimal(frac.numerator) / Decimal(frac.denominator)
    return Decimal(str(value))


def number(value: Any, lang: str | None = None, decimals: int | None = None) -> str:
    """A decimal number (int, ``Decimal``, decimal string or ``"a/b"`` fraction string):
    ``24,5`` in Swedish, ``24.5`` in English; ``decimals`` fixes the number of decimals,
    else at most two are shown. Empty for none."""
    if value is None or value == "":
        return ""
    lang = lang if lang in LANGUAGES else current_lang()
    pattern = "#,##0." + "0" * decimals if decimals else "#,##0.##"
    return format_decimal(_decimal(value), format=pattern, locale=lang)


def sek(value: Any, lang: str | None = None) -> str:
    """An amount in SEK (a decimal string or number of kronor) with its currency:
    ``18 500,00 kr`` in Swedish, ``SEK 18,500.00`` in English. Empty for none."""
    if value is None or value == "":
        return ""
    lang = lang if lang in LANGUAGES else current_lang()
    text = number(value, lang, decimals=2)
    return f"{text} kr" if lang == "sv" else f"SEK {text}"


def ore_to_kronor(ore: Any) -> Decimal | None:
    """Whole (or fractional, ``"a/b"``) öre as kronor."""
    if ore is None or ore == "":
        return None
    return _decimal(ore) / 100


# control (Cc) and format (Cf: zero-width, direction overrides, byte-order mark) characters,
# line and paragraph separators (Zl, Zp): none of them belongs in one line of text
_NOT_ON_ONE_LINE = ("Cc", "Cf", "Zl", "Zp")


def not_one_line(text: str) -> bool:
    """Whether ``text`` has a character that one line of text (a title, a name, a
    reference) never has: a line break, a tab or another control character, or an
    invisible format character such as a direction override (SPEC 2026-12-07)."""
    import unicodedata  # noqa: PLC0415

    return any(unicodedata.category(ch) in _NOT_ON_ONE_LINE for ch in text)
