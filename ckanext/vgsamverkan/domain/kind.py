"""What a kind of request is (the registry of them: ``objects.KINDS``; each kind's own
definition: ``kinds/<name>.py``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from ckanext.vgsamverkan import workflow


@dataclass(frozen=True)
class Step:
    """What happens next in one open state of a request (the one table, issue 38: the
    waiting list, "Mina ärenden" and the header's count read it). ``theirs`` is said to
    whoever follows the request while another moves; ``yours`` to the one whose move it
    is (``mover(user, row)``: the coordinator deciding, an organisation's admin answering
    a quote, the assigned expert), or whom a closed state concerns (the user whose rights
    they are)."""
    theirs: Callable[[], str]
    yours: Callable[[], str] | None = None
    mover: Callable[[Any, Mapping[str, Any]], bool] | None = None
    # ``yours`` when it depends on the request (issue 39: a fixed-price call-off asks its
    # expert for no time)
    yours_for: Callable[[Mapping[str, Any]], str | None] | None = None

    def your_move(self, row: Mapping[str, Any]) -> str:
        """What the one whose move it is does next with the request ``row``."""
        said = self.yours_for(row) if self.yours_for is not None else None
        return said or (self.yours() if self.yours else self.theirs())


@dataclass(frozen=True)
class Binding:
    """A binding act of the request's page (issue 21): what it does, in the page's
    language with the amount where there is one (``consequence(request, form)``; no form:
    the dialog, before anything is typed), and the confirming button."""
    consequence: Callable[[Mapping[str, Any], Mapping[str, Any] | None], str]
    yes: Callable[[], str]


@dataclass(frozen=True)
class Row:
    """The kind's row on the coordinator's dashboard (``vgsamverkan_dashboard_show``):
    the names of its count and of its oldest moment of what waits, and what else it adds
    (a call-off: what runs)."""
    count: str = "waiting"
    oldest: str = "oldest_waiting"
    more: Callable[[], dict[str, Any]] | None = None


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
    # its page: the template and the name the request has in it
    template: str = ""
    template_name: str = "request"
    # how a list of several kinds names one request (the API's dictionary of it)
    title: Callable[[Mapping[str, Any]], str] = lambda obj: obj.get("organization_title") or ""
    # what a list row says the request is about, beside its case reference, so that two
    # rows are never alike (issue 39): from the API's dictionary of it
    subject: Callable[[Mapping[str, Any]], str] = lambda obj: ""
    # the queue (vgsamverkan_queue_list): its line there, from the request (model object),
    # and the column that says since when it waits
    summary: Callable[[Any], str] = lambda obj: ""
    waiting_since: str = "created"
    # the request carries its organisation's type and municipality itself (an
    # application, before its organisation exists); the others are read from their
    # organisation's newest participation
    own_facts: bool = False
    # what happens next in each open state
    steps: Mapping[str, Step] = field(default_factory=dict)
    # the requests of this kind where it is ``user``'s move outside the coordinator's queue:
    # (the request as the API gives it, since when, the amount as SEK text or None)
    your_moves: Callable[[Any], Iterable[tuple[dict[str, Any], Any, str | None]]] | None = None
    row: Row = Row()
    # the facts of its events in words, by verb: (details, language, gettext) -> text
    facts: Mapping[str, Callable[[dict[str, Any], str, Any], str]] = field(default_factory=dict)
    # the history's words for each verb ("asked for a connection")
    verbs: Mapping[str, Callable[[], str]] = field(default_factory=dict)
    # the binding acts of its page, by verb
    binding: Mapping[str, Binding] = field(default_factory=dict)
    # personal data (vgsamverkan_gdpr_purge): the closed states, the fields and what they
    # are cleared to, and what else holds them (a participation's update events)
    closed: tuple[str, ...] = ()
    personal: Mapping[str, Any] = field(default_factory=dict)
    anonymise_more: Callable[[str, set[str]], None] | None = None
