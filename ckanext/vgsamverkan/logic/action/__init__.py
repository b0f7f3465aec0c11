"""Actions of the extension. Every action has the same shape:

``tk.check_access`` → validate against its schema → work through the model and the
workflow, in one transaction → commit unless ``context["defer_commit"]`` → return a dict.
"""
from __future__ import annotations

from ckanext.vgsamverkan.logic.action.account import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_user_activate,
    vgsamverkan_user_register,
)
from ckanext.vgsamverkan.logic.action.calloff import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_calloff_assign,
    vgsamverkan_calloff_cancel,
    vgsamverkan_calloff_correct_time,
    vgsamverkan_calloff_create,
    vgsamverkan_calloff_deliver,
    vgsamverkan_calloff_list,
    vgsamverkan_calloff_log_time,
    vgsamverkan_calloff_show,
    vgsamverkan_competence_area_list,
)
from ckanext.vgsamverkan.logic.action.catalog import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_catalog_report,
)
from ckanext.vgsamverkan.logic.action.comments import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_comment_create,
    vgsamverkan_comment_list,
    vgsamverkan_event_list,
)
from ckanext.vgsamverkan.logic.action.connection import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_connection_accept,
    vgsamverkan_connection_cancel,
    vgsamverkan_connection_complete,
    vgsamverkan_connection_create,
    vgsamverkan_connection_decline,
    vgsamverkan_connection_disconnect,
    vgsamverkan_connection_investigate,
    vgsamverkan_connection_list,
    vgsamverkan_connection_quote,
    vgsamverkan_connection_show,
    vgsamverkan_exemption_create,
    vgsamverkan_exemption_delete,
    vgsamverkan_exemption_list,
)
from ckanext.vgsamverkan.logic.action.coordinator import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_dashboard_show,
    vgsamverkan_history_show,
    vgsamverkan_mail_language_set,
    vgsamverkan_mail_language_show,
    vgsamverkan_queue_list,
)
from ckanext.vgsamverkan.logic.action.core import (  # noqa: F401 (registered: __all__ below)
    group_create,
    group_update,
    member_create,
    member_delete,
    member_list,
    organization_create,
    organization_update,
    package_update,
    resource_create,
)
from ckanext.vgsamverkan.logic.action.fees import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_fee_adjust,
    vgsamverkan_fee_close,
    vgsamverkan_fee_export,
    vgsamverkan_fee_month_list,
    vgsamverkan_fee_run,
    vgsamverkan_fee_schedule_list,
    vgsamverkan_fee_schedule_set,
    vgsamverkan_fee_statement_list,
    vgsamverkan_fee_statement_show,
)
from ckanext.vgsamverkan.logic.action.gdpr import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_gdpr_purge,
)
from ckanext.vgsamverkan.logic.action.invoices import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_invoice_list,
    vgsamverkan_invoice_mark_sent,
    vgsamverkan_invoice_show,
)
from ckanext.vgsamverkan.logic.action.participation import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_participant_list,
    vgsamverkan_participation_apply,
    vgsamverkan_participation_approve,
    vgsamverkan_participation_list,
    vgsamverkan_participation_reject,
    vgsamverkan_participation_show,
    vgsamverkan_participation_terminate,
    vgsamverkan_participation_withdraw,
)
from ckanext.vgsamverkan.logic.action.participation_update import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_participation_update,
)
from ckanext.vgsamverkan.logic.action.population import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_population_import,
    vgsamverkan_population_list,
)
from ckanext.vgsamverkan.logic.action.publisher import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_publisher_approve,
    vgsamverkan_publisher_list,
    vgsamverkan_publisher_reject,
    vgsamverkan_publisher_request,
    vgsamverkan_publisher_revoke,
    vgsamverkan_publisher_show,
    vgsamverkan_publisher_withdraw,
)
from ckanext.vgsamverkan.logic.action.waiting import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_waiting_list,
)

# The actions the plugin registers (blanket): ours, and CKAN's that we chain.
CHAINED = ["resource_create", "package_update", "organization_create", "group_create", "organization_update",
           "group_update", "member_list", "member_create", "member_delete"]
__all__ = sorted(name for name in list(globals()) if name.startswith("vgsamverkan_")) + CHAINED
