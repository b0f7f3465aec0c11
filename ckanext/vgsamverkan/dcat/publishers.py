"""Who publishes what in the open data catalogue (DCAT-AP-SE): each organisation that takes
part publishes its datasets under Sveriges dataportal's IRI for its organisationsnummer;
the catalogue itself is published by the coordinating organisation.

An organisation that does not take part today (no participation, one not begun or ended:
domain/taking_part.py) or whose participation has no valid organisationsnummer has a
stable IRI of the portal instead (``<site>/organization/<id>``), and the coordinator's
report (:func:`report`) names it with its datasets.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import ckan.model as model

from ckanext.vgsamverkan import config, orgnumber
from ckanext.vgsamverkan.dcat import vocabularies
from ckanext.vgsamverkan.domain import taking_part
from ckanext.vgsamverkan.model import LegalName, Participation
from ckanext.vgsamverkan.model.base import iso

# why an organisation's datasets have no publisher IRI of Sveriges dataportal
NO_PARTICIPATION = "no_participation"
NOT_TAKING_PART = "not_taking_part"
NO_ORG_NUMBER = "no_org_number"


# the ADMS publisher type (DCAT-AP-SE 3.0.1: mandatory) of each organisation type
ADMS = "http://purl.org/adms/publishertype/"
PUBLISHER_TYPES = {"kommun": ADMS + "LocalAuthority", "kommunalt_bolag": ADMS + "Company",
                   "regional_forvaltning": ADMS + "RegionalAuthority"}
# an organisation that never applied: most of a regional portal's are municipalities'
DEFAULT_PUBLISHER_TYPE = ADMS + "LocalAuthority"
# the Swedish labels of the types (DIGG's profile, bundle 3.0.1)
PUBLISHER_TYPE_LABELS = {
    "RegionalAuthority": "Regional myndighet/landsting", "LocalAuthority": "Lokal myndighet/kommun",
    "NationalAuthority": "Nationell myndighet", "Company": "Företag",
    "NonProfitOrganisation": "Ej vinstdrivande organisation",
    "Academia-ScientificOrganisation": "Akademia/Vetenskaplig organisation",
}


@dataclasses.dataclass(frozen=True)
class Publisher:
    iri: str
    name: str
    problem: str | None = None  # None: the IRI is Sveriges dataportal's
    type: str = DEFAULT_PUBLISHER_TYPE  # an ADMS publisher type (PUBLISHER_TYPES)


def portal_iri(organization_id: str) -> str:
    return f"{config.site_url()}/organization/{organization_id}"


def catalogue_publisher() -> Publisher:
    """The coordinating organisation (configuration), else the portal itself."""
    name = config.catalog_publisher_name()
    number = config.catalog_publisher_org_number()
    iri = vocabularies.publisher_iri(number) if number and orgnumber.problem(number) is None else None
    return Publisher(iri or f"{config.site_url()}/#utgivare", name, None if iri else NO_ORG_NUMBER,
                     ADMS + config.catalog_publisher_type())


def publishers(day: dt.date | None = None) -> dict[str, Publisher]:
    """Every active organisation's publisher on ``day`` (default today), by id."""
    day = day or taking_part.today()
    taking: dict[str, Participation] = {}
    known: dict[str, str] = {}  # organisation -> the type its newest application gave
    for p in (model.Session.query(Participation).filter(Participation.organization_id.isnot(None))
              .order_by(Participation.created)):
        known[p.organization_id] = p.org_type
        if taking_part.is_on(p, day):
            taking[p.organization_id] = p  # the newest that takes part
    found = {}
    legal = dict(model.Session.query(LegalName.org_number, LegalName.legal_name))
    for org_id, title, name in (model.Session.query(model.Group.id, model.Group.title, model.Group.name)
                                .filter(model.Group.is_organization.is_(True), model.Group.state == "active")):
        label = title or name
        p = taking.get(org_id)
        kind = PUBLISHER_TYPES.get(p.org_type if p is not None else known.get(org_id, ""), DEFAULT_PUBLISHER_TYPE)
        if p is None:
            problem = NOT_TAKING_PART if org_id in known else NO_PARTICIPATION
            found[org_id] = Publisher(portal_iri(org_id), label, problem, kind)
            continue
        number = p.org_number or ""
        iri = vocabularies.publisher_iri(number) if orgnumber.problem(number) is None else None
        # one IRI, one name: organisations that share an organisationsnummer (a region's
        # administrations) are one publisher, named by the legal name the coordinator
        # recorded for the number (issue 37), else by its own title
        name = legal.get("".join(ch for ch in number if ch.isdigit()), label) if iri else label
        found[org_id] = Publisher(iri or portal_iri(org_id), name, None if iri else NO_ORG_NUMBER, kind)
    return found


