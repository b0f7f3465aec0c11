"""Pages of the call-off workflow: the call-off form, a call-off's page and its decisions."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.views._common import (
    _csrf_protected,
    _decision,
    _OrgRequestCreateView,
    _request_page,
)

_CALLOFF_FIELDS = ("organization_id", "competence_area", "description", "estimated_hours",
                   "period_start", "period_end", "contact")
_CALLOFF_VERBS = ("assign", "log_time", "deliver", "cancel")


_CALLOFF_PARAMS = ("comment", "expert_name", "expert_user_id", "hourly_rate", "fixed_price",
                   "planned_hours", "date", "hours", "note", "delivered_date")


def _not_a_party() -> str:
    """Who may see a request of this kind, said when someone else asks (issue 39)."""
    return tk._("Only the organisation's administrators, the expert assigned to it and the regional "
                 "coordinator may see this call-off")


class CalloffCreateView(_OrgRequestCreateView):
    template = "vgsamverkan/calloff_form.html"
    action = "vgsamverkan_calloff_create"
    fields = _CALLOFF_FIELDS
    preset = ("organization_id", "competence_area")
    read_view = "vgsamverkan.calloff_read"

    def thanks(self) -> str:
        return tk._("Thank you! Your call-off has been sent to the regional coordinator.")


def calloff_read(id: str):
    return _request_page("calloff", id, "vgsamverkan/calloff_read.html", "calloff",
                         not_found=tk._("Call-off not found"),
                         forbidden=_not_a_party())


@_csrf_protected
def calloff_decide(id: str, verb: str):
    if verb == "correct_time":  # the entry corrected is named in the form; back to the call-off
        return _decision("calloff", id, verb, ("correct_time",), (),
                         rename={"entry_id": "id", "change": "hours", "correction_reason": "reason"},
                         forbidden=tk._("You may not do this for this call-off"))
    return _decision("calloff", id, verb, _CALLOFF_VERBS, _CALLOFF_PARAMS,
                     forbidden=tk._("You may not do this for this call-off"))
