"""A request for a technical connection: investigation, quote, connection."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import workflow
from ckanext.vgsamverkan.domain.kind import Kind
from ckanext.vgsamverkan.model import Connection

KIND = Kind("connection", Connection, workflow.CONNECTION, "vgsamverkan.connection_read",
            "/samverkan/anslutning/{id}", waits=("submitted", "investigating", "accepted"),
            open=("submitted", "investigating", "quoted", "accepted"),
            label=lambda: tk._("Connection"), prefix="ANS")
