"""One schema per action. Validators are looked up when the schema is built, never at
import time (``@tk.validator_args``)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Schema, Validator

from ckanext.vgsamverkan.domain import objects
from ckanext.vgsamverkan.logic.validators import max_length, one_line, required

TEXT_SHORT = 200
TEXT_LONG = 5000


def _contact_name() -> str:
    return tk._("Give the name of the contact person")


def _contact_email() -> str:
    return tk._("Give the contact person's e-mail address")


@tk.validator_args
def participation_apply(
    ignore_missing: Validator,
    vgsamverkan_email: Validator,
    name_validator: Validator,
    vgsamverkan_text: Validator,
    vgsamverkan_org_type: Validator,
    vgsamverkan_org_number: Validator,
    vgsamverkan_municipality_code: Validator,
    vgsamverkan_phone: Validator,
) -> Schema:
    short = max_length(TEXT_SHORT)
    short_line = one_line(TEXT_SHORT)
    return {
        "organization_id": [ignore_missing, vgsamverkan_text, short],
        "organization_title": [ignore_missing, vgsamverkan_text, short_line],
        "organization_name": [ignore_missing, vgsamverkan_text, name_validator],
        # each missing field says what it wants (issue 39)
        "org_type": [required(lambda: tk._("Choose the type of organisation")), vgsamverkan_text,
                     vgsamverkan_org_type],
        "municipality_code": [ignore_missing, vgsamverkan_text, vgsamverkan_municipality_code],
        "org_number": [required(lambda: tk._("Give the organisation's organisationsnummer")), vgsamverkan_text,
                       vgsamverkan_org_number],
        # required again after the stripping: "\u00a0" alone is no name
        "contact_name": [required(_contact_name), vgsamverkan_text, required(_contact_name), short_line],
        "contact_email": [required(_contact_email), vgsamverkan_text, required(_contact_email), short_line,
                          vgsamverkan_email],
        "contact_phone": [ignore_missing, vgsamverkan_text, one_line(TEXT_SHORT), vgsamverkan_phone],
        "invoice_reference": [ignore_missing, vgsamverkan_text, short_line],
        "motivation": [ignore_missing, vgsamverkan_text, max_length(TEXT_LONG)],
        "language": [ignore_missing, vgsamverkan_text, short_line],
        **customer_fields(),
    }


CUSTOMER_FIELDS = ("address_street", "address_postcode", "address_city", "peppol_endpoint")


def customer_fields() -> Schema:
    """The customer's master data (issue 37), each optional; given empty, cleared (the
    endpoint then follows the organisationsnummer). ``legal_name`` is the coordinator's:
    the legal name of the organisationsnummer, shared by the customers that carry it."""
    ignore_missing, text = tk.get_validator("ignore_missing"), tk.get_validator("vgsamverkan_text")
    return {
        "address_street": [ignore_missing, text, one_line(100)],
        "address_postcode": [ignore_missing, text, tk.get_validator("vgsamverkan_postcode")],
        "address_city": [ignore_missing, text, one_line(60)],
        "peppol_endpoint": [ignore_missing, text, one_line(120), tk.get_validator("vgsamverkan_peppol_endpoint")],
        "legal_name": [ignore_missing, text, one_line(TEXT_SHORT)],
    }


@tk.validator_args
def object_id(not_empty: Validator, vgsamverkan_text: Validator) -> Schema:
    return {"id": [not_empty, vgsamverkan_text]}


@tk.validator_args
def decision(
    not_empty: Validator, ignore_missing: Validator, vgsamverkan_text: Validator
) -> Schema:
    """Schema of a decision that takes an optional comment."""
    return {
        "id": [not_empty, vgsamverkan_text],
        "comment": [ignore_missing, vgsamverkan_text, max_length(TEXT_LONG)],
    }


@tk.validator_args
def rejection(not_empty: Validator, vgsamverkan_text: Validator) -> Schema:
    return {
        "id": [not_empty, vgsamverkan_text],
        "reason": [not_empty, vgsamverkan_text, not_empty, max_length(TEXT_LONG)],
    }


def participation_approve() -> Schema:
    schema = decision()
    date = tk.get_validator("vgsamverkan_date")
    schema["effective_from"] = [tk.get_validator("ignore_missing"), date]
    return schema


@tk.validator_args
def participation_update(
    ignore_missing: Validator,
    not_empty: Validator,
    vgsamverkan_email: Validator,
    vgsamverkan_text: Validator,
    vgsamverkan_org_number: Validator,
    vgsamverkan_phone: Validator,
) -> Schema:
    """The master data that may change (SPEC 2026-11-29): each field optional; a field
    given empty clears it where it may be empty (telephone, invoice reference)."""
    short_line = one_line(TEXT_SHORT)
    return {
        "id": [not_empty, vgsamverkan_text],
        "contact_name": [ignore_missing, vgsamverkan_text, not_empty, short_line],
        "contact_email": [ignore_missing, vgsamverkan_text, not_empty, short_line, vgsamverkan_email],
        "contact_phone": [ignore_missing, vgsamverkan_text, one_line(TEXT_SHORT), vgsamverkan_phone],
        "invoice_reference": [ignore_missing, vgsamverkan_text, short_line],
        "org_number": [ignore_missing, vgsamverkan_text, not_empty, vgsamverkan_org_number],
        "comment": [ignore_missing, vgsamverkan_text, max_length(TEXT_LONG)],
        **customer_fields(),
    }


def participation_terminate() -> Schema:
    schema = decision()
    date = tk.get_validator("vgsamverkan_date")
    schema["effective_to"] = [tk.get_validator("ignore_missing"), date]
    return schema


@tk.validator_args
def list_params(
    ignore_missing: Validator,
    vgsamverkan_text: Validator,
    vgsamverkan_limit: Validator,
    vgsamverkan_positive_int: Validator,
) -> Schema:
    """The common parameters of ``_list`` actions."""
    return {
        "state": [ignore_missing, vgsamverkan_text],
        "organization_id": [ignore_missing, vgsamverkan_text],
        "limit": [ignore_missing, vgsamverkan_limit],
        "offset": [ignore_missing, vgsamverkan_positive_int],
    }


def _states(value: Any) -> Any:
    """Several states: a list, or their names separated by commas."""
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise tk.Invalid(tk._("Give states as a list or separated by commas"))
    states = [v for v in value if v]
    if not states or len(states) > 20 or any(len(v) > 40 for v in states):
        raise tk.Invalid(tk._("Give between 1 and 20 states"))
    return states


def _one_of(*choices: str):
    def validator(value: Any) -> Any:
        if value not in choices:
            raise tk.Invalid(tk._("Choose one of: {choices}").format(choices=", ".join(choices)))
        return value
    return validator


@tk.validator_args
def workplace_params(ignore_missing: Validator, vgsamverkan_text: Validator) -> Schema:
    """The optional parameters a kind's list takes for the coordinator's workplace
    (``_base._as_workplace``; issue 39)."""
    return {
        "states": [ignore_missing, _states],
        "org_type": [ignore_missing, vgsamverkan_text],
        "municipality_code": [ignore_missing, vgsamverkan_text],
        "sort": [ignore_missing, vgsamverkan_text, _one_of("oldest", "newest", "unchanged")],
    }


@tk.validator_args
def paging_params(ignore_missing: Validator, vgsamverkan_limit: Validator,
                  vgsamverkan_positive_int: Validator) -> Schema:
    """``limit`` and ``offset``: the parameters of a list whose objects have no state and
    no organisation (SPEC 2026-11-29: every list pages)."""
    return {
        "limit": [ignore_missing, vgsamverkan_limit],
        "offset": [ignore_missing, vgsamverkan_positive_int],
    }


def participation_list() -> Schema:
    schema = {**list_params(), **workplace_params()}
    text = tk.get_validator("vgsamverkan_text")
    schema["org_type"] = [tk.get_validator("ignore_missing"), text]
    return schema


@tk.validator_args
def publisher_request(
    not_empty: Validator,
    ignore_missing: Validator,
    vgsamverkan_text: Validator,
    vgsamverkan_role: Validator,
) -> Schema:
    short = max_length(TEXT_SHORT)
    short_line = one_line(TEXT_SHORT)
    return {
        "organization_id": [not_empty, vgsamverkan_text, short],
        "role": [not_empty, vgsamverkan_text, vgsamverkan_role],
        "user_id": [ignore_missing, vgsamverkan_text, short],
        "motivation": [ignore_missing, vgsamverkan_text, max_length(TEXT_LONG)],
        "language": [ignore_missing, vgsamverkan_text, short_line],
    }


def publisher_approve() -> Schema:
    schema = decision()
    schema["expires"] = [tk.get_validator("ignore_missing"), tk.get_validator("vgsamverkan_date")]
    return schema


def publisher_list() -> Schema:
    schema = {**list_params(), **workplace_params()}
    text = tk.get_validator("vgsamverkan_text")
    schema["user_id"] = [tk.get_validator("ignore_missing"), text]
    return schema


@tk.validator_args
def connection_create(
    not_empty: Validator, ignore_missing: Validator, vgsamverkan_text: Validator,
) -> Schema:
    long = max_length(TEXT_LONG)
    return {
        "organization_id": [not_empty, vgsamverkan_text, max_length(TEXT_SHORT)],
        "information_sets": [not_empty, vgsamverkan_text, not_empty, long],
        "proposed_solution": [ignore_missing, vgsamverkan_text, long],
        "technical_contact": [not_empty, vgsamverkan_text, not_empty, one_line(TEXT_SHORT * 2)],
        "description": [ignore_missing, vgsamverkan_text, long],
        "language": [ignore_missing, vgsamverkan_text, one_line(TEXT_SHORT)],
    }


def connection_investigate() -> Schema:
    schema = decision()
    text = tk.get_validator("vgsamverkan_text")
    not_empty = tk.get_validator("not_empty")
    schema["investigator"] = [not_empty, text, not_empty, one_line(TEXT_SHORT)]
    return schema


@tk.validator_args
def connection_quote(
    not_empty: Validator, vgsamverkan_text: Validator, vgsamverkan_hours: Validator,
    vgsamverkan_money: Validator, vgsamverkan_date: Validator,
) -> Schema:
    schema = decision()
    schema.update({
        "solution": [not_empty, vgsamverkan_text, not_empty, max_length(TEXT_LONG)],
        "effort_hours": [not_empty, vgsamverkan_hours],
        "price": [not_empty, vgsamverkan_money],
        "valid_until": [not_empty, vgsamverkan_date, not_empty],
    })
    return schema


@tk.validator_args
def connection_complete(
    ignore_missing: Validator, vgsamverkan_text: Validator, vgsamverkan_date: Validator,
    vgsamverkan_url: Validator,
) -> Schema:
    schema = decision()
    schema.update({
        "connected_date": [ignore_missing, vgsamverkan_date],
        "harvest_url": [ignore_missing, vgsamverkan_text, max_length(TEXT_LONG), vgsamverkan_url],
        "create_harvest_source": [ignore_missing, tk.get_validator("vgsamverkan_bool")],
        "harvest_source_type": [ignore_missing, vgsamverkan_text, one_line(TEXT_SHORT)],
    })
    return schema


@tk.validator_args
def calloff_create(
    not_empty: Validator, ignore_missing: Validator, vgsamverkan_text: Validator,
    vgsamverkan_competence_area: Validator, vgsamverkan_hours: Validator,
    vgsamverkan_date: Validator,
) -> Schema:
    return {
        "organization_id": [not_empty, vgsamverkan_text, max_length(TEXT_SHORT)],
        "competence_area": [not_empty, vgsamverkan_text, vgsamverkan_competence_area],
        "description": [not_empty, vgsamverkan_text, not_empty, max_length(TEXT_LONG)],
        "estimated_hours": [not_empty, vgsamverkan_hours],
        "period_start": [not_empty, vgsamverkan_date, not_empty],
        "period_end": [not_empty, vgsamverkan_date, not_empty],
        "contact": [ignore_missing, vgsamverkan_text, one_line(TEXT_SHORT * 2)],
        "language": [ignore_missing, vgsamverkan_text, one_line(TEXT_SHORT)],
    }


@tk.validator_args
def calloff_assign(
    not_empty: Validator, ignore_missing: Validator, vgsamverkan_text: Validator,
    vgsamverkan_money: Validator, vgsamverkan_hours: Validator,
) -> Schema:
    schema = decision()
    schema.update({
        "expert_name": [not_empty, vgsamverkan_text, not_empty, one_line(TEXT_SHORT)],
        "expert_user_id": [ignore_missing, vgsamverkan_text, max_length(TEXT_SHORT)],
        "hourly_rate": [ignore_missing, vgsamverkan_money],
        "fixed_price": [ignore_missing, vgsamverkan_money],
        "planned_hours": [not_empty, vgsamverkan_hours],
    })
    return schema


@tk.validator_args
def calloff_log_time(
    not_empty: Validator, ignore_missing: Validator, vgsamverkan_text: Validator,
    vgsamverkan_date: Validator, vgsamverkan_quarter_hours: Validator,
) -> Schema:
    return {
        "id": [not_empty, vgsamverkan_text],
        "date": [not_empty, vgsamverkan_date, not_empty],
        "hours": [not_empty, vgsamverkan_quarter_hours],
        "note": [ignore_missing, vgsamverkan_text, max_length(TEXT_LONG)],
    }


@tk.validator_args
def calloff_correct_time(
    not_empty: Validator, vgsamverkan_text: Validator, vgsamverkan_hour_change: Validator,
) -> Schema:
    return {
        "id": [not_empty, vgsamverkan_text],
        "hours": [not_empty, vgsamverkan_hour_change],
        "reason": [not_empty, vgsamverkan_text, not_empty, max_length(TEXT_LONG)],
    }


def calloff_deliver() -> Schema:
    schema = decision()
    schema["delivered_date"] = [tk.get_validator("ignore_missing"), tk.get_validator("vgsamverkan_date")]
    return schema


def calloff_list() -> Schema:
    schema = {**list_params(), **workplace_params()}
    schema["expert_user_id"] = [tk.get_validator("ignore_missing"), tk.get_validator("vgsamverkan_text")]
    return schema


@tk.validator_args
def participant_list(ignore_missing: Validator, vgsamverkan_text: Validator) -> Schema:
    return {
        **list_params(),
        "org_type": [ignore_missing, vgsamverkan_text],
        "municipality_code": [ignore_missing, vgsamverkan_text],
    }


@tk.validator_args
def comment_create(
    not_empty: Validator, vgsamverkan_text: Validator, vgsamverkan_object_type: Validator
) -> Schema:
    return {
        "object_type": [not_empty, vgsamverkan_text, vgsamverkan_object_type],
        "object_id": [not_empty, vgsamverkan_text],
        "text": [not_empty, vgsamverkan_text, not_empty, max_length(TEXT_LONG)],
    }


def comment_list() -> Schema:
    """The comments on one request: ``event_list``'s parameters."""
    return event_list()


