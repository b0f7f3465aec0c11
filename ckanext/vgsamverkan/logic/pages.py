"""Every result of a list action, for the extension's own pages and helpers: lists answer a
page at a time (``limit`` at most 1 000, SPEC 2026-11-29), a page that shows a whole list
asks page after page."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

MOST = 1000
# the rows a section of a page shows at a time (issue 39: the workplace and "Väntar på
# dig" showed every open request, thousands at 490 participants); the rest on pages of
# their own (views/_common.py: _paged)
SHOWN = 50
# the highest page an address may ask for; a higher number is the last page
HIGHEST_PAGE = 1_000_000


def every(action: str, context: dict[str, Any], data: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """All of ``action``'s results for ``data``, a thousand at a time."""
    results: list[dict[str, Any]] = []
    while True:
        page = tk.get_action(action)(dict(context), dict(data or {}, limit=MOST, offset=len(results)))
        results += page["results"]
        if len(results) >= page["count"] or not page["results"]:
            return results
