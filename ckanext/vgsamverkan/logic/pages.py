"""Every result of a list action, for the extension's own pages and helpers: lists answer a
page at a time (``limit`` at most 1 000, SPEC 2026-11-29), a page that shows a whole list
asks page after page."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

MOST = 1000


def every(action: str, context: dict[str, Any], data: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """All of ``action``'s results for ``data``, a thousand at a time."""
    results: list[dict[str, Any]] = []
    while True:
        page = tk.get_action(action)(dict(context), dict(data or {}, limit=MOST, offset=len(results)))
        results += page["results"]
        if len(results) >= page["count"] or not page["results"]:
            return results
