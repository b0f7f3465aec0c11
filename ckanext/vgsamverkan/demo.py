"""Demo data for a first look (``ckan vgsamverkan demo seed``). Invented people and
organisations only. Idempotent: what exists is reused."""
from __future__ import annotations

import datetime as dt
from typing import Iterator

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.model import (
    Calloff,
    Connection,
    FeeSchedule,
    FeeStatement,
    Participation,
    PublisherRequest,
    Registration,
)
from ckanext.vgsamverkan.orgnumber import check_digit

DEMO_PASSWORD = "demo-samverkan-2026"

USERS = [
    ("samordnare", "Sam Samordnare", "samordnare@example.org"),
    ("anna-admin", "Anna Exempelsson", "anna@example.org"),
    ("bertil-bolag", "Bertil Bolagsson", "bertil@example.org"),
    ("cecilia-ny", "Cecilia Nysson", "cecilia@example.org"),
    ("david-besok", "David Besöksson", "david@example.org"),
    ("erik-expert", "Erik Expertsson", "erik@example.org"),
    ("erika-redaktor", "Erika Redaktörsson", "erika@example.org"),
    ("filip-fel", "Filip Felsson", "filip@example.org"),
    ("greta-gick", "Greta Gicksson", "greta@example.org"),
    ("hugo-hade", "Hugo Hadesson", "hugo@example.org"),
    ("tove-tanum", "Tove Tanumsson", "tove@example.org"),
]


def _org_number(first_nine: str) -> str:
    return f"{first_nine[:6]}-{first_nine[6:]}{check_digit(first_nine)}"


def _ctx(user: str) -> dict:
    return {"user": user, "model": model, "session": model.Session, "ignore_auth": False}


def _site() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def _ensure_user(name: str, fullname: str, email: str) -> tuple[str, bool]:
    if model.User.get(name) is not None:
        return name, False
    tk.get_action("user_create")(
        {"user": _site(), "ignore_auth": True},
        {"name": name, "fullname": fullname, "email": email, "password": DEMO_PASSWORD},
    )
    return name, True


def _ensure_org(name: str, title: str, admin: str) -> str:
    org = model.Group.get(name)
    if org is not None:
        return org.id
    return tk.get_action("organization_create")(
        {"user": admin, "ignore_auth": True},
        {"name": name, "title": title},
    )["id"]


def _has_application(name: str) -> bool:
    return (
        model.Session.query(Participation.id)
        .filter(Participation.organization_name == name)
        .first()
        is not None
    )