@tk.validator_args
def event_list(
    ignore_missing: Validator,
    vgsamverkan_text: Validator,
    vgsamverkan_object_type: Validator,
    vgsamverkan_limit: Validator,
    vgsamverkan_positive_int: Validator,
) -> Schema:
    return {
        "object_type": [ignore_missing, vgsamverkan_text, vgsamverkan_object_type],
        "object_id": [ignore_missing, vgsamverkan_text],
        "organization_id": [ignore_missing, vgsamverkan_text],
        "state": [ignore_missing, vgsamverkan_text],
        "limit": [ignore_missing, vgsamverkan_limit],
        "offset": [ignore_missing, vgsamverkan_positive_int],
    }


@tk.validator_args
def population_list(
    ignore_missing: Validator,
    vgsamverkan_text: Validator,
    vgsamverkan_year: Validator,
) -> Schema:
    return {
        **paging_params(),
        "state": [ignore_missing, vgsamverkan_text],
        "year": [ignore_missing, vgsamverkan_year],
        "municipality_code": [ignore_missing, vgsamverkan_text],
    }


@tk.validator_args
def population_import(
    not_empty: Validator, vgsamverkan_year: Validator, ignore_missing: Validator,
    vgsamverkan_text: Validator,
) -> Schema:
    # ``records`` is taken out before validation and checked record by record in the
    # action, so that every bad record is named with its position.
    return {
        "year": [not_empty, vgsamverkan_year],
        "source": [ignore_missing, vgsamverkan_text, one_line(TEXT_SHORT)],
    }


