"""Who is told of an application to take part and its decisions."""
from __future__ import annotations

from typing import Any

from ckanext.vgsamverkan.mail.notify._base import (
    _applicant,
    _coordinator,
    _never_undoing,
    _organisation,
    _receipt,
    _send,
)
from ckanext.vgsamverkan.mail.texts import (
    compose_decided,
    compose_submitted,
)


@_never_undoing
def participation_submitted(p: dict[str, Any]) -> None:
    _send(_coordinator(), lambda lang: compose_submitted(lang, p))
    _receipt("participation", p, p.get("applicant_id"))


@_never_undoing
def participation_decided(p: dict[str, Any], verb: str) -> None:
    if verb == "withdraw":
        _send(_coordinator(), lambda lang: compose_decided(lang, p, verb))
        return
    to = [a for a in _organisation(p.get("organization_id"), p.get("applicant_id"), p.get("language")) if a[1]]
    # nobody to reach in the portal (an organisation without admins): the contact person
    # of the application
    _send(to or [_applicant(p)], lambda lang: compose_decided(lang, p, verb))