def seed() -> Iterator[str]:
    for name, fullname, email in USERS:
        _, created = _ensure_user(name, fullname, email)
        yield f"user {name}: {'created' if created else 'exists'}"
    if "samordnare" not in config.coordinators():
        yield (
            "note: add 'samordnare' to ckanext.vgsamverkan.coordinators to make it the "
            "coordinator (make run does)"
        )
    site = _site()

    # An approved kommun with an admin.
    org_id = _ensure_org("exempelstads-kommun", "Exempelstads kommun", "anna-admin")
    if not _has_application("exempelstads-kommun"):
        p = tk.get_action("vgsamverkan_participation_apply")(
            _ctx("anna-admin"),
            {
                "organization_id": org_id,
                "org_type": "kommun",
                "municipality_code": "1401",
                "org_number": _org_number("212999001"),
                "contact_name": "Anna Exempelsson",
                "contact_email": "anna@example.org",
                "contact_phone": "031-000 00 01",
                "invoice_reference": "DEMO-001",
                "motivation": "Vi vill publicera våra öppna data via den regionala plattformen.",
                "language": "sv",
            },
        )
        tk.get_action("vgsamverkan_participation_approve")(
            {"user": site}, {"id": p["id"], "effective_from": "2026-01-01", "comment": "Välkomna!"}
        )
        yield "participation Exempelstads kommun: approved"

    # A pending municipal company of an existing organisation.
    org_id = _ensure_org("exempelstads-energi", "Exempelstads Energi AB", "bertil-bolag")
    if not _has_application("exempelstads-energi"):
        tk.get_action("vgsamverkan_participation_apply")(
            _ctx("bertil-bolag"),
            {
                "organization_id": org_id,
                "org_type": "kommunalt_bolag",
                "municipality_code": "1401",
                "org_number": _org_number("556999001"),
                "contact_name": "Bertil Bolagsson",
                "contact_email": "bertil@example.org",
                "invoice_reference": "DEMO-002",
                "motivation": "Vi har energidata som efterfrågas.",
                "language": "sv",
            },
        )
        yield "participation Exempelstads Energi AB: pending"

    # A pending application for a new organisation.
    if not _has_application("sjovik-kommun"):
        tk.get_action("vgsamverkan_participation_apply")(
            _ctx("cecilia-ny"),
            {
                "organization_title": "Sjöviks kommun",
                "organization_name": "sjovik-kommun",
                "org_type": "kommun",
                "municipality_code": "1402",
                "org_number": _org_number("212999002"),
                "contact_name": "Cecilia Nysson",
                "contact_email": "cecilia@example.org",
                "invoice_reference": "DEMO-003",
                "motivation": "Vi börjar med öppna data och vill vara med i samverkan.",
                "language": "sv",
            },
        )
        yield "participation Sjöviks kommun (new organisation): pending"

    # A pending request for publishing rights in the approved kommun.
    kommun, david = model.Group.get("exempelstads-kommun"), model.User.get("david-besok")
    if kommun is not None and david is not None and not model.Session.query(PublisherRequest.id).filter(
            PublisherRequest.organization_id == kommun.id, PublisherRequest.user_id == david.id).first():
        tk.get_action("vgsamverkan_publisher_request")(
            _ctx("david-besok"),
            {"organization_id": kommun.id, "role": "editor", "language": "sv",
             "motivation": "Jag ansvarar för kommunens trafikdata och vill publicera dem."},
        )
        yield "publisher request David Besöksson in Exempelstads kommun: pending"

    # A quoted connection request of the approved kommun (a quote to look at).
    if kommun is not None and not model.Session.query(Connection.id).filter(
            Connection.organization_id == kommun.id).first():

        c = tk.get_action("vgsamverkan_connection_create")(
            _ctx("anna-admin"),
            {"organization_id": kommun.id, "language": "sv",
             "information_sets": "Kartor över detaljplaner (WMS) och trafikdata via API",
             "proposed_solution": "WMS-tjänst och API via den regionala plattformen",
             "technical_contact": "Anna Exempelsson, anna@example.org"},
        )
        tk.get_action("vgsamverkan_connection_investigate")(
            {"user": site}, {"id": c["id"], "investigator": "Sam Samordnare"})
        tk.get_action("vgsamverkan_connection_quote")(
            {"user": site},
            {"id": c["id"], "solution": "Anslutning av WMS-tjänsten och API:t via plattformens proxy",
             "effort_hours": "24", "price": "18500.00",
             "valid_until": (dt.date.today() + dt.timedelta(days=60)).isoformat()},
        )
        yield "connection Exempelstads kommun: quoted"

    # Two call-offs of the kommun: one waiting for an expert, one with time logged over
    # two months by the demo expert.
    if kommun is not None and not model.Session.query(Calloff.id).filter(
            Calloff.organization_id == kommun.id).first():

        today = dt.date.today()
        last_month = today.replace(day=1) - dt.timedelta(days=1)
        tk.get_action("vgsamverkan_calloff_create")(
            _ctx("anna-admin"),
            {"organization_id": kommun.id, "language": "sv", "competence_area": "juridik",
             "description": "Vilken licens ska vi välja för våra detaljplaner?", "estimated_hours": "4",
             "period_start": today.isoformat(), "period_end": (today + dt.timedelta(days=60)).isoformat(),
             "contact": "Anna Exempelsson, anna@example.org"},
        )
        yield "call-off Exempelstads kommun (juridik): requested"
        c = tk.get_action("vgsamverkan_calloff_create")(
            _ctx("anna-admin"),
            {"organization_id": kommun.id, "language": "sv", "competence_area": "metadata",
             "description": "Hjälp att beskriva våra datamängder enligt DCAT-AP-SE", "estimated_hours": "16",
             "period_start": last_month.replace(day=1).isoformat(),
             "period_end": (today + dt.timedelta(days=30)).isoformat()},
        )
        _requested_on(c["id"], last_month.replace(day=1))  # a demo with history: asked for last month
        tk.get_action("vgsamverkan_calloff_assign")(
            {"user": site}, {"id": c["id"], "expert_name": "Erik Expertsson", "expert_user_id": "erik-expert",
                             "hourly_rate": "950.00", "planned_hours": "12"})
        for date, hours, note in ((last_month.replace(day=10), "3", "Genomgång av katalogen"),
                                  (last_month.replace(day=17), "2.5", "Workshop om DCAT-AP-SE"),
                                  (today.replace(day=1), "1.25", "Granskning av metadata")):
            tk.get_action("vgsamverkan_calloff_log_time")(
                _ctx("erik-expert"), {"id": c["id"], "date": date.isoformat(), "hours": hours, "note": note})
        yield "call-off Exempelstads kommun (metadata): in progress, 6.75 hours logged"

    yield from _seed_every_state(site)
    yield from _seed_tanum(site)
    yield from _seed_shared_number(site)

    # A fee schedule; the two months before last run and closed (their e-invoices issued:
    # the second has a credit note that names an invoice of the first), last month run
    # (open: it can be looked at, run again, closed).
    if not model.Session.query(FeeSchedule.id).first():

        tk.get_action("vgsamverkan_fee_schedule_set")(
            {"user": site}, {"valid_from": "2026-01", "total": "100000.00", "base_percent": "10",
                             "regional_fixed": "5000.00"})
        last = dt.date.today().replace(day=1) - dt.timedelta(days=1)
        before_last = (last.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
        earlier = (dt.date.fromisoformat(before_last + "-01") - dt.timedelta(days=1)).strftime("%Y-%m")
        issued = []
        if earlier >= "2026-01":  # the fees begin in January 2026
            tk.get_action("vgsamverkan_fee_run")({"user": site}, {"month": earlier})
            issued += tk.get_action("vgsamverkan_fee_close")({"user": site}, {"month": earlier})["invoices"]
            # a credit larger than the month's fee, correcting the month before: a credit note
            tanum = model.Group.get("tanums-kommun")
            charged = (model.Session.query(FeeStatement.net_ore)
                       .filter(FeeStatement.month == earlier, FeeStatement.organization_id == tanum.id).scalar()
                       if tanum is not None else None)
            if charged:  # that month's fee back and 5 000 kr: the next month's statement is negative
                tk.get_action("vgsamverkan_fee_adjust")(
                    {"user": site}, {"organization_id": tanum.id, "month": before_last,
                                     "amount": f"-{charged / 100 + 5000:.2f}", "corrects": earlier,
                                     "reason": "Kreditering: månadens avgift debiterades två gånger, och 5 000 kr "
                                               "i ersättning för ett driftavbrott"})
        tk.get_action("vgsamverkan_fee_run")({"user": site}, {"month": before_last})
        issued += tk.get_action("vgsamverkan_fee_close")({"user": site}, {"month": before_last})["invoices"]
        run = tk.get_action("vgsamverkan_fee_run")({"user": site}, {"month": last.strftime("%Y-%m")})
        yield (f"fee schedule from 2026-01; fees of {earlier} and {before_last} closed with e-invoices "
               f"{issued[0] if issued else '–'} to {issued[-1] if issued else '–'}; of {last.strftime('%Y-%m')} "
               f"run: {run['count']} statements (open)")

    for line in _seed_datasets():
        yield line
    yield from _seed_exemption(site)
    yield from _seed_registration()
    yield f"demo password for every demo user: {DEMO_PASSWORD}"


def _seed_shared_number(site: str) -> Iterator[str]:
    """Two administrations of one region: one organisationsnummer, two customers (their
    own invoice references and addresses), the legal name recorded by the coordinator."""
    if _has_application("regionens-kulturforvaltning"):
        return
    number = _org_number("232999002")
    for name, title, reference, street in (
            ("regionens-kulturforvaltning", "Regionens kulturförvaltning", "KULTUR-100", "Kulturgatan 1"),
            ("regionens-miljoforvaltning", "Regionens miljöförvaltning", "MILJO-200", "Miljövägen 2")):
        org_id = _ensure_org(name, title, "hugo-hade")
        p = tk.get_action("vgsamverkan_participation_apply")(
            _ctx("hugo-hade"), {"organization_id": org_id, "org_type": "regional_forvaltning",
                                "org_number": number, "contact_name": "Hugo Hadesson",
                                "contact_email": "hugo@example.org", "invoice_reference": reference,
                                "address_street": street, "address_postcode": "405 44",
                                "address_city": "Exempelstad", "language": "sv"})
        tk.get_action("vgsamverkan_participation_approve")({"user": site},
                                                           {"id": p["id"], "effective_from": "2026-01-01"})
    tk.get_action("vgsamverkan_participation_update")({"user": site}, {"id": p["id"],
                                                                       "legal_name": "Regionen i demon"})
    yield f"participations: two administrations sharing {number} (legal name Regionen i demon)"


def _seed_registration() -> Iterator[str]:
    """A registration waiting for its link (issue 36): its mail is in the outbox (make
    run: var/mail/), the account is made with the demo password once the link is
    followed."""
    if model.Session.query(Registration).filter(Registration.name == "nina-nyregistrerad").first() is None \
            and model.User.get("nina-nyregistrerad") is None:
        tk.get_action("vgsamverkan_user_register")(
            {"user": ""}, {"name": "nina-nyregistrerad", "fullname": "Nina Nyregistrerad",
                           "email": "nina@example.org", "password1": DEMO_PASSWORD, "password2": DEMO_PASSWORD,
                           "language": "sv"})
        yield "registration nina-nyregistrerad: waiting for its link (the mail is in var/mail/)"


def _seed_exemption(site: str) -> Iterator[str]:
    """A map service of the energy company, shown through its supplier's own WMS (issue
    21): its address needs a connection by the rule, and the coordinator has marked the
    dataset as needing none, with why."""
    name = "laddstolpar-karta"
    if model.Package.get(name) is not None or model.Group.get("exempelstads-energi") is None:
        return
    ds = tk.get_action("package_create")(
        {"user": site, "ignore_auth": True},
        {"name": name, "title": "Laddstolpar på karta", "owner_org": "exempelstads-energi",
         "notes": "Kartvisning av laddpunkterna via leverantörens egen karttjänst.", "license_id": "cc-by",
         "tags": [{"name": "energi"}, {"name": "karta"}], "extras": [{"key": "theme", "value": THEMES[name]}],
         "resources": [{"url": "https://karta.example.com/geoserver/wms?service=WMS&request=GetCapabilities",
                        "format": "", "name": "Karttjänst (WMS)"}]})
    tk.get_action("vgsamverkan_exemption_create")(
        {"user": "samordnare" if model.User.get("samordnare") else site, "ignore_auth": True},
        {"id": ds["id"], "reason": "Tjänsten drivs av leverantören och skördas inte via plattformen: "
                                   "ingen anslutning behövs."})
    yield f"dataset {name}: created, marked as needing no connection"


DATASETS = [
    # (organisation, name, title, notes, tags, format, license, private)
    ("exempelstads-kommun", "cykelvagar", "Cykelvägar i Exempelstad",
     "Alla cykelvägar och cykelbanor i kommunen, med beläggning och belysning.",
     ["cykel", "trafik", "infrastruktur"], "GeoJSON", "cc-by", False),
    ("exempelstads-kommun", "cykelparkeringar", "Cykelparkeringar",
     "Platser vid stationer, skolor och centrum, med antal platser och om de har tak.",
     ["cykel", "infrastruktur"], "CSV", "cc-by", False),
    ("exempelstads-kommun", "snorojning", "Snöröjning av gång- och cykelvägar",
     "Prioritering och tider för snöröjning och halkbekämpning av kommunens cykelvägar.",
     ["vinter", "trafik"], "CSV", "cc-zero", False),
    ("exempelstads-kommun", "vattenkvalitet-sjoar", "Vattenkvalitet i sjöar och vattendrag",
     "Provtagning av siktdjup, fosfor och kväve två gånger per år.",
     ["miljö", "natur"], "CSV", "cc-by", False),
    ("exempelstads-kommun", "badplatser", "Badplatser och vattenkvalitet",
     "Kommunens badplatser med provtagningar av vattenkvaliteten under badsäsongen.",
     ["bad", "miljö", "friluftsliv"], "CSV", "cc-by", False),
    ("exempelstads-kommun", "forskolor", "Förskolor och skolor",
     "Adresser, huvudmän och antal platser i förskolor och grundskolor.",
     ["skola", "förskola", "utbildning"], "CSV", "cc-zero", False),
    ("exempelstads-kommun", "luftkvalitet", "Luftkvalitet – timvisa mätningar",
     "Mätningar av kvävedioxid och partiklar från kommunens mätstationer.",
     ["luft", "miljö", "mätningar"], "JSON", "cc-by", False),
    ("exempelstads-kommun", "budget-utkast", "Budget 2027 (utkast)",
     "Internt utkast till budget: syns bara för organisationens medlemmar.",
     ["ekonomi", "budget"], "XLSX", "cc-by", True),
    ("exempelstads-energi", "laddstolpar", "Laddstolpar för elbilar",
     "Publika laddpunkter med effekt och kontakttyp. English: public EV charging points.",
     ["energi", "elbil", "trafik"], "CSV", "cc-by", False),
]


# the EU data themes of the demo's datasets (dcat:theme in /catalog.rdf: the extra "theme")
THEMES = {"cykelvagar": "TRAN", "cykelparkeringar": "TRAN", "snorojning": "TRAN", "vattenkvalitet-sjoar": "ENVI",
          "badplatser": "ENVI HEAL", "forskolor": "EDUC", "luftkvalitet": "ENVI HEAL", "budget-utkast": "ECON",
          "laddstolpar": "ENER TRAN", "laddstolpar-karta": "ENER"}


def _seed_datasets() -> Iterator[str]:
    site = _site()
    for org, name, title, notes, tags, fmt, license_id, private in DATASETS:
        if model.Package.get(name) is not None or model.Group.get(org) is None:
            continue
        tk.get_action("package_create")(
            {"user": site, "ignore_auth": True},
            {
                "name": name, "title": title, "notes": notes, "owner_org": org,
                "private": private, "license_id": license_id,
                "tags": [{"name": t} for t in tags], "extras": [{"key": "theme", "value": THEMES[name]}],
                "resources": [{"url": f"https://data.example.org/{name}.{fmt.lower()}",
                               "format": fmt, "name": title}],
            },
        )
        yield f"dataset {name}: created{' (private)' if private else ''}"


def _requested_on(calloff_id: str, day: dt.date) -> None:
    """The demo's history: a call-off asked for on ``day`` (time is logged only from the
    day a call-off was requested), written as the seed's own fact, not through an action."""
    moment = dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.timezone.utc)
    model.Session.query(Calloff).filter(Calloff.id == calloff_id).update({"created": moment})
    model.Session.commit()