@tk.validator_args
def population_record(
    not_empty: Validator,
    vgsamverkan_text: Validator,
    vgsamverkan_positive_int: Validator,
) -> Schema:
    return {
        "municipality_code": [not_empty, vgsamverkan_text],
        "name": [not_empty, vgsamverkan_text, not_empty, one_line(TEXT_SHORT)],
        "population": [not_empty, vgsamverkan_positive_int],
    }


@tk.validator_args
def dashboard_show() -> Schema:
    return {}


@tk.validator_args
def mail_language_show() -> Schema:
    return {}


@tk.validator_args
def mail_language_set(not_missing: Validator, vgsamverkan_text: Validator,
                      vgsamverkan_mail_language: Validator) -> Schema:
    return {"language": [not_missing, vgsamverkan_text, vgsamverkan_mail_language]}


def catalog_report() -> Schema:
    return paging_params()


@tk.validator_args
def competence_area_list() -> Schema:
    return paging_params()


def list_with(*filters: str) -> Schema:
    """``list_params`` with only the filters named (``state``, ``organization_id``):
    the parameters of a list whose objects have only those."""
    return {k: v for k, v in list_params().items() if k in filters or k in ("limit", "offset")}


def fee_schedule_list() -> Schema:
    return list_with("state")


@tk.validator_args
def waiting_list(ignore_missing: Validator, vgsamverkan_limit: Validator,
                 vgsamverkan_positive_int: Validator) -> Schema:
    return {**list_params(), "others_limit": [ignore_missing, vgsamverkan_limit],
            "others_offset": [ignore_missing, vgsamverkan_positive_int]}


