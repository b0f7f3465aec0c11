"""Pages of the collaboration. Views call actions only, never the session.

One module per page area (issue 18, HOUSE.md); the route table of both blueprints stays
here, in one place, so that every path and endpoint can be read at once."""
from __future__ import annotations

from ckanext.vgsamverkan.views._common import vgsamverkan, vgsamverkan_admin
from ckanext.vgsamverkan.views.account import account_activate, account_activate_post, account_registered
from ckanext.vgsamverkan.views.calloff import CalloffCreateView, calloff_decide, calloff_read
from ckanext.vgsamverkan.views.connection import ConnectionCreateView, connection_decide, connection_read
from ckanext.vgsamverkan.views.coordinator import (
    admin_bulk,
    admin_catalog,
    admin_exemption_act,
    admin_exemptions,
    admin_mail_language,
    admin_mail_language_set,
    admin_personal_data,
    admin_personal_data_purge,
    admin_population,
    admin_population_import,
    admin_queue,
)
from ckanext.vgsamverkan.views.fees import (
    admin_fee_export,
    admin_fee_month,
    admin_fee_month_act,
    admin_fee_month_pick,
    admin_fee_schedule,
    admin_fees,
)
from ckanext.vgsamverkan.views.invoices import invoice_download, invoice_mark_sent, invoice_read
from ckanext.vgsamverkan.views.organization import organization_samverkan
from ckanext.vgsamverkan.views.participation import ApplyView, UpdateView, participation_decide, participation_read
from ckanext.vgsamverkan.views.public import (
    after_login,
    comment,
    index,
    mail_language,
    mail_language_set,
    my_requests,
    start,
    waiting,
)
from ckanext.vgsamverkan.views.publisher import PublisherRequestView, publisher_decide, publisher_read

__all__ = ["vgsamverkan", "vgsamverkan_admin"]

vgsamverkan.add_url_rule("/samverkan", view_func=index)
vgsamverkan.add_url_rule(
    "/samverkan/deltagande/ansok", view_func=ApplyView.as_view("participation_apply")
)
vgsamverkan.add_url_rule("/samverkan/mina-arenden", view_func=my_requests)
vgsamverkan.add_url_rule("/samverkan/vantar", view_func=waiting)
vgsamverkan.add_url_rule("/samverkan/sprak", view_func=mail_language)
vgsamverkan.add_url_rule("/samverkan/sprak/spara", view_func=mail_language_set, methods=["POST"])
vgsamverkan.add_url_rule("/samverkan/efter-inloggning", view_func=after_login)
vgsamverkan.add_url_rule("/samverkan/kom-igang", view_func=start)
vgsamverkan.add_url_rule("/samverkan/konto/registrerad", view_func=account_registered)
vgsamverkan.add_url_rule("/samverkan/faktura/<id>", view_func=invoice_read)
vgsamverkan.add_url_rule("/samverkan/faktura/<id>/xml", view_func=invoice_download)
vgsamverkan.add_url_rule("/samverkan/faktura/<id>/skickad", view_func=invoice_mark_sent, methods=["POST"])
vgsamverkan.add_url_rule("/samverkan/konto/aktivera/<id>", view_func=account_activate)
vgsamverkan.add_url_rule("/samverkan/konto/aktivera/<id>/aktivera", view_func=account_activate_post,
                         methods=["POST"])
vgsamverkan.add_url_rule("/samverkan/deltagande/<id>", view_func=participation_read)
vgsamverkan.add_url_rule("/samverkan/deltagande/<id>/uppgifter", view_func=UpdateView.as_view("participation_update"),
                         methods=["GET", "POST"])
