"""Factories for the extension's objects: they go through the actions, as users would."""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import ckan.model as model
from ckan.tests import factories, helpers

from ckanext.vgsamverkan.orgnumber import check_digit

_serial = itertools.count(1)


def org_number(prefix: str = "2129") -> str:
    """A valid, invented organisationsnummer (unique within a test run)."""
    first_nine = f"{prefix}{next(_serial):05d}"[:9]
    return f"{first_nine[:6]}-{first_nine[6:]}{check_digit(first_nine)}"


def days_from_today(n: int) -> str:
    """``YYYY-MM-DD`` of today plus ``n`` days (the portal's day: test.ini keeps
    ``ckan.display_timezone`` at UTC, the machine's zone here)."""
    return (dt.date.today() + dt.timedelta(days=n)).isoformat()


def terminate_now(coordinator: dict[str, Any] | str, participation_id: str, **data: Any) -> Any:
    """Terminate with yesterday as the last day: everything ends at once (a last day of
    today or later leaves the organisation taking part until then)."""
    return call("vgsamverkan_participation_terminate", coordinator, id=participation_id,
                effective_to=days_from_today(-1), **data)


def ctx(user: dict[str, Any] | str | None) -> dict[str, Any]:
    name = user["name"] if isinstance(user, dict) else (user or "")
    return {"user": name, "ignore_auth": False}


def call(action: str, user: dict[str, Any] | str | None = None, **data: Any) -> Any:
    """Call an action as ``user`` with authorisation checked (``None``: anonymous)."""
    return helpers.call_action(action, context=ctx(user), **data)


_CODES = ["1401", "1402", "1407", "1419", "1421", "1427", "1430", "1438", "1439", "1440",
          "1441", "1443", "1444", "1445", "1446", "1447", "1460", "1461", "1462", "1463"]


def application_data(**overrides: Any) -> dict[str, Any]:
    """A valid application of a kommun; each call takes another municipality, so that
    several can be pending at once."""
    data = {
        "org_type": "kommun",
        "municipality_code": _CODES[next(_serial) % len(_CODES)],
        "org_number": org_number(),
        "contact_name": "Testa Testsson",
        "contact_email": "testa@example.org",
        "contact_phone": "031-123 45 67",
        "invoice_reference": "REF-1",
        "motivation": "Vi vill publicera öppna data.",
    }
    data.update(overrides)
    return data


def apply_new(user: dict[str, Any], name: str | None = None, **overrides: Any) -> dict[str, Any]:
    """An application for a new organisation."""
    name = name or f"ny-org-{next(_serial)}"
    data = application_data(organization_name=name, organization_title=name.title(), **overrides)
    return call("vgsamverkan_participation_apply", user, **data)


def apply_existing(user: dict[str, Any], org: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = application_data(organization_id=org["id"], **overrides)
    return call("vgsamverkan_participation_apply", user, **data)


def org_with_admin(admin: dict[str, Any]) -> dict[str, Any]:
    return factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])


def coordinator_user() -> dict[str, Any]:
    """A coordinator who is not a sysadmin (named in ckanext.vgsamverkan.coordinators)."""
    return factories.User(name="samordnare")


def member_role(org_id: str, user_id: str) -> str | None:
    m = (
        model.Session.query(model.Member)
        .filter_by(group_id=org_id, table_id=user_id, table_name="user", state="active")
        .first()
    )
    return m.capacity if m else None


def participant_org(admin: dict[str, Any], coordinator: dict[str, Any] | str = "samordnare",
                    effective_from: str | None = None, **overrides: Any) -> dict[str, Any]:
    """An organisation with ``admin`` as its admin and an approved participation (from
    ``effective_from``, default today)."""
    org = org_with_admin(admin)
    p = apply_existing(admin, org, **overrides)
    approval = {"effective_from": effective_from} if effective_from else {}
    call("vgsamverkan_participation_approve", coordinator, id=p["id"], **approval)
    return dict(org, participation_id=p["id"], admin_id=admin["id"])


def request_rights(user: dict[str, Any], org: dict[str, Any], role: str = "editor",
                   **data: Any) -> dict[str, Any]:
    return call("vgsamverkan_publisher_request", user, organization_id=org["id"], role=role,
                motivation=data.pop("motivation", "Jag publicerar kommunens data."), **data)


def requested_on(calloff_id: str, day: str) -> None:
    """As if the call-off had been requested on ``day`` (YYYY-MM-DD): time can be logged
    from the day a call-off was requested (issue 20), and the tests log time on days
    long past."""
    import datetime as dt  # noqa: PLC0415 (tests may import inside functions)

    from ckanext.vgsamverkan.model import Calloff  # noqa: PLC0415

    moment = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(8, 0), tzinfo=dt.timezone.utc)
    model.Session.query(Calloff).filter(Calloff.id == calloff_id).update({"created": moment})
    model.Session.commit()

