"""What the mail texts share: links, case references, the site's name."""
from __future__ import annotations

import logging
from typing import Any

from ckanext.vgsamverkan import config, formats
from ckanext.vgsamverkan.domain import objects

log = logging.getLogger(__name__)


LANGUAGES = formats.LANGUAGES


def link(path: str) -> str:
    return config.site_url() + path


def object_path(object_type: str, object_id: str) -> str:
    """The path of a request's page (domain/objects.py: Kind.path), for a link in a mail."""
    return objects.KINDS[object_type].path.format(id=object_id)


def org_path(organization_name: str | None) -> str:
    """The organisation's Samverkan tab, where its admins ask for what they need."""
    return f"/organization/samverkan/{organization_name}" if organization_name else "/samverkan"


def _referenced(_: Any, kind: str, d: dict[str, Any], subject: str, lines: list[str]) -> tuple[str, str]:
    """Every mail about a request names its case reference: in the subject (so that a mail
    program keeps a case's mails together) and in the text."""
    ref = objects.reference(kind, d["id"])
    return f"{subject} [{ref}]", "\n".join(lines + [_("Case reference: {reference}").format(reference=ref)])


def _asked_by(_: Any, d: dict[str, Any]) -> str:
    return _("Asked by: {user}").format(user=d.get("applicant_display_name") or d.get("applicant_name") or "")


def _site(_: Any) -> str:
    return (config.site_title() or _("the data portal")).strip()
