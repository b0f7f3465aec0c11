"""What a workflow is (its states and transitions; each kind's own table is in
``domain/kinds/<name>.py``), the states' names and the refusal of a verb not allowed.

Pure: no database and no request. Actions ask :func:`target` for the state a verb leads
to; a verb that is not allowed from the current state raises a ``ValidationError`` that
names the current state, in the user's language.
"""
from __future__ import annotations

from dataclasses import dataclass

import ckan.plugins.toolkit as tk


@dataclass(frozen=True)
class Workflow:
    name: str
    initial: str
    states: tuple[str, ...]
    # (from_state, verb) -> to_state
    transitions: dict[tuple[str, str], str]

    def allowed_verbs(self, state: str) -> list[str]:
        return [verb for (src, verb) in self.transitions if src == state]

    def can(self, state: str, verb: str) -> bool:
        return (state, verb) in self.transitions


# each state's name, translated when asked for: one translation, not eighteen, per
# label (a list of thousands of rows asked for all eighteen each time, issue 39)
_STATE_LABELS = {
    "pending": lambda: tk._("pending"),
    "approved": lambda: tk._("approved"),
    "rejected": lambda: tk._("rejected"),
    "withdrawn": lambda: tk._("withdrawn"),
    "terminated": lambda: tk._("terminated"),
    "revoked": lambda: tk._("revoked"),
    "submitted": lambda: tk._("submitted"),
    "investigating": lambda: tk._("being investigated"),
    "quoted": lambda: tk._("quoted"),
    "accepted": lambda: tk._("accepted"),
    "connected": lambda: tk._("connected"),
    "declined": lambda: tk._("declined"),
    "cancelled": lambda: tk._("cancelled"),
    "disconnected": lambda: tk._("disconnected"),
    "requested": lambda: tk._("requested"),
    "assigned": lambda: tk._("assigned"),
    "in_progress": lambda: tk._("in progress"),
    "delivered": lambda: tk._("delivered"),
}


def state_label(state: str) -> str:
    """The state's name in the user's language."""
    label = _STATE_LABELS.get(state)
    return label() if label is not None else state


def _refusal(verb: str) -> str:
    """The refusal of ``verb``, with a ``{state}`` placeholder, in the user's language."""
    messages = {
        "approve": tk._("This cannot be approved: its state is now «{state}»."),
        "reject": tk._("This cannot be rejected: its state is now «{state}»."),
        "withdraw": tk._("This cannot be withdrawn: its state is now «{state}»."),
        "terminate": tk._("This cannot be terminated: its state is now «{state}»."),
        "revoke": tk._("This cannot be revoked: its state is now «{state}»."),
        "expire": tk._("This cannot expire: its state is now «{state}»."),
        "replace": tk._("This cannot be replaced: its state is now «{state}»."),
        "investigate": tk._("The investigation cannot start: the state is now «{state}»."),
        "quote": tk._("A quote cannot be issued: the state is now «{state}»."),
        "accept": tk._("This cannot be accepted: its state is now «{state}»."),
        "decline": tk._("This cannot be declined: its state is now «{state}»."),
        "complete": tk._("This cannot be marked connected: its state is now «{state}»."),
        "cancel": tk._("This cannot be cancelled: its state is now «{state}»."),
        "disconnect": tk._("This cannot be disconnected: its state is now «{state}»."),
        "assign": tk._("An expert cannot be assigned: the state is now «{state}»."),
        "log_time": tk._("No time can be logged: the state is now «{state}»."),
        "deliver": tk._("This cannot be marked delivered: its state is now «{state}»."),
    }
    return messages.get(verb, tk._("This cannot be done: its state is now «{state}»."))


def target(workflow: Workflow, state: str, verb: str) -> str:
    """Return the state that ``verb`` leads to from ``state``, or refuse.

    :raises ckan.plugins.toolkit.ValidationError: the transition is not allowed; the
        message names the current state.
    """
    try:
        return workflow.transitions[(state, verb)]
    except KeyError:
        raise tk.ValidationError(
            {
                "state": [_refusal(verb).format(state=state_label(state))]
            }
        ) from None
