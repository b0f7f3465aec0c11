"""Who is told of a request for publishing rights and its decisions."""
from __future__ import annotations

from typing import Any

from ckanext.vgsamverkan.mail.notify._base import (
    Recipient,
    _address,
    _admins,
    _coordinator,
    _never_undoing,
    _receipt,
    _send,
    _user_address,
)
from ckanext.vgsamverkan.mail.texts import (
    compose_publisher_decided,
    compose_publisher_submitted,
    compose_publisher_told,
)


def followers(obj: Any) -> list[Recipient]:
    """Who follows the conversation of a request for rights besides its organisation's
    admins: the user the rights are for."""
    return [_user_address(obj.user_id)]


@_never_undoing
def publisher_submitted(r: dict[str, Any]) -> None:
    """The coordinator decides; the organisation's admins are told (issue 21); the one who
    asked gets a receipt."""
    _send(_coordinator(), lambda lang: compose_publisher_submitted(lang, r))
    _send([_address(u) for u in _admins(r["organization_id"]) if u.id != r.get("applicant_id")],
          lambda lang: compose_publisher_told(lang, r))
    _receipt("publisher", r, r.get("applicant_id"))


@_never_undoing
def publisher_decided(r: dict[str, Any], verb: str) -> None:
    """Decisions, expiry and reminders go to the user the rights are for, and to the
    one who asked if someone else who is still an admin of the organisation; a withdrawal
    goes to the coordinator."""
    if verb == "withdraw":
        _send(_coordinator(), lambda lang: compose_publisher_decided(lang, r, verb))
        return
    asked_self = r.get("applicant_id") in (None, r.get("user_id"))
    to = [_user_address(r.get("user_id"), r.get("language") if asked_self else None)]
    if r.get("applicant_id") and any(u.id == r["applicant_id"] for u in _admins(r["organization_id"])):
        to.append(_user_address(r["applicant_id"], r.get("language")))
    _send(to, lambda lang: compose_publisher_decided(lang, r, verb))