def connection_list() -> Schema:
    return {**list_params(), **workplace_params()}


def fee_month_list() -> Schema:
    return list_with("state")


@tk.validator_args
def queue_list(ignore_missing: Validator, vgsamverkan_text: Validator) -> Schema:
    def one_of(*choices):
        def validator(value):
            if value not in choices:
                raise tk.Invalid(tk._("Choose one of: {choices}").format(choices=", ".join(choices)))
            return value
        return validator

    return {
        **list_params(),
        "kind": [ignore_missing, vgsamverkan_text, one_of(*objects.KINDS)],
        "org_type": [ignore_missing, vgsamverkan_text],
        "municipality_code": [ignore_missing, vgsamverkan_text],
        "sort": [ignore_missing, vgsamverkan_text, one_of("oldest", "newest")],
    }


@tk.validator_args
def history_show(ignore_missing: Validator, vgsamverkan_positive_int: Validator) -> Schema:
    return {"months": [ignore_missing, vgsamverkan_positive_int]}


@tk.validator_args
def fee_schedule_set(not_empty: Validator, ignore_missing: Validator, vgsamverkan_month: Validator,
                     vgsamverkan_money: Validator, vgsamverkan_percent: Validator) -> Schema:
    return {
        "valid_from": [not_empty, vgsamverkan_month],
        "total": [not_empty, vgsamverkan_money],
        "base_percent": [ignore_missing, vgsamverkan_percent],
        "regional_fixed": [ignore_missing, vgsamverkan_money],
    }