def _seed_tanum(site: str) -> Iterator[str]:
    """Tanum (1435) takes part since January and ends at the end of this month (issue 19):
    the shipped population has only its figure of 2023, so its access line says which
    year it used; its page says "until" the last day, and it publishes until then."""
    if _has_application("tanums-kommun"):
        return
    org_id = _ensure_org("tanums-kommun", "Tanums kommun", "tove-tanum")
    p = tk.get_action("vgsamverkan_participation_apply")(
        _ctx("tove-tanum"),
        {"organization_id": org_id, "org_type": "kommun", "municipality_code": "1435",
         "org_number": _org_number("212999014"), "contact_name": "Tove Tanumsson",
         "contact_email": "tove@example.org", "invoice_reference": "DEMO-TANUM", "language": "sv",
         "motivation": "Vi vill publicera kommunens data om besöksnäring och kust."})
    tk.get_action("vgsamverkan_participation_approve")({"user": site}, {"id": p["id"], "effective_from": "2026-01-01"})
    today = dt.date.today()
    month_end = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    tk.get_action("vgsamverkan_participation_terminate")(
        {"user": site}, {"id": p["id"], "effective_to": month_end.isoformat(),
                         "comment": "Kommunen har sagt upp avtalet till månadens slut"})
    yield f"participation Tanums kommun: approved from 2026-01-01, terminated with {month_end} as its last day"


