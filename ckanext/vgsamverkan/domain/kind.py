"""What a kind of request is (the registry of them: ``objects.KINDS``; each kind's own
definition: ``kinds/<name>.py``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ckanext.vgsamverkan import workflow


@dataclass(frozen=True)
class Kind:
    """A kind of request: everything the rest of the extension needs to know of it.
    The actions of a kind are ``vgsamverkan_{name}_*`` in ``logic/action/{module}.py``."""
    name: str                    # object_type in the API and the event log; the actions' prefix
    model: Any                   # its table
    workflow: workflow.Workflow  # its states and transitions
    read_endpoint: str           # its page (blueprint endpoint)
    path: str                    # the same page's path, for links made outside a request (mail)
    # What waits for the coordinator (the one definition, issue 18): the states in which
    # the request cannot go on until the coordinator moves. Read by the queue
    # (vgsamverkan_queue_list), the dashboard's ``waiting`` count and the workplace page.
    # Not "quoted" (the participant accepts or declines) nor an assigned or running
    # call-off (the expert works; the workplace lists them under call-offs, not as waiting).
    waits: tuple[str, ...]
    # What is still open for the one who asked (the "my requests" list): a later move
    # by anyone is still to come.
    open: tuple[str, ...]
    label: Callable[[], str]     # its name for people, in the request's language
    bulk: bool = False           # approved or rejected in bulk from the coordinator's queue
    # the case reference's prefix (issue 21): "AVR-1A2B3C4D", on the request's page, its
    # receipt and every mail about it; the same letters in Swedish and English
    prefix: str = ""
