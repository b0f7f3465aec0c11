"""The collaboration tab of an organisation, and CKAN's member pages of a participating
organisation."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import helpers
from ckanext.vgsamverkan.domain import objects
from ckanext.vgsamverkan.views._common import _context, _logged_in, _login_redirect, vgsamverkan, when_refused


def organization_samverkan(id: str):
    """The organisation's "Samverkan" tab: its participation and its fee statements per
    month, every line in words (for its admins and the coordinator)."""
    context = _context()
    when_refused(not_found=tk._("Organisation not found"), hidden=True)
    group_dict = tk.get_action("organization_show")(context, {"id": id, "include_datasets": False})
    when_refused(forbidden=tk._("Only the organisation's admins and the coordinator may see this page"))
    statements = tk.get_action("vgsamverkan_fee_statement_list")(
        context, {"organization_id": group_dict["id"], "limit": 120})["results"]
    # each kind's requests of the organisation, each row knowing its kind: its case
    # reference, subject and next step in the tab (templates/organization/vgsamverkan.html)
    requests = {kind.name: [dict(r, kind=kind.name) for r in tk.get_action(f"vgsamverkan_{kind.name}_list")(
        context, {"organization_id": group_dict["id"], "limit": 200})["results"]] for kind in objects.KINDS.values()}
    invoices = tk.get_action("vgsamverkan_invoice_list")(
        context, {"organization_id": group_dict["id"], "limit": 120})["results"]
    if not (helpers.vgsamverkan_is_coordinator() or helpers.vgsamverkan_is_org_admin(group_dict["id"])):
        if not _logged_in():
            return _login_redirect()
        return tk.abort(403, tk._("Only the organisation's admins and the coordinator may see this page"))
    return tk.render("organization/vgsamverkan.html", {
        "group_dict": group_dict, "group_type": "organization", "id": group_dict["name"],
        "statements": statements, "requests": requests, "invoices": invoices,
    })


_MEMBER_CHANGE_PAGES = ("organization.member_new", "organization.member_delete")


@vgsamverkan.before_app_request
def _managed_membership_pages():
    """CKAN's own pages for adding, changing and removing members of an organisation
    that takes part: CKAN would only say "Unauthorized"; say who manages the members
    and where to ask instead (the rule itself is in logic/enforce.py)."""
    if tk.request.endpoint not in _MEMBER_CHANGE_PAGES:
        return None

    org = model.Group.get((tk.request.view_args or {}).get("id") or "")
    if org is None or not org.is_organization or not helpers.vgsamverkan_members_managed(org.id):
        return None
    return tk.render("vgsamverkan/members_managed.html", {"organization": org}), 403
