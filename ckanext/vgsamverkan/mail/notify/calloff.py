"""Who is told of a call-off's moves."""
from __future__ import annotations

from typing import Any

from ckanext.vgsamverkan.mail.notify._base import (
    Recipient,
    _coordinator,
    _never_undoing,
    _organisation,
    _receipt,
    _send,
    _user_address,
)
from ckanext.vgsamverkan.mail.texts import (
    compose_calloff,
)


def followers(obj: Any) -> list[Recipient]:
    """Who follows a call-off's conversation besides its organisation's admins: its
    expert."""
    return [_user_address(obj.expert_user_id)] if obj.expert_user_id else []


@_never_undoing
def calloff_changed(c: dict[str, Any], verb: str, *, by_coordinator: bool = True,
                    actor_id: str | None = None) -> None:
    """A new call-off goes to the coordinator (a receipt to the one who asked); the
    coordinator's acts go to the organisation (_organisation); an assignment also to the
    expert; a cancellation by the organisation to the coordinator (and the expert, if one
    was assigned)."""
    if verb not in ("create", "assign", "deliver", "cancel"):
        return
    to_coordinator = verb == "create" or (verb == "cancel" and not by_coordinator)
    if to_coordinator:
        _send(_coordinator(), lambda lang: compose_calloff(lang, c, verb))
        if verb == "create":
            _receipt("calloff", c, actor_id or c.get("applicant_id"))
    else:
        _send(_organisation(c["organization_id"], c.get("applicant_id"), c.get("language")),
              lambda lang: compose_calloff(lang, c, verb))
    if verb in ("assign", "cancel") and c.get("expert_user_id") and c["expert_user_id"] != c.get("applicant_id"):
        _send([_user_address(c["expert_user_id"])], lambda lang: compose_calloff(lang, c, verb))