def applied_emails() -> dict[str, str]:
    """organization_id → the e-mail its newest application gave, where that is one: a
    dataset's contact point when it has no e-mail of its own."""
    newest: dict[str, str | None] = {}
    for org_id, email in (model.Session.query(Participation.organization_id, Participation.contact_email)
                          .filter(Participation.organization_id.isnot(None)).order_by(Participation.created)):
        newest[org_id] = email
    return {org_id: email.strip() for org_id, email in newest.items() if email and "@" in email}


def contact_email(maintainer_email: str | None, author_email: str | None, organization_id: str | None,
                  applied: dict[str, str]) -> str | None:
    """A dataset's contact e-mail: its maintainer's or author's, else its organisation's
    from ``applied`` (applied_emails)."""
    own = next((e.strip() for e in (maintainer_email, author_email) if e and "@" in e), None)
    return own or applied.get(organization_id or "")


def publisher_of(organization_id: str | None, cache: dict[str, Any] | None = None) -> Publisher | None:
    """The publisher of a dataset of this organisation (None without one). ``cache``: a
    dict kept for one catalogue (the publishers are read once for all its datasets)."""
    if not organization_id:
        return None
    if cache is None:
        cache = {}
    if "publishers" not in cache:
        cache["publishers"] = publishers()
    return cache["publishers"].get(organization_id)


# what a dataset of the catalogue lacks (the coordinator's report)
MISSING = ("publisher", "description", "distribution", "licence", "contact")


def report(limit: int = 100, offset: int = 0, day: dt.date | None = None) -> dict[str, Any]:
    """The public datasets the catalogue would publish without what DCAT-AP-SE asks:
    ``{"publishers": [{"organization_id", "organization_name", "organization_title",
    "iri", "problem", "datasets"}], "count": N, "datasets": [{"id", "state", "created",
    "modified", "name", "title", "organization_id", "organization_name",
    "organization_title", "missing": [...]}]}`` (``missing`` in the
    order of MISSING; ``datasets`` from ``offset``, at most ``limit``)."""
    found = publishers(day)
    applied = applied_emails()
    with_url = (model.Session.query(model.Resource.package_id)
                .filter(model.Resource.state == "active", model.Resource.url.isnot(None), model.Resource.url != "")
                .distinct().subquery())
    rows = (model.Session.query(model.Package.id, model.Package.name, model.Package.title, model.Package.owner_org,
                                model.Package.notes, model.Package.license_id, model.Package.maintainer_email,
                                model.Package.author_email, with_url.c.package_id, model.Package.metadata_created,
                                model.Package.metadata_modified)
            .outerjoin(with_url, with_url.c.package_id == model.Package.id)
            .filter(model.Package.state == "active", model.Package.private.is_(False),
                    model.Package.type == "dataset")
            .order_by(model.Package.title, model.Package.name))
    lacking: list[Any] = []
    counted: dict[Any, Any] = {}
    for pid, name, title, org_id, notes, license_id, m_email, a_email, has_url, created, modified in rows:
        publisher = found.get(org_id) if org_id else None
        missing = [what for what, lacks in (
            ("publisher", publisher is None or publisher.problem is not None),
            ("description", not (notes or "").strip()),
            ("distribution", has_url is None),
            ("licence", vocabularies.licence(license_id) is None),
            ("contact", contact_email(m_email, a_email, org_id, applied) is None),
        ) if lacks]
        if publisher is not None and publisher.problem is not None:
            counted[org_id] = counted.get(org_id, 0) + 1
        if missing:
            lacking.append({"id": pid, "state": "active", "created": iso(created), "modified": iso(modified),
                            "name": name, "title": title or name, "organization_id": org_id,
                            "organization_title": publisher.name if publisher else None, "missing": missing})
    names = dict(model.Session.query(model.Group.id, model.Group.name)
                 .filter(model.Group.id.in_(list(counted) + [d["organization_id"] for d in lacking])))
    for dataset in lacking:
        dataset["organization_name"] = names.get(dataset["organization_id"])
    return {
        "publishers": sorted(({"organization_id": org_id, "organization_name": names.get(org_id),
                               "organization_title": found[org_id].name, "iri": found[org_id].iri,
                               "problem": found[org_id].problem, "datasets": n}
                              for org_id, n in counted.items()), key=lambda p: p["organization_title"]),
        "count": len(lacking),
        "datasets": lacking[offset:offset + limit],
    }
