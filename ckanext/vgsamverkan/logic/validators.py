"""Validators of the extension, registered with the ``vgsamverkan_`` prefix.

Each raises ``tk.Invalid`` with a message in the user's language.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import config, orgnumber, peppol
from ckanext.vgsamverkan.domain import objects
from ckanext.vgsamverkan.fees import allocation as fees
from ckanext.vgsamverkan.formats import not_one_line
from ckanext.vgsamverkan.labels import ORG_TYPES, ROLES
from ckanext.vgsamverkan.model import Population
from ckanext.vgsamverkan.population_file import is_municipality_code

__all__ = [
    "vgsamverkan_text",
    "vgsamverkan_org_type",
    "vgsamverkan_role",
    "vgsamverkan_money",
    "vgsamverkan_hours",
    "vgsamverkan_quarter_hours",
    "vgsamverkan_hour_change",
    "vgsamverkan_month",
    "vgsamverkan_bool",
    "vgsamverkan_percent",
    "vgsamverkan_signed_money",
    "vgsamverkan_competence_area",
    "vgsamverkan_url",
    "vgsamverkan_org_number",
    "vgsamverkan_municipality_code",
    "vgsamverkan_phone",
    "vgsamverkan_date",
    "vgsamverkan_year",
    "vgsamverkan_positive_int",
    "vgsamverkan_object_type",
    "vgsamverkan_limit",
    "vgsamverkan_mail_language",
    "vgsamverkan_one_line",
    "vgsamverkan_email",
    "vgsamverkan_postcode",
    "vgsamverkan_peppol_endpoint",
]

_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,30}$")
# digits are ASCII digits (Python's \d and int() also take ٣ and ２)
_YEAR = re.compile(r"[0-9]{4}")
_WHOLE = re.compile(r"[0-9]{1,30}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def vgsamverkan_text(key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Any) -> None:
    """Text, stripped; numbers are taken as their text. Anything else (a list, an
    object, true/false) is refused and stops the field's other validators, which can
    then rely on having text."""
    value = data.get(key)
    if value is tk.missing or value is None:
        return
    try:
        data[key] = objects.as_text(value)  # the same reading as the auth functions'
    except tk.Invalid as error:
        errors[key].append(error.error)
        raise tk.StopOnError from error


def vgsamverkan_one_line(value: Any) -> Any:
    """One line of text (a title, a name, a reference, a contact detail): no line break,
    tab or other control character. Refused, not cleaned: what was typed is kept on the
    page for the person to correct."""
    if isinstance(value, str) and not_one_line(value):
        raise tk.Invalid(tk._("Write it on one line, without line breaks, tabs or other control characters"))
    return value


def vgsamverkan_email(value: Any, context: Any) -> Any:
    """An e-mail address as CKAN checks its users' (``email_validator``), and with a dot in
    the part after the @ (``a@b`` reaches no one)."""
    if value in (None, "", tk.missing):
        return value
    value = tk.get_validator("email_validator")(value, context)
    if "." not in str(value).rpartition("@")[2]:
        raise tk.Invalid(tk._("Email {email} is not a valid format").format(email=value))
    return value


def vgsamverkan_org_type(value: Any) -> Any:
    if value not in ORG_TYPES:
        raise tk.Invalid(
            tk._("Choose one of: {choices}").format(choices=", ".join(ORG_TYPES))
        )
    return value


def vgsamverkan_role(value: Any) -> Any:
    if value not in ROLES:
        raise tk.Invalid(tk._("Choose one of: {choices}").format(choices=", ".join(ROLES)))
    return value


def vgsamverkan_mail_language(value: Any) -> Any:
    """``sv`` or ``en``; empty: the portal's default language (None)."""
    if value in (None, ""):
        return None
    if value not in ("sv", "en"):
        raise tk.Invalid(tk._("Choose sv or en, or leave it empty for the portal's language"))
    return value


_MONEY = re.compile(r"^[0-9]{1,12}(?:[.,][0-9]{1,2})?$")
_HOURS = re.compile(r"^[0-9]{1,6}(?:[.,][0-9]{1,2})?$")


def vgsamverkan_money(value: Any) -> Any:
    """An amount in SEK as a decimal string (``"18500"``, ``"18500.50"``, ``"18 500,50"``),
    0 or more, at most two decimals; converted to whole öre (an int)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise tk.Invalid(tk._("Write the amount in SEK as a decimal string, e.g. 18500.00"))
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if not _MONEY.match(text):
        raise tk.Invalid(tk._("Write the amount in SEK as a decimal string, e.g. 18500.00"))
    return int((Decimal(text.replace(",", ".")) * 100).to_integral_value())


def vgsamverkan_hours(value: Any) -> Any:
    """A positive number of hours with at most two decimals; a ``Decimal``."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise tk.Invalid(tk._("Write the hours as a number, e.g. 24.5"))
    text = str(value).strip()
    if not _HOURS.match(text):
        raise tk.Invalid(tk._("Write the hours as a number, e.g. 24.5"))
    hours = Decimal(text.replace(",", "."))
    if hours <= 0:
        raise tk.Invalid(tk._("The hours must be more than 0"))
    return hours


