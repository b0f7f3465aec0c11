"""The making of a dataset on CKAN's own forms (issue 39).

CKAN makes a dataset in two steps: its first form saves a draft, the resource form adds
the first resource and makes it active. When the connection rule refused that resource,
the half-made dataset stayed behind as a draft. Now a refused first resource leaves no
draft: the draft is purged once the refused form has been rendered, and the form carries
what was typed of the dataset (``vgs_draft``), so that sending it again, corrected, makes
the draft anew and goes on as CKAN does. A dataset already made keeps its resources and
its state: only a draft is purged.

When the dataset is made, the next page says whether it is private or public (CKAN's
form chose private without saying so)."""
from __future__ import annotations

import functools
import json
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import helpers
from ckanext.vgsamverkan.logic import enforce
from ckanext.vgsamverkan.views._common import _context

log = logging.getLogger(__name__)

DRAFT_FIELD = "vgs_draft"  # the field the template writes (helpers.vgsamverkan_refused_draft)


def install(app: Any) -> None:
    """Wrap CKAN's resource form (``<type>_resource.new`` and ``resource.new``)."""
    for endpoint in [e for e in app.view_functions if e == "resource.new" or e.endswith("_resource.new")]:
        original = app.view_functions[endpoint]
        app.view_functions[endpoint] = functools.wraps(original)(_making(original))


def _making(original: Any) -> Any:
    def view(*args: Any, **kwargs: Any) -> Any:
        if tk.request.method != "POST":
            return original(*args, **kwargs)
        name = kwargs.get("id", "")
        carried = tk.request.form.get(DRAFT_FIELD)
        if carried and model.Package.get(name) is None:
            again = _draft_again(carried)
            if again is None:
                return tk.redirect_to("dataset.new")
            kwargs["id"] = name = again
        before = model.Package.get(name)
        if before is None or before.state != "draft":
            return original(*args, **kwargs)
        package_id = before.id
        response = original(*args, **kwargs)
        after = model.Package.get(package_id)
        if after is None:
            return response
        if after.state == "draft" and enforce.refused_here() == package_id:
            _purge(after)
        elif after.state == "active":
            _say_visibility(after)
        return response
    return view


def _draft_again(text: str) -> str | None:
    """The draft made anew by the caller from what the refused form carried (CKAN's own
    validation and authorisation decide), or None with a message."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        tk.h.flash_error(tk._("The dataset's details could not be read: start again."))
        return None
    data = {key: data[key] for key in helpers.DRAFT_KEPT if key in data}
    data["state"] = "draft"
    try:
        # as CKAN's first form makes its draft (a state set only where the state may change)
        made = tk.get_action("package_create")(dict(_context(), allow_state_change=True), data)
    except tk.ValidationError as e:
        tk.h.flash_error(tk._("The dataset could not be made again: {errors}").format(
            errors="; ".join(f"{k}: {v}" for k, v in (e.error_summary or {}).items())))
        return None
    return made["name"]


def _purge(package: model.Package) -> None:
    """The draft of a refused first resource, gone (it was never published)."""
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    tk.get_action("dataset_purge")({"ignore_auth": True, "user": site}, {"id": package.id})
    log.info("The draft dataset %s (%s) was purged: its first resource was refused", package.name, package.id)


def _say_visibility(package: model.Package) -> None:
    organization = model.Group.get(package.owner_org) if package.owner_org else None
    name = organization.display_name if organization else ""
    if package.private:
        tk.h.flash_notice(tk._(
            "The dataset {title} is made and it is private: only members of {organization} see it. "
            "To publish it for everyone, edit it and choose Visibility: Public.").format(
                title=package.title or package.name, organization=name))
    else:
        tk.h.flash_notice(tk._("The dataset {title} is made and it is public: everyone can see it.").format(
            title=package.title or package.name))
