"""Who takes part on which day: the one predicate of SPEC 2026-11-29, "Dates decide rights".

An organisation *takes part on day D* when it has an approved participation (or a
terminated one, up to its last day) with ``effective_from`` ≤ D and no ``effective_to``
before D. Publishing, the public participant list, publisher requests, connection
requests, call-offs, time logs, the coordinator's counts and fees all ask this module;
nothing else reads a participation's state to decide a right. An approval dated in the
future grants nothing before that day; a termination dated in the future changes nothing
until its last day. The daily job (``ckan vgsamverkan expire``) records both changes in
the history on the day they happen (logic/action/participation.py: ``begin``, ``end``).

The portal's day is the day in ``ckan.display_timezone`` (Europe/Stockholm on Dataportal
Väst; ``server``: the machine's own zone), so that a right does not end at 01:00 Swedish
time on a server that keeps UTC.
"""
from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.model import Participation

log = logging.getLogger(__name__)

# the states of a decided participation: its dates say on which days it takes part
DECIDED = ("approved", "terminated")


def _zone() -> dt.tzinfo | None:
    """The portal's time zone (``ckan.display_timezone``); None for ``server``, the
    machine's own; UTC for a name it does not know."""
    name = tk.config.get("ckan.display_timezone") or "UTC"
    if name == "server":
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        log.warning("vgsamverkan: unknown ckan.display_timezone %r, days are counted in UTC", name)
        return dt.timezone.utc


def today() -> dt.date:
    """Today in the portal's time zone (``ckan.display_timezone``)."""
    zone = _zone()
    return dt.date.today() if zone is None else dt.datetime.now(zone).date()


def day_of(moment: dt.datetime) -> dt.date:
    """The portal's day of a moment (a time stamp kept in UTC)."""
    return moment.astimezone(_zone()).date()


def days_since(moment: dt.datetime | str) -> int:
    """How many of the portal's days ago a moment was (0 today): the age of a request in
    every list (the queue, the waiting list, the pages). One definition: the queue counted
    UTC days and the pages 24-hour periods, and around midnight they disagreed (issue 39)."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:  # kept in UTC
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return max((today() - day_of(moment)).days, 0)


def on(day: dt.date) -> Any:
    """The SQL condition "this participation makes its organisation take part on ``day``"."""
    return sa.and_(
        Participation.state.in_(DECIDED),
        sa.or_(Participation.effective_from.is_(None), Participation.effective_from <= day),
        sa.or_(Participation.effective_to.is_(None), Participation.effective_to >= day),
    )


def takes_part(organization_id: str | None, day: dt.date | None = None) -> bool:
    """Whether the organisation (by id) takes part on ``day`` (default: today)."""
    if not organization_id:
        return False
    q = model.Session.query(Participation.id).filter(
        Participation.organization_id == organization_id, on(day or today()))
    return bool(model.Session.query(q.exists()).scalar())


def organization_ids(day: dt.date | None = None) -> Any:
    """The ids of the organisations taking part on ``day``, as a subquery."""
    return (model.Session.query(Participation.organization_id)
            .filter(Participation.organization_id.isnot(None), on(day or today())))


def is_on(p: Participation | dict[str, Any], day: dt.date | None = None) -> bool:
    """The predicate for one participation already loaded (an object or its dict)."""
    get = p.get if isinstance(p, dict) else (lambda name: getattr(p, name))
    day = day or today()
    start, end = get("effective_from"), get("effective_to")
    start = dt.date.fromisoformat(start) if isinstance(start, str) else start
    end = dt.date.fromisoformat(end) if isinstance(end, str) else end
    return get("state") in DECIDED and (start is None or start <= day) and (end is None or end >= day)


def next_start(organization_id: str | None, day: dt.date | None = None) -> dt.date | None:
    """The first day of an approved participation that has not begun yet (to say "from
    that day" in a refusal), or None."""
    if not organization_id:
        return None
    return (model.Session.query(sa.func.min(Participation.effective_from))
            .filter(Participation.organization_id == organization_id,
                    Participation.state == "approved",
                    Participation.effective_from > (day or today()))
            .scalar())


def org_facts_query() -> Any:
    """``org_facts`` as a subquery (``organization_id``, ``org_type``,
    ``municipality_code``), for filters done in the database (issue 39: the workplace's
    sections page in their queries)."""
    return (sa.select(Participation.organization_id, Participation.org_type, Participation.municipality_code)
            .where(Participation.organization_id.isnot(None))
            .distinct(Participation.organization_id)
            .order_by(Participation.organization_id, Participation.created.desc())
            .subquery("org_facts"))


def org_facts() -> dict[str, tuple[str | None, str | None]]:
    """organization_id → (org_type, municipality_code) of its newest participation."""
    facts: dict[str, tuple[str | None, str | None]] = {}
    rows = (model.Session.query(Participation.organization_id, Participation.org_type,
                                Participation.municipality_code)
            .filter(Participation.organization_id.isnot(None))
            .order_by(Participation.created))
    for org_id, org_type, code in rows:
        facts[org_id] = (org_type, code)
    return facts
