"""The coordinator's workplace in CKAN admin: the queue with decisions in bulk, population and
personal data."""
from __future__ import annotations

import json
from typing import Any, Callable

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import binding, figures_cache, labels
from ckanext.vgsamverkan.domain import objects, taking_part
from ckanext.vgsamverkan.logic import pages
from ckanext.vgsamverkan.population_file import PopulationFileError, parse, shipped_rows
from ckanext.vgsamverkan.views._common import (
    _act_and_flash,
    _context,
    _csrf_protected,
    _error_summary,
    _field_labels,
    _form,
    _in_order,
    _paged,
    coordinator_required,
    when_refused,
)
from ckanext.vgsamverkan.views._confirm import render as confirm_render
from ckanext.vgsamverkan.views.public import mail_language, mail_language_set


def admin_queue():
    """The coordinator's workplace. Its filters (kind, type of organisation, municipality,
    order; the state of applications) apply to every section (issue 21)."""
    context = _context()
    when_refused(forbidden=tk._("Only the regional coordinator may see this page"))
    # the dashboard's counts and the chart's months change only with a write or a new day:
    # kept in Redis under their generation (figures_cache.py; issue 39)
    tk.check_access("vgsamverkan_dashboard_show", context, {})
    tk.check_access("vgsamverkan_history_show", context, {})
    figures = figures_cache.cached({
        "dashboard": lambda: tk.get_action("vgsamverkan_dashboard_show")(_context(), {}),
        "history": lambda: tk.get_action("vgsamverkan_history_show")(_context(), {})["results"],
    })
    dashboard = figures["dashboard"]
    filters = {k: tk.request.args.get(k) or "" for k in ("kind", "org_type", "municipality_code", "sort")}
    filters["state"] = tk.request.args.get("state") or "pending"
    if filters["kind"] and filters["kind"] not in objects.KINDS:  # a made-up address showed nothing at all
        tk.h.flash_notice(tk._("There is no kind of request “{kind}”: every kind is shown.").format(
            kind=filters["kind"][:40]))
        filters["kind"] = ""
    sort = "newest" if filters["sort"] == "newest" else "oldest"
    chosen = {k: filters[k] for k in ("org_type", "municipality_code") if filters[k]}

    def lister(action: str, asked: dict[str, Any]) -> Callable[[int, int], tuple[int, list[dict[str, Any]]]]:
        def fetch(offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
            try:
                page = tk.get_action(action)(_context(), {**asked, "offset": offset, "limit": limit})
            except tk.ValidationError:  # a value the filter's address made up
                return 0, []
            return page["count"], page["results"]
        return fetch

    # each kind's open requests, at every move, in its own section (its template
    # admin/<kind>_queue.html): what waits for the coordinator is the overview above them
    # (vgsamverkan_queue_list). Applications by the state chosen in the filters. Each
    # section and the overview a page at a time, paged in their queries (issue 39).
    sections = []
    for kind in objects.KINDS.values():
        if filters["kind"] and kind.name != filters["kind"]:
            continue
        states = [filters["state"]] if kind.own_facts else list(kind.open)
        items, paging = _paged(f"{kind.name}_page", lister(
            f"vgsamverkan_{kind.name}_list", {"states": states, "sort": sort, **chosen}),
            f"vgs-section-{kind.name}")
        sections.append({"kind": kind.name, "items": items, "paging": paging,
                         "template": f"vgsamverkan/admin/{kind.name}_queue.html"})
    overview, overview_paging = _paged("overview_page", lister(
        "vgsamverkan_queue_list", {k: v for k, v in filters.items() if v and k != "state"}), "overview-heading")
    history = figures["history"]
    return tk.render(
        "vgsamverkan/admin/queue.html",
        {
            "dashboard": dashboard,
            "kinds": list(objects.KINDS),
            "sections": sections,
            "overview": overview,
            "overview_paging": overview_paging,
            "filters": filters,
            "filtered": any(filters[k] for k in ("kind", "org_type", "municipality_code")),
            "history": history,
            "state": filters["state"],
            "org_type": filters["org_type"],
        },
    )


@_csrf_protected
@coordinator_required
def admin_bulk():
    """Approve or reject several applications and publisher requests with one comment or
    reason: each is its own decision (its own transaction and event); the refusals are
    reported one by one."""
    form = tk.request.form
    verb = form.get("verb")
    items = form.getlist("items")
    if verb not in ("approve", "reject"):
        tk.h.flash_error(tk._("Choose approve or reject"))
        return tk.redirect_to("vgsamverkan_admin.queue")
    if not items:
        tk.h.flash_error(tk._("Select at least one request"))
        return tk.redirect_to("vgsamverkan_admin.queue")
    text = (form.get("text") or "").strip()
    if form.get("confirmed") != "yes":  # a binding act: asked once more, naming each request
        consequence = (tk._("You approve these {n} requests at once: each is decided on its own and its applicant "
                            "is told. This cannot be undone.") if verb == "approve" else
                       tk._("You reject these {n} requests at once with the reason “{reason}”: each applicant is "
                            "told. This cannot be undone.")).format(n=len(items), reason=text)
        return confirm_render(title=tk._("Please confirm"), consequence_text=consequence,
                               yes=binding.yes_label("bulk", verb), action=tk.h.url_for("vgsamverkan_admin.bulk"),
                               back=tk.h.url_for("vgsamverkan_admin.queue"),
                               items=[_item_title(i, with_kind=True) for i in items], danger=verb == "reject")
    done, failed = 0, []
    for item in items:
        kind, _, object_id = item.partition(":")
        if kind not in objects.KINDS or not objects.KINDS[kind].bulk or not object_id:
            failed.append((item, tk._("Not a request that can be decided in bulk")))
            continue
        payload: dict[str, Any] = {"id": object_id}
        if verb == "reject":
            payload["reason"] = text
        elif text:
            payload["comment"] = text
        try:
            tk.get_action(f"vgsamverkan_{kind}_{verb}")(_context(), payload)
            done += 1
        except tk.ValidationError as e:
            failed.append((item, "; ".join(f"{label}: {msg}" for label, msg in _error_summary(e.error_dict).items())))
        except (tk.NotAuthorized, tk.ObjectNotFound) as e:
            failed.append((item, str(e) or tk._("Not found")))
    if done:
        tk.h.flash_success(tk._("Decisions saved: {n}").format(n=done))
    for item, message in failed:
        tk.h.flash_error(tk._("{item} was not decided: {message}").format(item=_item_title(item), message=message))
    return tk.redirect_to("vgsamverkan_admin.queue")


def _item_title(item: str, *, with_kind: bool = False) -> str:
    kind, _, object_id = item.partition(":")
    try:
        obj = tk.get_action(f"vgsamverkan_{kind}_show")(_context(), {"id": object_id})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError, KeyError):  # KeyError: no such kind
        return item
    title = objects.KINDS[kind].title(obj) or item
    return f"{objects.KINDS[kind].label()}: {title}" if with_kind else title


