"""What the commands share: the site user's context, a failure with exit code 1, a
validation error as lines."""
from __future__ import annotations

import sys

import click

import ckan.model as model
import ckan.plugins.toolkit as tk


def _site_context() -> dict:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "model": model, "session": model.Session}


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(1)


def _errors(e: tk.ValidationError) -> str:
    lines = []
    for field, msgs in (e.error_dict or {}).items():
        for msg in msgs if isinstance(msgs, list) else [msgs]:
            lines.append(f"  {field}: {msg}")
    return "\n".join(lines)
