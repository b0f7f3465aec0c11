"""Who is told of a connection request's moves."""
from __future__ import annotations

from typing import Any

from ckanext.vgsamverkan.mail.notify._base import _coordinator, _never_undoing, _organisation, _receipt, _send
from ckanext.vgsamverkan.mail.texts import (
    compose_connection,
)

# the organisation's acts notify the coordinator (and the actor gets a receipt of those
# in _RECEIPTS); the coordinator's acts notify the organisation
_TO_COORDINATOR = {"create", "accept", "decline"}


_RECEIPTS = {"create", "accept", "decline"}


@_never_undoing
def connection_changed(c: dict[str, Any], verb: str, *, by_coordinator: bool = True,
                       actor_id: str | None = None) -> None:
    if verb in _TO_COORDINATOR or (verb == "cancel" and not by_coordinator):
        _send(_coordinator(), lambda lang: compose_connection(lang, c, verb))
        if verb in _RECEIPTS:
            _receipt("connection", c, actor_id or c.get("applicant_id"), verb)
        return
    _send(_organisation(c["organization_id"], c.get("applicant_id"), c.get("language")),
          lambda lang: compose_connection(lang, c, verb))