MAX_UPLOAD = 5 * 1024 * 1024  # SCB's table is some hundred kB


def _population_page(year: str | None, **extra: Any):
    """The population page: the figures of ``year`` (default the newest), the upload form,
    and what ``extra`` adds (a preview, the errors and the values typed)."""
    try:
        listing = tk.get_action("vgsamverkan_population_list")(
            _context(), {"year": year, "limit": pages.MOST} if year else {"limit": 1})
    except tk.ValidationError as e:  # ?year=abc, or far out of range: say so, show the latest
        for label, msg in _error_summary(e.error_dict).items():
            tk.h.flash_error(f"{label}: {msg}")
        year = None
        listing = tk.get_action("vgsamverkan_population_list")(_context(), {"limit": 1})
    years = listing.get("years") or []
    if not year and years:
        year = str(max(years))
        listing = tk.get_action("vgsamverkan_population_list")(_context(), {"year": year, "limit": pages.MOST})
    rows = listing["results"]
    values = {"year": str(taking_part.today().year - 1), "source": "SCB", **extra.pop("values", {})}
    return tk.render("vgsamverkan/admin/population.html", {
        "years": years, "year": year, "rows": rows, "total": sum(r["population"] for r in rows),
        "sources": sorted({labels.population_source(r.get("source") or "") for r in rows}), "values": values,
        "errors": {}, "error_summary": {}, "preview": None, **extra,
    })


@coordinator_required
def admin_population():
    return _population_page(tk.request.args.get("year") or None)


def _import_refused(errors: dict[str, Any], values: dict[str, Any]):
    return _population_page(values.get("year"), errors=errors, error_summary=_error_summary(errors),
                            values=values)