@tk.validator_args
def fee_run(not_empty: Validator, ignore_missing: Validator, vgsamverkan_month: Validator,
            vgsamverkan_bool: Validator) -> Schema:
    return {"month": [not_empty, vgsamverkan_month], "dry_run": [ignore_missing, vgsamverkan_bool]}


@tk.validator_args
def gdpr_purge(ignore_missing: Validator, vgsamverkan_positive_int: Validator,
               vgsamverkan_bool: Validator) -> Schema:
    return {"older_than": [ignore_missing, vgsamverkan_positive_int], "dry_run": [ignore_missing, vgsamverkan_bool]}


@tk.validator_args
def fee_close(not_empty: Validator, vgsamverkan_month: Validator) -> Schema:
    return {"month": [not_empty, vgsamverkan_month]}


@tk.validator_args
def fee_adjust(not_empty: Validator, vgsamverkan_text: Validator, vgsamverkan_month: Validator,
               vgsamverkan_signed_money: Validator) -> Schema:
    return {
        "organization_id": [not_empty, vgsamverkan_text, max_length(TEXT_SHORT)],
        "month": [not_empty, vgsamverkan_month],
        "amount": [not_empty, vgsamverkan_signed_money],
        "reason": [not_empty, vgsamverkan_text, not_empty, max_length(TEXT_LONG)],
        "corrects": [tk.get_validator("ignore_missing"), vgsamverkan_month],
    }


@tk.validator_args
def fee_statement_list(ignore_missing: Validator, vgsamverkan_text: Validator, vgsamverkan_month: Validator,
                       vgsamverkan_limit: Validator, vgsamverkan_positive_int: Validator) -> Schema:
    return {
        "month": [ignore_missing, vgsamverkan_month],
        "state": [ignore_missing, vgsamverkan_text],
        "organization_id": [ignore_missing, vgsamverkan_text],
        "limit": [ignore_missing, vgsamverkan_limit],
        "offset": [ignore_missing, vgsamverkan_positive_int],
    }


