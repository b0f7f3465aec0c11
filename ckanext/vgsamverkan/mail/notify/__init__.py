"""Who gets which mail when something happens: one function per kind of event, called by
the actions after their act was committed; a notification never undoes the act
(``_base._never_undoing``). Each kind of request's notifications are its own module
(``participation``, ``publisher``, ``connection``, ``calloff``); the rest is ``general``.

The names stay here: the actions call ``notify.<name>``, and a queued job of
``prepare_later`` names the notification it prepares again by its name in this package."""
from __future__ import annotations

from ckanext.vgsamverkan.mail.notify._base import PREPARE_WAITS, Recipient, prepare_later
from ckanext.vgsamverkan.mail.notify.calloff import calloff_changed
from ckanext.vgsamverkan.mail.notify.connection import connection_changed
from ckanext.vgsamverkan.mail.notify.general import account_registered, address_already_registered, comment_added
from ckanext.vgsamverkan.mail.notify.participation import participation_decided, participation_submitted
from ckanext.vgsamverkan.mail.notify.publisher import publisher_decided, publisher_submitted

__all__ = ["PREPARE_WAITS", "Recipient", "account_registered", "address_already_registered", "calloff_changed",
           "comment_added", "connection_changed", "participation_decided", "participation_submitted",
           "prepare_later", "publisher_decided", "publisher_submitted"]
