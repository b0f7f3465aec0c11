"""What each mail says, composed in the recipient's language with the extension's own
catalogue (no request needed): pure but for the site's address. Each kind of request's
texts are its own module (``participation``, ``publisher``, ``connection``, ``calloff``);
the mails of no kind (comments, accounts) and the receipt's frame are here."""
from __future__ import annotations

import importlib
from typing import Any

from ckanext.vgsamverkan import formats, labels
from ckanext.vgsamverkan.mail.texts._base import LANGUAGES, _referenced, _site, link, object_path, org_path
from ckanext.vgsamverkan.mail.texts.calloff import compose_calloff
from ckanext.vgsamverkan.mail.texts.connection import compose_connection
from ckanext.vgsamverkan.mail.texts.participation import compose_decided, compose_submitted
from ckanext.vgsamverkan.mail.texts.publisher import (
    compose_publisher_decided,
    compose_publisher_submitted,
    compose_publisher_told,
)
from ckanext.vgsamverkan.translation import translations

__all__ = ["LANGUAGES", "compose_activation", "compose_address_registered", "compose_calloff", "compose_comment",
           "compose_connection", "compose_decided", "compose_publisher_decided", "compose_publisher_submitted",
           "compose_publisher_told", "compose_receipt", "compose_submitted", "link", "object_path", "org_path"]


def compose_receipt(lang: str, kind: str, d: dict[str, Any], verb: str = "create") -> tuple[str, str]:
    """The receipt to whoever sent a request (or answered a quote): what was received, its
    case reference, what happens next and where to follow it (issue 21). Its words are
    the kind's own (``receipt`` in ``mail/texts/<kind>.py``)."""
    _ = translations(lang).gettext
    subject, sent, nxt, more = importlib.import_module(f"{__name__}.{kind}").receipt(_, d, verb)
    values = {"organization": d.get("organization_title") or "", "user": d.get("user_display_name") or "",
              "role": labels.role(d.get("role") or "", lang),
              "price": formats.sek(d.get("price"), lang),
              "area": labels.competence_area(d.get("competence_area") or "", lang)}
    lines = [sent.format(**values), *more]
    lines += ["",
             _("What happens next: {text}").format(text=nxt.format(**values)), "",
             _("Follow it here: {link}").format(link=link(object_path(kind, d["id"])))]
    return _referenced(_, kind, d, subject.format(**values), lines)


def compose_comment(lang: str, comment: dict[str, Any], title: str, path: str) -> tuple[str, str]:
    _ = translations(lang).gettext
    subject = _("New comment: {title}").format(title=title)
    lines = [
        _("{user} wrote:").format(user=comment.get("author_display_name") or ""),
        "",
        comment["text"],
        "",
        _("Answer here: {link}").format(link=link(path)),
    ]
    return _referenced(_, comment["object_type"], {"id": comment["object_id"]}, subject, lines)


def compose_activation(lang: str, user_name: str, activation_link: str, days: int) -> tuple[str, str]:
    """The link that activates an account registered from the web form."""
    _ = translations(lang).gettext
    site = _site(_)
    subject = _("Activate your account on {site}").format(site=site)
    lines = [
        _("Someone registered the user name {name} with this e-mail address on {site}. The account is made "
          "when you follow the link below and type the password chosen when registering.").format(
            name=user_name, site=site),
        "",
        _("Make the account here (the link is valid for {days} days):").format(days=days),
        activation_link,
        "",
        _("If you did not register, you can ignore this mail: no account is made."),
    ]
    return subject, "\n".join(lines)


def compose_address_registered(lang: str, user_name: str) -> tuple[str, str]:
    """To the owner of an address someone registered with again: nothing was made."""
    _ = translations(lang).gettext
    site = _site(_)
    subject = _("Your account on {site}").format(site=site)
    lines = [
        _("Someone asked to register a new account with this e-mail address on {site}. The address already "
          "belongs to your account {name}, so no new account was made.").format(site=site, name=user_name),
        "",
        _("Log in: {link}").format(link=link("/user/login")),
        _("Forgot your password? Choose a new one: {link}").format(link=link("/user/reset")),
        "",
        _("If it was not you, you can ignore this mail."),
    ]
    return subject, "\n".join(lines)