def _seed_every_state(site: str) -> Iterator[str]:
    """Every state of every workflow, so that a first look at the coordinator's page is a
    realistic working day (idempotent: skipped when the region below exists)."""

    if _has_application("vastkustens-region"):
        return
    coordinator = {"user": site}
    today = dt.date.today()
    last = today.replace(day=1) - dt.timedelta(days=1)
    kommun = model.Group.get("exempelstads-kommun")

    def apply(name: str, title: str, org_type: str, admin: str, number: str, code: str = "") -> dict:
        org_id = _ensure_org(name, title, admin)
        data = {"organization_id": org_id, "org_type": org_type, "org_number": _org_number(number),
                "contact_name": title, "contact_email": f"{name}@example.org", "language": "sv",
                "motivation": "Demo."}
        if code:
            data["municipality_code"] = code
        return tk.get_action("vgsamverkan_participation_apply")(_ctx(admin), data)

    # participation: rejected, withdrawn, terminated
    p = apply("avslagna-forvaltningen", "Avslagna förvaltningen", "regional_forvaltning", "filip-fel", "212999011")
    tk.get_action("vgsamverkan_participation_reject")(
        coordinator, {"id": p["id"], "reason": "Dubblett av en annan ansökan"})
    p = apply("dragna-bolaget", "Dragna bolaget AB", "kommunalt_bolag", "greta-gick", "556999011", "1480")
    tk.get_action("vgsamverkan_participation_withdraw")(
        _ctx("greta-gick"), {"id": p["id"], "comment": "Vi väntar ett år"})
    p = apply("vastkustens-region", "Västkustens region", "regional_forvaltning", "hugo-hade", "212999012")
    tk.get_action("vgsamverkan_participation_approve")(coordinator, {"id": p["id"], "effective_from": "2026-01-01"})
    tk.get_action("vgsamverkan_participation_terminate")(
        coordinator, {"id": p["id"], "effective_to": last.isoformat(), "comment": "Avslutat enligt avtal"})
    yield "participations: rejected, withdrawn, terminated"

    if kommun is None:
        return
    # publisher rights: approved with an end date, rejected, withdrawn, revoked
    def ask(user: str) -> dict:
        return tk.get_action("vgsamverkan_publisher_request")(
            _ctx(user), {"organization_id": kommun.id, "role": "editor", "motivation": "Demo."})

    r = ask("erika-redaktor")
    tk.get_action("vgsamverkan_publisher_approve")(
        coordinator, {"id": r["id"], "expires": (today + dt.timedelta(days=10)).isoformat()})
    tk.get_action("vgsamverkan_publisher_reject")(
        coordinator, {"id": ask("filip-fel")["id"], "reason": "Okänd användare"})
    tk.get_action("vgsamverkan_publisher_withdraw")(_ctx("greta-gick"), {"id": ask("greta-gick")["id"]})
    r = ask("hugo-hade")
    tk.get_action("vgsamverkan_publisher_approve")(coordinator, {"id": r["id"]})
    tk.get_action("vgsamverkan_publisher_revoke")(coordinator, {"id": r["id"], "comment": "Slutat"})
    yield "publisher rights: approved (expires soon), rejected, withdrawn, revoked"

    # connections in every state
    def connection(steps: list[str]) -> None:
        c = tk.get_action("vgsamverkan_connection_create")(
            _ctx("anna-admin"), {"organization_id": kommun.id,
                                 "information_sets": f"Demo: {steps[-1] if steps else 'ny'}",
                                 "technical_contact": "Anna Exempelsson", "language": "sv"})
        params = {"investigate": {"investigator": "Sam Samordnare"},
                  "quote": {"solution": "Skörd", "effort_hours": "8", "price": "6400",
                            "valid_until": (today + dt.timedelta(days=30)).isoformat()},
                  "complete": {"connected_date": last.replace(day=15).isoformat()}}
        for step in steps:
            who = _ctx("anna-admin") if step in ("accept", "decline") else coordinator
            tk.get_action(f"vgsamverkan_connection_{step}")(who, {"id": c["id"], **params.get(step, {})})

    for steps in ([], ["investigate"], ["investigate", "quote", "accept"],
                  ["investigate", "quote", "accept", "complete"], ["investigate", "quote", "decline"],
                  ["cancel"], ["investigate", "quote", "accept", "complete", "disconnect"]):
        connection(steps)
    yield "connections: submitted, investigating, accepted, connected, declined, cancelled, disconnected"

    # call-offs: assigned, delivered, cancelled
    def calloff(area: str) -> dict:
        return tk.get_action("vgsamverkan_calloff_create")(
            _ctx("anna-admin"), {"organization_id": kommun.id, "competence_area": area, "language": "sv",
                                 "description": f"Demo: {area}", "estimated_hours": "6",
                                 "period_start": last.replace(day=1).isoformat(),
                                 "period_end": (today + dt.timedelta(days=60)).isoformat()})

    c = calloff("utbildning")
    tk.get_action("vgsamverkan_calloff_assign")(
        coordinator, {"id": c["id"], "expert_name": "Erik Expertsson", "expert_user_id": "erik-expert",
                      "fixed_price": "12000", "planned_hours": "6"})
    c = calloff("teknik")
    _requested_on(c["id"], last.replace(day=1))
    tk.get_action("vgsamverkan_calloff_assign")(
        coordinator, {"id": c["id"], "expert_name": "Erik Expertsson", "expert_user_id": "erik-expert",
                      "hourly_rate": "950", "planned_hours": "4"})
    tk.get_action("vgsamverkan_calloff_log_time")(
        _ctx("erik-expert"), {"id": c["id"], "date": last.replace(day=20).isoformat(), "hours": "3.75",
                              "note": "API-genomgång"})
    tk.get_action("vgsamverkan_calloff_deliver")(coordinator, {"id": c["id"], "delivered_date": last.isoformat()})
    c = calloff("juridik")
    tk.get_action("vgsamverkan_calloff_cancel")(_ctx("anna-admin"), {"id": c["id"], "comment": "Löst internt"})
    yield "call-offs: assigned, delivered, cancelled"