def _problem(e: PopulationFileError) -> str:
    """What is wrong with a file, in the page's language (population_file.PROBLEMS)."""
    problems = {
        "the file has no header row": tk._("the file has no header row"),
        "no population column (folkmängd/population)": tk._("no population column (folkmängd/population)"),
        "no municipality code column (kommunkod/code/region)":
            tk._("no municipality code column (kommunkod/code/region)"),
        "expected {expected} columns, found {found}": tk._("expected {expected} columns, found {found}"),
        "not a year: {value}": tk._("not a year: {value}"),
        "not a municipality: {value}": tk._("not a municipality: {value}"),
        "not a municipality code: {value}": tk._("not a municipality code: {value}"),
        "municipality {code} appears twice": tk._("municipality {code} appears twice"),
        "not a number of inhabitants: {value}": tk._("not a number of inhabitants: {value}"),
        "no figures for {year}": tk._("no figures for {year}"),
        "the workbook has no sheet": tk._("the workbook has no sheet"),
        "not a readable XLSX workbook ({error})": tk._("not a readable XLSX workbook ({error})"),
        "the file is not text in UTF-8, UTF-16 or Windows-1252":
            tk._("the file is not text in UTF-8, UTF-16 or Windows-1252"),
        "not readable as CSV ({error})": tk._("not readable as CSV ({error})"),
        "the line is longer than {limit} characters": tk._("the line is longer than {limit} characters"),
        "a value is longer than {limit} characters": tk._("a value is longer than {limit} characters"),
        "the table has more than {limit} rows": tk._("the table has more than {limit} rows"),
        "the table has more than {limit} columns": tk._("the table has more than {limit} columns"),
        "the workbook unpacks to more than {limit} MB": tk._("the workbook unpacks to more than {limit} MB"),
        "the workbook has more than {limit} texts": tk._("the workbook has more than {limit} texts"),
        "the workbook declares a DTD, which is not read": tk._("the workbook declares a DTD, which is not read"),
        "cell reference {ref} is beyond Excel's last cell XFD1048576":
            tk._("cell reference {ref} is beyond Excel's last cell XFD1048576"),
        "text number {index} of the workbook does not exist":
            tk._("text number {index} of the workbook does not exist"),
        "the workbook has more than {limit} XML elements": tk._("the workbook has more than {limit} XML elements"),
        "a municipality's name is longer than {limit} characters":
            tk._("a municipality's name is longer than {limit} characters"),
        "a municipality's name has a line break or another control character":
            tk._("a municipality's name has a line break or another control character"),
    }
    return problems.get(e.template, e.template).format(**e.params)


@_csrf_protected
@coordinator_required
def admin_population_import():
    """SCB's table uploaded (CSV or XLSX, as SCB publishes it): ``step=preview`` reads it and
    shows what would change, writing nothing; ``step=confirm`` imports what was previewed
    (through vgsamverkan_population_import: all or nothing)."""
    form = tk.request.form
    values = {"year": (form.get("year") or "").strip(), "source": (form.get("source") or "").strip()}
    try:  # the action's own reading of a year (four ASCII digits, 1900-2200), before anything
        year = tk.get_validator("vgsamverkan_year")(values["year"])
    except tk.Invalid:
        return _import_refused({"year": [tk._("Write the year as four digits, e.g. 2025")]}, values)
    if form.get("step") == "confirm":
        try:
            records = json.loads(form.get("records") or "")
        except (ValueError, RecursionError):  # RecursionError: nested thousands of levels deep
            records = None
        if not isinstance(records, list):
            return _import_refused({"file": [tk._("Nothing to import: choose the file again")]}, values)
        try:
            result = tk.get_action("vgsamverkan_population_import")(
                _context(), {"year": year, "records": records, "source": values["source"] or None})
        except tk.ValidationError as e:
            return _import_refused(e.error_dict, values)
        tk.h.flash_success(tk._("Imported {count} municipalities for {year} ({created} new, {updated} changed).")
                           .format(count=result["imported"], year=year, created=result["created"],
                                   updated=result["updated"]))
        return tk.redirect_to("vgsamverkan_admin.population", year=year)
    upload = tk.request.files.get("file")
    content = upload.read(MAX_UPLOAD + 1) if upload else b""
    if not content:
        return _import_refused({"file": [tk._("Choose SCB's file (CSV or XLSX)")]}, values)
    if len(content) > MAX_UPLOAD:
        return _import_refused({"file": [tk._("The file is larger than 5 MB: not SCB's table")]}, values)
    try:
        records, skipped = parse(content, year)
    except PopulationFileError as e:
        where = tk._("Line {line}, column {column}").format(line=e.line, column=f"“{e.column}”") if e.column \
            else tk._("Line {line}").format(line=e.line)
        return _import_refused({"file": [tk._("{where}: {problem}. Nothing was imported.").format(
            where=where, problem=_problem(e))]}, values)
    stored = {r["municipality_code"]: r for r in
              pages.every("vgsamverkan_population_list", _context(), {"year": year})}
    changes = [{**r, "before": stored[r["municipality_code"]]["population"]
                if r["municipality_code"] in stored else None} for r in records]
    vg = {row["municipality_code"]: row["name"] for row in shipped_rows()}
    in_file = {r["municipality_code"] for r in records}
    preview = {
        "year": year, "records_json": json.dumps(records, ensure_ascii=False), "changes": changes,
        "new": sum(1 for c in changes if c["before"] is None),
        "changed": sum(1 for c in changes if c["before"] is not None and c["before"] != c["population"]),
        "same": sum(1 for c in changes if c["before"] == c["population"]),
        "skipped": skipped, "filename": upload.filename if upload else "",
        "missing": sorted((code, name) for code, name in vg.items() if code not in in_file),
    }
    return _population_page(str(year) if stored else None, preview=preview, values=values)


