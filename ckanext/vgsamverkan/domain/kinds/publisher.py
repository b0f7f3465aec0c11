"""A request for publishing rights in an organisation."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import workflow
from ckanext.vgsamverkan.domain.kind import Kind
from ckanext.vgsamverkan.model import PublisherRequest

KIND = Kind("publisher", PublisherRequest, workflow.PUBLISHER, "vgsamverkan.publisher_read",
            "/samverkan/behorighet/{id}", waits=("pending",), open=("pending",),
            label=lambda: tk._("Publishing rights"), bulk=True, prefix="BEH")
