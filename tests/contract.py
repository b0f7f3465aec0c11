"""What the API contract asks of every answer (issue 24; SPEC "API"), shared by the tests
that call the actions: tests/logic/test_auth.py (every case once, in process),
tests/logic/test_api_contract.py and tests/e2e/test_remote_contract.py (over HTTP)."""
from __future__ import annotations

from typing import Any

WHOLE = {"id", "state", "created", "modified"}

# answers that are not objects, and why
NOT_OBJECTS = {
    "vgsamverkan_competence_area_list": "configuration (ckanext.vgsamverkan.competence_areas), keyed by 'key'",
    "vgsamverkan_history_show": "month-by-month totals",
    "vgsamverkan_dashboard_show": "counts",
    "vgsamverkan_population_import": "a summary of the import",
    "vgsamverkan_gdpr_purge": "a summary of what was removed",
    "vgsamverkan_fee_export": "a file (its bytes, name and type)",
    "vgsamverkan_mail_language_show": "a setting of the caller's",
    "vgsamverkan_mail_language_set": "a setting of the caller's",
    "vgsamverkan_user_register": "the same answer whether the address has an account (issue 36)",
    "vgsamverkan_user_activate": "the account's id and name (a CKAN user: user_show gives it whole)",
}


def objects_of(answer: Any) -> list[dict[str, Any]]:
    """The object dicts of an answer: the answer itself when it has an id, the items of
    its lists (results; a fee run's statements; the waiting list's yours and others; the
    catalogue report's datasets)."""
    if not isinstance(answer, dict):
        return []
    found = [answer] if "id" in answer else []
    for key in ("results", "statements", "yours", "others", "datasets"):
        found += [item for item in answer.get(key) or [] if isinstance(item, dict)]
    return found


def whole_problems(name: str, answer: Any) -> list[str]:
    """What the objects of ``answer`` lack: ``id``, ``state``, ``created``, ``modified``
    (each with a value), and ``organization_name`` beside an ``organization_id``."""
    problems = []
    for obj in objects_of(answer):
        missing = WHOLE - set(obj)
        if "organization_id" in obj:
            missing |= {"organization_name"} - set(obj)
        if missing:
            problems.append(f"{name}: {sorted(missing)} missing in {sorted(obj)}")
        elif not all(obj[k] for k in WHOLE) or (obj.get("organization_id") and not obj.get("organization_name")):
            problems.append(f"{name}: an empty value in {obj}")
        problems += [f"{name}: the nested {key} {item.get('id')} has no created" for key, item in _nested(obj)
                     if not item.get("created")]
    return problems


def _nested(obj: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The objects nested in ``obj`` that have an id of their own (SPEC 2026-12-07: they
    carry ``id`` and ``created``): time entries, quotes, statement lines. A reference to
    another object (``{"type", "id"}``) is not one."""
    found = []
    for key, value in obj.items():
        items = value if isinstance(value, list) else [value]
        found += [(key, item) for item in items if isinstance(item, dict) and item.get("id")
                  and set(item) != {"type", "id"}]
    return found
