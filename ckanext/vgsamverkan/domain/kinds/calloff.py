"""A call-off of expert support."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import workflow
from ckanext.vgsamverkan.domain.kind import Kind
from ckanext.vgsamverkan.model import Calloff

KIND = Kind("calloff", Calloff, workflow.CALLOFF, "vgsamverkan.calloff_read",
            "/samverkan/avrop/{id}", waits=("requested",), open=("requested", "assigned", "in_progress"),
            label=lambda: tk._("Call-off"), prefix="AVR")