def vgsamverkan_quarter_hours(value: Any) -> Any:
    """Hours of work on one day: more than 0, at most 24, in quarter hours (0.25, 1.5,
    7.75…); a ``Decimal``."""
    hours = vgsamverkan_hours(value)
    if hours > 24:
        raise tk.Invalid(tk._("A day has at most 24 hours"))
    if (hours * 4) % 1:
        raise tk.Invalid(tk._("Log time in quarter hours, e.g. 1.25 or 7.5"))
    return hours


def vgsamverkan_hour_change(value: Any) -> Any:
    """A change of a day's hours (a correction): not 0, more or fewer, in quarter hours,
    at most a day either way; a ``Decimal``."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise tk.Invalid(tk._("Write the change of hours as a number, e.g. -1.5 or 0.25"))
    text = str(value).strip()
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-").strip()
    if not _HOURS.match(text):
        raise tk.Invalid(tk._("Write the change of hours as a number, e.g. -1.5 or 0.25"))
    hours = sign * Decimal(text.replace(",", "."))
    if hours == 0:
        raise tk.Invalid(tk._("A correction changes the hours: it cannot be 0"))
    if abs(hours) > 24:
        raise tk.Invalid(tk._("A day has at most 24 hours"))
    if (hours * 4) % 1:
        raise tk.Invalid(tk._("Log time in quarter hours, e.g. 1.25 or 7.5"))
    return hours


def vgsamverkan_competence_area(value: Any) -> Any:
    """The key of a configured competence area (``ckanext.vgsamverkan.competence_areas``)."""

    keys = [area["key"] for area in config.competence_areas()]
    if value not in keys:
        raise tk.Invalid(tk._("Choose one of: {choices}").format(choices=", ".join(keys)))
    return value


def vgsamverkan_month(value: Any) -> Any:
    """A month as ``YYYY-MM``; converted to ``(year, month)``."""

    if isinstance(value, tuple):
        return value
    try:
        return fees.parse_month(value.strip() if isinstance(value, str) else value)
    except (ValueError, TypeError):
        raise tk.Invalid(tk._("Write the month as YYYY-MM")) from None


_PERCENT = re.compile(r"^[0-9]{1,3}(?:[.,][0-9]{1,2})?$")


_TRUE = {"true", "yes", "on", "1", "ja", "sant"}
_FALSE = {"false", "no", "off", "0", "nej", "falskt", ""}


def vgsamverkan_bool(value: Any) -> Any:
    """true or false (also yes/no, on/off, 1/0); anything else is refused (CKAN's
    boolean_validator takes any other word for false, so a mistyped ``dry_run`` would
    save)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise tk.Invalid(tk._("Write true or false"))


def vgsamverkan_percent(value: Any) -> Any:
    """A percent from 0 to 100 with at most two decimals; a ``Decimal``."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise tk.Invalid(tk._("Write a percent from 0 to 100, e.g. 12.5"))
    text = str(value).strip()
    if not _PERCENT.match(text) or Decimal(text.replace(",", ".")) > 100:
        raise tk.Invalid(tk._("Write a percent from 0 to 100, e.g. 12.5"))
    return Decimal(text.replace(",", "."))


def vgsamverkan_signed_money(value: Any) -> Any:
    """An amount in SEK that may be negative (a credit): ``"-1250.00"``; whole öre."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise tk.Invalid(tk._("Write the amount in SEK as a decimal string, e.g. -1250.00"))
    text = str(value).strip().replace(" ", "").replace("\u00a0", "").replace("\u2212", "-")
    negative = text.startswith("-")
    try:
        ore = vgsamverkan_money(text[1:] if negative else text)
    except tk.Invalid:
        raise tk.Invalid(tk._("Write the amount in SEK as a decimal string, e.g. -1250.00")) from None
    return -ore if negative else ore


def vgsamverkan_url(value: Any) -> Any:
    """An ``http`` or ``https`` URL."""

    if value in (None, "", tk.missing):
        return value
    parsed = urlparse(str(value))
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise tk.Invalid(tk._("Write a web address that starts with http:// or https://"))
    return value


def vgsamverkan_org_number(value: Any) -> Any:
    why = orgnumber.problem(value) if isinstance(value, str) else "format"
    if why == "format":
        raise tk.Invalid(tk._("Write the organisationsnummer as NNNNNN-NNNN"))
    if why == "personal":
        raise tk.Invalid(
            tk._(
                "The third digit of an organisationsnummer is 2 or higher; "
                "this looks like a personal identity number"
            )
        )
    if why == "checksum":
        raise tk.Invalid(
            tk._("The organisationsnummer is not valid (its check digit is wrong)")
        )
    return orgnumber.normalise(value)


