"""An application to take part in the collaboration."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import workflow
from ckanext.vgsamverkan.domain.kind import Kind
from ckanext.vgsamverkan.model import Participation

KIND = Kind("participation", Participation, workflow.PARTICIPATION, "vgsamverkan.participation_read",
            "/samverkan/deltagande/{id}", waits=("pending",), open=("pending",),
            label=lambda: tk._("Application to take part"), bulk=True, prefix="DEL")
