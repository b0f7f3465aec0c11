"""Template helpers, all prefixed ``vgsamverkan_``."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import binding, config, formats, labels, workflow
from ckanext.vgsamverkan.domain import objects, roles, taking_part
from ckanext.vgsamverkan.fees import texts as feetext
from ckanext.vgsamverkan.logic import enforce, pages
from ckanext.vgsamverkan.logic.action import waiting
from ckanext.vgsamverkan.model.base import person
from ckanext.vgsamverkan.model.population import municipality_label


def vgsamverkan_is_coordinator() -> bool:
    user = tk.current_user
    if not user or not getattr(user, "is_authenticated", False):
        return False
    return roles.is_coordinator(user.name)


def vgsamverkan_contact() -> dict[str, str]:
    return {
        "name": config.contact_name(),
        "email": config.coordinator_email(),
        "phone": config.contact_phone(),
    }


def vgsamverkan_state_label(state: str) -> str:
    return workflow.state_label(state)


def vgsamverkan_org_type_label(org_type: str) -> str:
    return labels.org_type(org_type, _lang())


def vgsamverkan_org_types() -> list[dict[str, str]]:
    return [{"value": t, "text": labels.org_type(t, _lang())} for t in labels.ORG_TYPES]


def vgsamverkan_action_label(action: str, object_type: str = "") -> str:
    """The history's words for an event's verb: the request kind's own (``Kind.verbs``),
    a dataset's marking, or the verb itself."""
    if action == "anonymise":
        return tk._("anonymised the contact data")
    if object_type == "dataset":
        return {
            "exempt": tk._("marked the dataset as not needing a connection"),
            "unexempt": tk._("removed the marking: the dataset needs a connection where its data does"),
        }.get(action, action)
    kind = objects.KINDS.get(object_type)
    words = kind.verbs.get(action) if kind else None
    return words() if words else action


def vgsamverkan_age_days(created: str | None) -> int | None:
    """How many of the portal's days ago an ISO date-time was (for lists; the queue's and
    the waiting list's own count, domain/taking_part.days_since)."""
    return taking_part.days_since(created) if created else None


def vgsamverkan_date(value: str | None) -> str:
    """``YYYY-MM-DD`` (Swedish and ISO) of an ISO date or date-time; empty for none. A
    date-time is the day it is in the site's display time zone: 23:30 UTC on the 7th of
    December is the 8th in Stockholm (a date alone is already the portal's day)."""
    if not value:
        return ""
    if len(value) > 10:
        return vgsamverkan_datetime(value)[:10]
    return value[:10]


def vgsamverkan_datetime(value: str | dt.datetime | None) -> str:
    """``YYYY-MM-DD HH:MM`` in the site's display time zone (``ckan.display_timezone``).
    Our times carry their zone (UTC); CKAN's ``render_datetime`` moves only times without
    one into the display zone, so they showed in UTC, an hour or two behind (issue 39).
    CKAN's own times (a dataset's ``metadata_modified``) are stored without zone, in UTC."""
    if not value:
        return ""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:  # stored as UTC
        moment = moment.replace(tzinfo=dt.timezone.utc)
    # (a zone CKAN does not know stops CKAN at start: ckan.display_timezone is validated)
    return moment.astimezone(tk.h.get_display_timezone()).strftime("%Y-%m-%d %H:%M")


def vgsamverkan_municipalities() -> list[dict[str, str]]:
    """Known municipalities for a select list, by name."""
    rows = pages.every("vgsamverkan_population_list", {"ignore_auth": True})
    names = {r["municipality_code"]: r["name"] for r in rows}
    return [
        {"value": code, "text": f"{name} ({code})"}
        for code, name in sorted(names.items(), key=lambda kv: kv[1])
    ]


def vgsamverkan_consequence(kind: str, verb: str, obj: dict[str, Any], form: dict[str, Any] | None = None) -> str:
    """What a binding act does, for its confirmation dialog (binding.py); ``form``: what a
    form without the act's fields sends (the queue's approval: today, no date field)."""
    return binding.consequence(kind, verb, obj, form)


