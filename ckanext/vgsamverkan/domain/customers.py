"""The customer a participation is (issue 37; SPEC "Participation", 2026-12-07): its
number, address and Peppol endpoint live on the participation; the legal name of an
organisationsnummer that several customers share (all of Västra Götalandsregionen's
administrations carry 232100-0131) is recorded once, for the number, by the coordinator:
invoices name the buyer by it and the catalogue names the publisher of that number by it."""
from __future__ import annotations

import ckan.model as model

from ckanext.vgsamverkan import peppol
from ckanext.vgsamverkan.model import LegalName, Participation
from ckanext.vgsamverkan.model.base import utcnow


def legal_name_of(org_number: str | None) -> str | None:
    """The legal name recorded for ``org_number`` (any spelling of it), or None."""
    digits = peppol.digits_of(org_number)
    if not digits:
        return None
    row = model.Session.get(LegalName, digits)
    return row.legal_name if row is not None else None


def set_legal_name(org_number: str, legal_name: str | None, actor_id: str | None) -> None:
    """Record (or, given None, forget) the legal name of ``org_number``; the caller
    commits and records the change in the history."""
    digits = peppol.digits_of(org_number)
    row = model.Session.query(LegalName).filter(LegalName.org_number == digits).with_for_update().one_or_none()
    if legal_name:
        if row is None:
            model.Session.add(LegalName(org_number=digits, legal_name=legal_name, modified_by=actor_id,
                                        modified=utcnow()))
        else:
            row.legal_name, row.modified_by, row.modified = legal_name, actor_id, utcnow()
    elif row is not None:
        model.Session.delete(row)


def endpoint_of(participation: Participation) -> str:
    """The Peppol endpoint of the customer: the one given, else ``0007`` and its
    organisationsnummer."""
    return participation.peppol_endpoint or f"0007:{peppol.digits_of(participation.org_number)}"


def sharing(participation: Participation) -> list[Participation]:
    """The other participations with ``participation``'s organisationsnummer (any
    spelling), in the order they were made."""
    digits = peppol.digits_of(participation.org_number)
    if not digits:
        return []
    return [p for p in (model.Session.query(Participation).filter(Participation.id != participation.id)
                        .order_by(Participation.created)) if peppol.digits_of(p.org_number) == digits]