_EXEMPTION_FIELDS = ("id", "reason")


@coordinator_required
def admin_exemptions(decided: dict[str, Any] | None = None):
    """The datasets marked as not needing a connection, the form that marks one, and the
    history of markings (issue 21)."""
    listed = tk.get_action("vgsamverkan_exemption_list")(_context(), {"limit": 1000})
    return tk.render("vgsamverkan/admin/exemptions.html", {
        "exemptions": listed["results"], "history": listed["history"], "labels": _field_labels(),
        "decided": decided or {}})


@_csrf_protected
@coordinator_required
def admin_exemption_act(verb: str):
    form = _form()
    if verb == "create":
        try:
            done = tk.get_action("vgsamverkan_exemption_create")(
                _context(), {k: form[k] for k in _EXEMPTION_FIELDS if form.get(k)})
        except tk.ValidationError as e:
            errors = _in_order(e.error_dict, _EXEMPTION_FIELDS)
            return admin_exemptions({"verb": "create", "data": form, "errors": errors,
                                     "summary": _error_summary(errors)})
        tk.h.flash_success(tk._("{title} is marked as not needing a connection.").format(
            title=done["title"] or done["name"]))
    elif verb == "delete":
        _act_and_flash("vgsamverkan_exemption_delete",
                       {k: form[k] for k in ("id", "comment") if form.get(k)},
                       success=tk._("The marking was removed."),
                       forbidden=tk._("Only the regional coordinator may see this page"))
    else:
        return tk.abort(404)
    return tk.redirect_to("vgsamverkan_admin.exemptions")


@coordinator_required
def admin_catalog():
    """The open data catalogue for Sveriges dataportal: its address, and what it would
    publish without a publisher of Sveriges dataportal or without what DCAT-AP-SE asks."""
    page = max(1, tk.h.get_page_number(tk.request.args))
    report = tk.get_action("vgsamverkan_catalog_report")(_context(), {"limit": 100, "offset": (page - 1) * 100})
    return tk.render("vgsamverkan/admin/catalog.html", {"report": report, "page": page})


@coordinator_required
def admin_personal_data():
    """What the retention of contact data would anonymise now (a dry run), and the form
    that does it."""
    pending = tk.get_action("vgsamverkan_gdpr_purge")(_context(), {"dry_run": True})
    return tk.render("vgsamverkan/admin/personal_data.html", {"pending": pending})


@_csrf_protected
@coordinator_required
def admin_personal_data_purge():
    when_refused(forbidden=tk._("Only the regional coordinator may see this page"), login=False)
    result = tk.get_action("vgsamverkan_gdpr_purge")(_context(), {})
    tk.h.flash_success(tk._("Contact data anonymised in {n} closed requests.").format(n=result["count"]))
    return tk.redirect_to("vgsamverkan_admin.personal_data")


@coordinator_required
def admin_mail_language():
    """The language of the coordinator's mail (issue 24), in the workplace: the page every
    user has (views/public.py), with the workplace around it."""
    return mail_language(endpoint="vgsamverkan_admin.mail_language")


@coordinator_required
def admin_mail_language_set():
    return mail_language_set(endpoint="vgsamverkan_admin.mail_language")