def vgsamverkan_binding(kind: str, verb: str) -> bool:
    """Whether an act on a request binds (its kind's ``Kind.binding``): its form asks first."""
    return binding.needed(kind, verb, {})


def vgsamverkan_confirm_label(kind: str, verb: str) -> str:
    """The button that confirms a binding act."""
    return binding.yes_label(kind, verb)


def vgsamverkan_kept(decided: dict[str, Any] | None, verb: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values typed in a decision's form and its errors, when that decision was just
    refused (views/_common._decision); else nothing: ``(data, errors)``."""
    if decided and decided.get("verb") == verb:
        return decided.get("data") or {}, decided.get("errors") or {}
    return {}, {}


def vgsamverkan_person(user_id: str | None) -> str | None:
    """A user (by id or name) as pages name people: "Full Name (user)"."""
    return person(model.User.get(user_id)) if user_id else None


def vgsamverkan_connection_formats() -> str:
    """The formats that need a connection (``connection_required_formats``), for a page."""
    return ", ".join(config.connection_required_formats())


def vgsamverkan_reference(object_type: str, object_id: str) -> str:
    """A request's case reference ("AVR-1A2B3C4D"), as its receipt and mails name it."""
    return objects.reference(object_type, object_id)


def vgsamverkan_subject(object_type: str, row: dict[str, Any]) -> str:
    """What a request is about, for its list row beside its case reference (Kind.subject)."""
    kind = objects.KINDS.get(object_type)
    return kind.subject(row) if kind is not None else ""


def vgsamverkan_municipality(code: str | None, name: str | None = None) -> str:
    """A municipality as pages name it: "Lerum (1441)" (the code alone when unknown)."""
    return municipality_label(code, name or None)


def vgsamverkan_is_participant(organization_id: str | None) -> bool:
    """Whether the organisation takes part today (domain/taking_part.py)."""

    return enforce.is_participant(organization_id)


def vgsamverkan_waiting_count() -> int:
    """How many requests wait for the logged-in user's move (the header's count)."""
    user = tk.current_user
    if not user or not getattr(user, "is_authenticated", False):
        return 0
    return waiting.waiting_count(model.User.get(user.name))


def vgsamverkan_taking_part_status(p: dict[str, Any]) -> str:
    """What a participation's dates mean today, in words: from when, until when, or
    since when no longer (empty for one not decided)."""
    if p.get("state") not in taking_part.DECIDED:
        return ""
    today = taking_part.today().isoformat()
    start, end = p.get("effective_from"), p.get("effective_to")
    if start and start > today:
        return tk._("Does not take part yet: takes part from {date}").format(date=start)
    if end and end < today:
        return tk._("No longer takes part: took part until {date}").format(date=end)
    if end:
        return tk._("Takes part today, until {date} (its last day)").format(date=end)
    return tk._("Takes part today")


def vgsamverkan_members_managed(organization_id: str | None) -> bool:
    """Whether the organisation's members are the coordinator's to change (the rule is on
    and the organisation has a pending, approved or terminated participation), and the
    current user is not the coordinator."""

    return (config.enforce() and enforce.has_participation(organization_id)
            and not vgsamverkan_is_coordinator())


def vgsamverkan_role_label(role: str) -> str:
    return labels.role(role, _lang())


def vgsamverkan_roles() -> list[dict[str, str]]:
    return [{"value": r, "text": labels.role(r, _lang())} for r in labels.ROLES]


def vgsamverkan_authorisations(organization_id: str) -> list[dict[str, Any]]:
    """The approved publishing rights of an organisation that the current user may see
    (its admins and the coordinator); empty for everyone else."""
    user = tk.current_user
    if not user or not getattr(user, "is_authenticated", False):
        return []
    context = {"user": user.name, "auth_user_obj": user}
    try:
        return tk.get_action("vgsamverkan_publisher_list")(
            context, {"organization_id": organization_id, "state": "approved", "limit": 1000}
        )["results"]
    except (tk.NotAuthorized, tk.ValidationError):
        return []


def _lang() -> str:
    return formats.current_lang()


def vgsamverkan_number(value: Any, decimals: int | None = None) -> str:
    """A decimal number in the page's language (``24,5`` in Swedish, ``24.5`` in English)."""
    return formats.number(value, _lang(), decimals)


def vgsamverkan_sek(value: Any) -> str:
    """An amount in SEK (a decimal string) as Swedes write it (``18 500,00 kr``), or
    ``SEK 18,500.00`` in English."""
    return formats.sek(value, _lang())


def vgsamverkan_is_org_admin(organization_id: str | None) -> bool:
    user = tk.current_user
    if not user or not getattr(user, "is_authenticated", False):
        return False
    return roles.is_org_admin(roles.user_of({"user": user.name}), organization_id)


def vgsamverkan_competence_areas() -> list[dict[str, str]]:
    """The competence areas as ``{"value", "text"}``, labelled in the page's language."""
    lang = _lang()
    return [{"value": a["key"], "text": labels.competence_area(a["key"], lang)}
            for a in config.competence_areas()]


def vgsamverkan_competence_area_label(key: str) -> str:
    return labels.competence_area(key, _lang())


def vgsamverkan_today() -> str:
    return taking_part.today().isoformat()


def vgsamverkan_this_month() -> str:
    return taking_part.today().strftime("%Y-%m")


def vgsamverkan_fee_month_state(state: str) -> str:
    return {"open": tk._("open (can be run again)"), "closed": tk._("closed"),
            "new": tk._("not run yet")}.get(state, state)


def vgsamverkan_fee_kind_label(kind: str) -> str:

    return feetext.kind_label(kind, _lang())


def vgsamverkan_kind_label(kind: str) -> str:
    known = objects.KINDS.get(kind)
    return known.label() if known else kind


def vgsamverkan_object_url(kind: str, object_id: str) -> str:
    return tk.h.url_for(objects.KINDS[kind].read_endpoint, id=object_id)


def vgsamverkan_sparkline(values: list[Any], width: int = 240, height: int = 60,
                          months: list[str] | None = None) -> dict[str, Any]:
    """The points of a small line chart of ``values`` (drawn as an SVG polyline in the
    page: no script, no outside service), a dot per month and, when ``months`` are given,
    the labels of the first, middle and last month under it (``ticks``; the chart is then
    ``label_height`` taller). The figures themselves are in the table beside the charts."""

    numbers = [Decimal(str(v or 0)) for v in values] or [Decimal(0)]
    top = max(numbers) or Decimal(1)
    pad = 22 if months else 4  # room for a month label's half at either end
    step = (width - 2 * pad) / max(len(numbers) - 1, 1)
    points = []
    for i, v in enumerate(numbers):
        x = pad + i * step
        y = height - 4 - float(v / top) * (height - 8)
        points.append((round(x, 1), round(y, 1)))
    ticks = []
    if months and len(months) == len(numbers):
        for i in sorted({0, (len(months) - 1) // 2, len(months) - 1}):
            ticks.append({"x": points[i][0], "label": months[i]})
    label_height = 16 if ticks else 0
    return {"width": width, "height": height + label_height, "plot_height": height,
            "points": " ".join(f"{x},{y}" for x, y in points),
            "dots": [{"x": x, "y": y} for x, y in points], "ticks": ticks,
            "last_x": points[-1][0], "last_y": points[-1][1], "max": max(numbers)}


def vgsamverkan_next_step(kind: str, row: dict[str, Any]) -> str:
    """What happens next with a request, said to the one reading (the kind's ``Kind.steps``:
    their own move, else what others do); empty when nothing more happens."""
    known = objects.KINDS.get(kind)
    step = known.steps.get(row.get("state") or "") if known else None
    if step is None:
        return ""
    user = tk.current_user if getattr(tk.current_user, "is_authenticated", False) else None
    mine = (step.yours or step.yours_for) and step.mover and user is not None and step.mover(user, row)
    return step.your_move(row) if mine else step.theirs()


def vgsamverkan_my_open_requests() -> list[dict[str, Any]]:
    """The current user's open requests (and those of the organisations they administer,
    and call-offs assigned to them), each with what happens next, newest first."""
    user = tk.current_user
    if not user or not getattr(user, "is_authenticated", False):
        return []
    context = {"user": user.name, "auth_user_obj": user}
    items = []
    for kind in objects.KINDS.values():
        try:
            results = tk.get_action(f"vgsamverkan_{kind.name}_list")(context, {"limit": 50})["results"]
        except (tk.NotAuthorized, tk.ValidationError):
            continue
        for r in results:
            if r["state"] not in kind.open:
                continue
            said = vgsamverkan_next_step(kind.name, r)
            items.append({**r, "kind": kind.name, "next": said, "url": vgsamverkan_object_url(kind.name, r["id"]),
                          "organization_title": r.get("organization_title") or ""})
    return sorted(items, key=lambda i: i["created"], reverse=True)


def vgsamverkan_price_list(example_population: int = 40_000) -> dict[str, Any] | None:
    """The access fee as it stands this month, for the public page: the schedule's
    monthly total, its equal part and the regional amount; the paying municipalities and
    their inhabitants; and what a municipality of ``example_population`` inhabitants that
    joined would pay a month (an estimate before VAT: the exact rules are in the fee run).
    None when no schedule applies yet."""

    schedules = pages.every("vgsamverkan_fee_schedule_list", {"ignore_auth": True})
    month = taking_part.today().strftime("%Y-%m")
    current = next((s for s in schedules if not s["superseded"] and s["valid_from"] <= month), None)
    if current is None:
        return None
    participants = pages.every("vgsamverkan_participant_list", {"ignore_auth": True})
    codes = {p["municipality_code"] for p in participants
             if p["org_type"] in ("kommun", "kommunalt_bolag") and p.get("municipality_code")}
    populations = pages.every("vgsamverkan_population_list", {"ignore_auth": True})
    newest: dict[str, tuple[int, int]] = {}
    for row in populations:
        if row["municipality_code"] not in newest or row["year"] > newest[row["municipality_code"]][0]:
            newest[row["municipality_code"]] = (row["year"], row["population"])
    inhabitants = sum(newest[c][1] for c in codes if c in newest)
    total = Decimal(current["total"])
    base = (total * Decimal(current["base_percent"]) / 100).quantize(Decimal("0.01"))
    payers = len(codes) + 1
    estimate = base / payers + (total - base) * example_population / (inhabitants + example_population)
    return {
        "total": current["total"], "base_percent": current["base_percent"],
        "regional_fixed": current["regional_fixed"], "valid_from": current["valid_from"],
        "municipalities": len(codes), "inhabitants": inhabitants,
        "example_population": example_population,
        "example_amount": str(estimate.quantize(Decimal("0.01"))),
    }


def vgsamverkan_pending_application(organization_id: str | None) -> dict[str, str] | None:
    """The organisation's application to take part that waits for a decision, for its
    admins and the coordinator (its id and case reference); None for everyone else."""
    if not organization_id or not (vgsamverkan_is_org_admin(organization_id) or vgsamverkan_is_coordinator()):
        return None
    from ckanext.vgsamverkan.model import Participation  # noqa: PLC0415 (the model, read only)

    [kind] = [k for k in objects.KINDS.values() if k.model is Participation]
    row = (model.Session.query(Participation.id)
           .filter(Participation.organization_id == organization_id, Participation.state.in_(kind.waits)).first())
    return {"id": row.id, "reference": objects.reference(kind.name, row.id)} if row else None


def vgsamverkan_front_page(datasets: int = 6) -> dict[str, Any]:
    """What Dataportal Väst's front page shows (issue 39): the organisations that take part
    today (never one rejected, or terminated and past its last day: the public participant
    list), the newest public datasets of those organisations, and the configured image."""
    participants = pages.every("vgsamverkan_participant_list", {"ignore_auth": True})
    taking = {p["organization_id"] for p in participants}
    # the newest public datasets, of organisations that take part: a bounded look at the
    # newest few times as many (a dataset left by an organisation that has left is skipped)
    found = tk.get_action("package_search")(
        {"ignore_auth": True}, {"rows": datasets * 4, "sort": "metadata_modified desc",
                                "include_private": False})["results"]
    recent = [d for d in found if d.get("owner_org") in taking][:datasets]
    # the introduction a sysadmin wrote (ckan.site_intro_text) is in the portal's language:
    # another language gets the extension's own words (issue 39: Swedish on /en/)
    written_in = tk.config.get("ckan.locale_default") or "en"
    intro = (tk.config.get("ckan.site_intro_text") or "") if tk.h.lang() == written_in else ""
    return {"participants": participants, "datasets": recent, "intro": intro,
            "image_url": config.home_image_url(), "image_alt": config.home_image_alt()}


def vgsamverkan_rights_ending() -> list[dict[str, Any]]:
    """The current user's own publishing rights that end within the reminder period
    (``expiry_reminder_days``), soonest first, for the banner on every page (issue 39):
    an editor whose right ends in ten days was told nowhere but in a mail."""
    user = tk.current_user
    if not user or not getattr(user, "is_authenticated", False):
        return []
    from ckanext.vgsamverkan.domain.kinds.publisher import ending_soon  # noqa: PLC0415
    from ckanext.vgsamverkan.model import PublisherRequest  # noqa: PLC0415 (the model, read only)

    today = taking_part.today()
    rows = (model.Session.query(PublisherRequest, model.Group.title)
            .join(model.Group, model.Group.id == PublisherRequest.organization_id)
            .filter(PublisherRequest.user_id == user.id, ending_soon(today))
            .order_by(PublisherRequest.expires).limit(20))
    return [{"id": r.id, "organization_title": title, "role": r.role, "expires": r.expires.isoformat(),
             "days": (r.expires - today).days} for r, title in rows]


# what CKAN's first form saved of a dataset, carried by a refused resource form (issue 39,
# views/dataset.py)
DRAFT_KEPT = ("name", "title", "notes", "owner_org", "private", "license_id", "url", "version", "author",
              "author_email", "maintainer", "maintainer_email", "tags", "extras", "type")


def vgsamverkan_refused_draft() -> str:
    """When the connection rule refused the first resource of a draft in this request
    (the draft is then purged: views/dataset.py), what was typed of the dataset, as JSON
    for the form to carry; else empty."""
    package_id = enforce.refused_here()
    package = model.Package.get(package_id) if package_id else None
    if package is None or package.state != "draft":
        return ""
    shown = tk.get_action("package_show")({"ignore_auth": True}, {"id": package.id})
    kept = {key: shown[key] for key in DRAFT_KEPT if shown.get(key) not in (None, "", [])}
    kept["tags"] = [{"name": t["name"]} for t in kept.get("tags", [])]
    kept["extras"] = [{"key": e["key"], "value": e["value"]} for e in kept.get("extras", [])]
    return json.dumps(kept, ensure_ascii=False)


def vgsamverkan_error_text(code: Any, content: Any) -> dict[str, str]:
    """The heading and text of CKAN's error page in the page's language: Werkzeug's
    English name and default description ("Not Found", "The requested URL was not found
    on the server…") replaced, a page's own words (its refusal) kept."""
    from werkzeug.exceptions import default_exceptions  # noqa: PLC0415 (Werkzeug's table of errors)

    number = code[0] if isinstance(code, list) and code else code
    headings = {400: tk._("The request could not be read"), 403: tk._("Not allowed"),
                404: tk._("Not found"), 405: tk._("Not allowed"), 413: tk._("Too large"),
                429: tk._("Too many requests"), 500: tk._("Something went wrong"),
                503: tk._("The portal is not available just now")}
    heading = headings.get(number) or tk._("Error {code}").format(code=number)
    text = str(content or "")
    known = default_exceptions.get(number) if isinstance(number, int) else None
    if not text or (known is not None and text == known.description) or text == "Internal server error":
        text = {404: tk._("There is no page at this address. It may have moved, or the address is mistyped."),
                403: tk._("You may not see this page."),
                500: tk._("The portal could not answer. Try again in a while; if it goes on, tell the regional "
                          "coordinator.")}.get(number, tk._("The portal could not answer this request."))
    return {"heading": f"{number} {heading}" if number else heading, "text": text}
