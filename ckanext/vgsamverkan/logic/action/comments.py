"""Comments (the guidance thread) and the event list of any request or organisation."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan import eventtext
from ckanext.vgsamverkan.domain import objects, roles
from ckanext.vgsamverkan.logic import schema
from ckanext.vgsamverkan.logic.action._base import (  # the shared machinery
    _actor,
    _commit,
    _org_key,
    _page,
    _validate,
    _written_once,
    action,
)
from ckanext.vgsamverkan.mail import notify
from ckanext.vgsamverkan.model import (
    Comment,
    Event,
)
from ckanext.vgsamverkan.model.base import utcnow


@action
def vgsamverkan_comment_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Comment on a request: the guidance thread between the coordinator and the
    organisation. Allowed to the coordinator and the parties of the request.

    :param object_type: ``participation``, ``publisher``, ``connection`` or ``calloff``
    :type object_type: string
    :param object_id: the request's id
    :type object_id: string
    :param text: the comment (at most 5000 characters)
    :type text: string
    :returns: the comment
    :rtype: dictionary
    """
    data = _validate(data_dict, schema.comment_create(), context)
    tk.check_access("vgsamverkan_comment_create", context, data)
    obj = objects.load(data["object_type"], data["object_id"])
    actor = _actor(context)
    assert actor is not None
    comment = Comment(
        object_type=data["object_type"],
        object_id=obj.id,
        organization_id=obj.organization_id,
        author_id=actor.id,
        text=data["text"],
        created=utcnow(),
    )
    model.Session.add(comment)
    _commit(context)
    result = comment.dictize()
    notify.comment_added(result, obj, from_coordinator=roles.is_coordinator(actor))
    return result


@action
@tk.side_effect_free
def vgsamverkan_event_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The event log (who, when, from-state, to-state, comment), oldest first.

    :param object_type: with ``object_id``: the history of one request
    :type object_type: string
    :param object_id: the request's id
    :type object_id: string
    :param organization_id: or: everything about one organisation
    :type organization_id: string
    :param state: only objects in this state; an event is always ``active`` (optional)
    :type state: string
    :param limit: at most this many (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many (default 0)
    :type offset: int
    :returns: ``{"count": N, "results": [...]}``
    :rtype: dictionary
    """
    data = _validate(data_dict, schema.event_list(), context)
    if not (data.get("object_type") and data.get("object_id")) and not data.get(
        "organization_id"
    ):
        raise tk.ValidationError(
            {"object_id": [tk._("Give object_type and object_id, or organization_id")]}
        )
    tk.check_access("vgsamverkan_event_list", context, data)
    q = model.Session.query(Event)
    if data.get("object_type") and data.get("object_id"):
        obj = objects.load(data["object_type"], data["object_id"])
        q = q.filter(Event.object_type == data["object_type"], Event.object_id == obj.id)
    else:
        org = model.Group.get(data["organization_id"])
        if org is None:
            raise tk.ObjectNotFound(tk._("No such organisation"))
        q = q.filter(Event.organization_id == org.id)
    q = _written_once(q, data).order_by(Event.created, Event.id)
    return _page(q, data, _event_dict)


def _event_dict(event: Event) -> dict[str, Any]:
    """The event as the API gives it: its stored facts (the model) and its ``details``
    said in words in the request's language (``summary``, eventtext.py)."""
    result = event.dictize()
    result["summary"] = eventtext.summary(event.object_type, event.action, event.details)
    return result


@action
@tk.side_effect_free
def vgsamverkan_comment_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The comments on one request, oldest first (same visibility as the request).

    :param object_type: the kind of request
    :type object_type: string
    :param object_id: the request's id
    :type object_id: string
    :param organization_id: only the comments of this organisation, by id or name (a
        request's comments are all of its organisation; optional)
    :type organization_id: string
    :param state: only objects in this state; a comment is always ``active`` (optional)
    :type state: string
    :param limit: at most this many (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many (default 0)
    :type offset: int
    :returns: ``{"count": N, "results": [...]}``
    :rtype: dictionary
    """
    data = _validate(data_dict, schema.comment_list(), context)
    if not (data.get("object_type") and data.get("object_id")):
        raise tk.ValidationError({"object_id": [tk._("Give object_type and object_id")]})
    tk.check_access("vgsamverkan_comment_list", context, data)
    obj = objects.load(data["object_type"], data["object_id"])
    q = (
        model.Session.query(Comment)
        .filter(Comment.object_type == data["object_type"], Comment.object_id == obj.id)
        .order_by(Comment.created, Comment.id)
    )
    if data.get("organization_id"):
        q = q.filter(Comment.organization_id == _org_key(data))
    return _page(_written_once(q, data), data, lambda c: c.dictize())