def vgsamverkan_municipality_code(value: Any) -> Any:
    """A four-digit kommunkod of a municipality known to the population table."""
    if value in (None, "", tk.missing):
        return value
    if not isinstance(value, str) or not is_municipality_code(value):
        raise tk.Invalid(tk._("A municipality code has four digits, e.g. 1480"))
    known = (
        model.Session.query(Population.municipality_code)
        .filter(Population.municipality_code == value)
        .first()
    )
    if not known:
        raise tk.Invalid(tk._("Unknown municipality code: {code}").format(code=value))
    return value


def vgsamverkan_phone(value: Any) -> Any:
    if value in (None, "", tk.missing):
        return value
    if not isinstance(value, str) or not _PHONE.match(value):
        raise tk.Invalid(tk._("Write a telephone number with digits, e.g. 031-123 45 67"))
    return value


_POSTCODE = re.compile(r"([0-9]{3}) ?([0-9]{2})")


def vgsamverkan_postcode(value: Any) -> Any:
    """A Swedish postcode, five ASCII digits; written ``NNN NN``."""
    if value in (None, "", tk.missing):
        return value
    match = _POSTCODE.fullmatch(str(value).strip())
    if not match:
        raise tk.Invalid(tk._("Write the postcode as five digits, e.g. 411 01"))
    return f"{match.group(1)} {match.group(2)}"


def vgsamverkan_peppol_endpoint(value: Any) -> Any:
    """A Peppol endpoint, ``scheme:identifier`` (peppol.endpoint_problem: a scheme of the
    EAS list; 0007 an organisationsnummer, 0088 a GLN, each with its check digit); the
    organisationsnummer may be written with its hyphen."""
    if value in (None, "", tk.missing):
        return value
    text = str(value).strip()
    scheme, sep, ident = text.partition(":")
    if sep and scheme == "0007" and orgnumber.problem(ident) is None:
        text = f"0007:{peppol.digits_of(ident)}"
    problem = peppol.endpoint_problem(text)
    if problem:
        raise tk.Invalid(tk._(problem).format(scheme=scheme))
    return text


def vgsamverkan_date(value: Any) -> Any:
    """A date as ``YYYY-MM-DD``; converted to ``datetime.date``."""
    if value in (None, "", tk.missing):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise tk.Invalid(tk._("Write the date as YYYY-MM-DD"))
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise tk.Invalid(tk._("Write the date as YYYY-MM-DD")) from None


def _number_text(value: Any) -> str:
    """A whole number given as a number or as text, as stripped text; "" for anything
    else (true/false, a list, a float)."""
    return str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def vgsamverkan_year(value: Any) -> Any:
    """A year of four ASCII digits, 1900-2200 (a number or its text)."""
    text = _number_text(value)
    if not _YEAR.fullmatch(text) or not 1900 <= int(text) <= 2200:
        raise tk.Invalid(tk._("Write the year as four digits"))
    return int(text)


def vgsamverkan_positive_int(value: Any) -> Any:
    """A whole number of 0 or more, in ASCII digits (a number or its text)."""
    text = _number_text(value)
    if not _WHOLE.fullmatch(text):
        raise tk.Invalid(tk._("Must be a whole number of 0 or more"))
    number = int(text)
    if number > 2_147_483_647:  # PostgreSQL's integer, and far beyond any count or offset here
        raise tk.Invalid(tk._("Must be at most 2147483647"))
    return number


def vgsamverkan_object_type(value: Any) -> Any:
    if value not in objects.KINDS:
        raise tk.Invalid(
            tk._("Choose one of: {choices}").format(choices=", ".join(objects.KINDS))
        )
    return value


def vgsamverkan_limit(value: Any) -> Any:
    number = vgsamverkan_positive_int(value)
    if not 1 <= number <= 1000:
        raise tk.Invalid(tk._("Must be between 1 and 1000"))
    return number


def required(message: Any):
    """A factory used in schemas: ``not_empty`` that says what is missing (issue 39: the
    application form answered "Värde saknas" where it could name the field). A value of
    only white space is missing too. ``message``: a function giving the words, called
    when the schema is used (the request's language)."""
    from ckan.lib.navl.dictization_functions import StopOnError, missing  # noqa: PLC0415 (CKAN's)

    def validator(key: Any, data: Any, errors: Any, context: Any) -> None:
        value = data.get(key)
        if value is missing or value is None or (isinstance(value, str) and not value.strip()):
            errors[key].append(message())
            raise StopOnError

    return validator


def max_length(length: int):
    """A factory used in schemas (not registered as a validator)."""

    def validator(value: Any) -> Any:
        if isinstance(value, str) and len(value) > length:
            raise tk.Invalid(
                tk._("Must be at most {n} characters").format(n=length)
            )
        return value

    return validator


def one_line(length: int):
    """A factory used in schemas: one line of text (``vgsamverkan_one_line``) of at most
    ``length`` characters."""
    longest = max_length(length)

    def validator(value: Any) -> Any:
        return longest(vgsamverkan_one_line(value))

    return validator