@tk.validator_args
def fee_statement_show(not_empty: Validator, vgsamverkan_text: Validator, vgsamverkan_month: Validator) -> Schema:
    return {"organization_id": [not_empty, vgsamverkan_text, max_length(TEXT_SHORT)],
            "month": [not_empty, vgsamverkan_month]}


@tk.validator_args
def fee_export(not_empty: Validator, ignore_missing: Validator, vgsamverkan_month: Validator,
               vgsamverkan_text: Validator) -> Schema:
    def one_of(value):
        if value not in ("csv", "sie", "peppol"):
            raise tk.Invalid(tk._("Choose one of: {choices}").format(choices="csv, sie, peppol"))
        return value

    return {"month": [not_empty, vgsamverkan_month], "format": [ignore_missing, vgsamverkan_text, one_of]}


@tk.validator_args
def exemption_create(not_empty: Validator, vgsamverkan_text: Validator) -> Schema:
    return {
        "id": [not_empty, vgsamverkan_text, max_length(TEXT_SHORT)],
        "reason": [not_empty, vgsamverkan_text, not_empty, max_length(TEXT_LONG)],
    }


@tk.validator_args
def exemption_delete(not_empty: Validator, ignore_missing: Validator, vgsamverkan_text: Validator) -> Schema:
    return {
        "id": [not_empty, vgsamverkan_text, max_length(TEXT_SHORT)],
        "comment": [ignore_missing, vgsamverkan_text, max_length(TEXT_LONG)],
    }


def exemption_list() -> Schema:
    return list_with("organization_id", "state")


# the longest password taken (passlib refuses above 4 096; a form refuses long before)
PASSWORD_LONGEST = 200


def _password_twice(value: object) -> object:
    raise tk.Invalid(tk._("Give the password twice, as password1 and password2"))


@tk.validator_args
def user_register(ignore_missing: Validator, vgsamverkan_text: Validator,
                  vgsamverkan_mail_language: Validator, vgsamverkan_email: Validator) -> Schema:
    """CKAN's own registration form's fields and rules (``user_new_form_schema``: user
    name, full name, e-mail address, the password twice) less one: whether the address
    already belongs to an account is not said here (``email_is_unique``); the action
    answers the same in both cases. A full name is one line; an address has a dot in its
    domain (``vgsamverkan_email``: CKAN takes ``a@b``, to which no mail is delivered).
    Plus the mail's language."""
    from ckan.logic.schema import user_new_form_schema  # noqa: PLC0415 (CKAN's schema, built when asked)

    core = user_new_form_schema()
    return {
        "name": core["name"],
        "fullname": core["fullname"] + [one_line(TEXT_SHORT)],
        "email": [v for v in core["email"] if getattr(v, "__name__", "") != "email_is_unique"]
        + [one_line(TEXT_SHORT), vgsamverkan_email],
        "password1": core["password1"] + [max_length(PASSWORD_LONGEST)],
        "password2": core["password2"] + [max_length(PASSWORD_LONGEST)],
        # where CKAN's password rules put their errors; a password given here is refused
        "password": [ignore_missing, _password_twice],
        "language": [ignore_missing, vgsamverkan_text, vgsamverkan_mail_language],
    }


@tk.validator_args
def user_activate(not_empty: Validator, vgsamverkan_text: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, vgsamverkan_text, max_length(100)],
            "key": [not_empty, vgsamverkan_text, max_length(200)],
            "password": [not_empty, unicode_safe, max_length(PASSWORD_LONGEST)]}


@tk.validator_args
def invoice_list(ignore_missing: Validator, vgsamverkan_text: Validator, vgsamverkan_month: Validator,
                 vgsamverkan_limit: Validator, vgsamverkan_positive_int: Validator) -> Schema:
    def state(value: str) -> str:
        if value not in ("issued", "sent"):
            raise tk.Invalid(tk._("Choose one of: {choices}").format(choices="issued, sent"))
        return value

    return {
        "month": [ignore_missing, vgsamverkan_month],
        "organization_id": [ignore_missing, vgsamverkan_text, max_length(TEXT_SHORT)],
        "state": [ignore_missing, vgsamverkan_text, state],
        "limit": [ignore_missing, vgsamverkan_limit],
        "offset": [ignore_missing, vgsamverkan_positive_int],
    }