vgsamverkan.add_url_rule(
    "/samverkan/deltagande/<id>/<verb>", view_func=participation_decide, methods=["POST"]
)
vgsamverkan.add_url_rule(
    "/samverkan/behorighet/ansok", view_func=PublisherRequestView.as_view("publisher_request")
)
vgsamverkan.add_url_rule("/samverkan/behorighet/<id>", view_func=publisher_read)
vgsamverkan.add_url_rule(
    "/samverkan/behorighet/<id>/<verb>", view_func=publisher_decide, methods=["POST"]
)
vgsamverkan.add_url_rule(
    "/samverkan/anslutning/ny", view_func=ConnectionCreateView.as_view("connection_create")
)
vgsamverkan.add_url_rule("/samverkan/anslutning/<id>", view_func=connection_read)
vgsamverkan.add_url_rule(
    "/samverkan/anslutning/<id>/<verb>", view_func=connection_decide, methods=["POST"]
)
vgsamverkan.add_url_rule("/samverkan/avrop/ny", view_func=CalloffCreateView.as_view("calloff_create"))
vgsamverkan.add_url_rule("/samverkan/avrop/<id>", view_func=calloff_read)
vgsamverkan.add_url_rule("/samverkan/avrop/<id>/<verb>", view_func=calloff_decide, methods=["POST"])
vgsamverkan.add_url_rule(
    "/samverkan/<object_type>/<id>/kommentar", view_func=comment, methods=["POST"]
)
vgsamverkan_admin.add_url_rule("/samverkan", view_func=admin_queue, endpoint="queue")
vgsamverkan_admin.add_url_rule("/samverkan/avgifter", view_func=admin_fees, endpoint="fees")
vgsamverkan_admin.add_url_rule("/samverkan/personuppgifter", view_func=admin_personal_data, endpoint="personal_data")
vgsamverkan_admin.add_url_rule("/samverkan/katalog", view_func=admin_catalog, endpoint="catalog")
vgsamverkan_admin.add_url_rule("/samverkan/sprak", view_func=admin_mail_language, endpoint="mail_language")
vgsamverkan_admin.add_url_rule("/samverkan/sprak/spara", view_func=admin_mail_language_set,
                               endpoint="mail_language_set", methods=["POST"])
vgsamverkan_admin.add_url_rule("/samverkan/utan-anslutning", view_func=admin_exemptions, endpoint="exemptions")
vgsamverkan_admin.add_url_rule("/samverkan/utan-anslutning/<verb>", view_func=admin_exemption_act,
                               endpoint="exemption_act", methods=["POST"])
vgsamverkan_admin.add_url_rule("/samverkan/personuppgifter/anonymisera", view_func=admin_personal_data_purge,
                               endpoint="personal_data_purge", methods=["POST"])
vgsamverkan_admin.add_url_rule("/samverkan/beslut", view_func=admin_bulk, endpoint="bulk", methods=["POST"])
vgsamverkan_admin.add_url_rule("/samverkan/avgifter/taxa", view_func=admin_fee_schedule, endpoint="fee_schedule",
                               methods=["POST"])
vgsamverkan_admin.add_url_rule("/samverkan/avgifter/manad", view_func=admin_fee_month_pick, endpoint="fee_month_pick")
vgsamverkan_admin.add_url_rule("/samverkan/avgifter/<month>", view_func=admin_fee_month, endpoint="fee_month")
vgsamverkan_admin.add_url_rule("/samverkan/avgifter/<month>/export/<fmt>", view_func=admin_fee_export,
                               endpoint="fee_export")
vgsamverkan_admin.add_url_rule("/samverkan/avgifter/<month>/<verb>", view_func=admin_fee_month_act,
                               endpoint="fee_month_act", methods=["POST"])
vgsamverkan_admin.add_url_rule("/samverkan/befolkning", view_func=admin_population, endpoint="population")
vgsamverkan_admin.add_url_rule("/samverkan/befolkning/import", view_func=admin_population_import,
                               endpoint="population_import", methods=["POST"])
vgsamverkan.add_url_rule("/organization/samverkan/<id>", view_func=organization_samverkan,
                         endpoint="organization_samverkan")
