from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultTranslation


def _auth_functions() -> dict:
    """Our actions' auth functions, and the publishing rules chained onto CKAN's."""
    from ckanext.vgsamverkan.logic import auth, enforce  # noqa: PLC0415 (CKAN imports plugin.py to read its entry points, also for ckan config and babel: the extension loads with the plugin)

    return {
        **auth.functions(),
        **enforce.chained_auth_functions(),
    }


@tk.blanket.actions
@tk.blanket.auth_functions(_auth_functions)
@tk.blanket.validators
@tk.blanket.helpers
@tk.blanket.blueprints
@tk.blanket.cli
@tk.blanket.config_declarations
class VgSamverkanPlugin(DefaultTranslation, p.SingletonPlugin):
    """The regional open-data collaboration of Västra Götaland."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)

    # IConfigurer
    def update_config(self, config: CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        # after log-in, what waits for the user first (issue 21), unless the site chose
        # another page than CKAN's own default
        if config.get("ckan.auth.route_after_login") in (None, "", "dashboard.datasets"):
            config["ckan.auth.route_after_login"] = "vgsamverkan.after_login"

    # IMiddleware: a lost database connection is a 503 that says so (unavailable.py);
    # malformed requests are a 400 and every answer has the security headers (guard.py);
    # log-in, registration and reset are throttled (throttle.py); a body above its limit is
    # a 413 before anything reads it (bodylimit.py)
    def make_middleware(self, app, config):
        from ckanext.vgsamverkan import bodylimit, guard, throttle, unavailable  # noqa: PLC0415 (CKAN imports plugin.py to read its entry points, also for ckan config and babel: the extension loads with the plugin)
        from ckanext.vgsamverkan.views import account, dataset  # noqa: PLC0415 (as above)

        if hasattr(app, "register_error_handler"):
            unavailable.register(app)
            guard.register(app)
            account.install(app)  # before the throttle: its limits count this view
            dataset.install(app)  # CKAN's resource form: no draft left by a refusal (issue 39)
            throttle.install(app)
            bodylimit.install(app)
            return app
        return bodylimit.BodyLimit(app)  # another plugin's middleware came first

    # IPackageController: the data that requires a connection, checked on the dataset as
    # CKAN validated it (formats cleaned or guessed), before CKAN commits it
    def after_dataset_create(self, context, pkg_dict):
        from ckanext.vgsamverkan.logic import enforce  # noqa: PLC0415 (CKAN imports plugin.py to read its entry points, also for ckan config and babel: the extension loads with the plugin)

        enforce.check_connection_required(context, pkg_dict)

    def after_dataset_update(self, context, pkg_dict):
        from ckanext.vgsamverkan.logic import enforce  # noqa: PLC0415 (CKAN imports plugin.py to read its entry points, also for ckan config and babel: the extension loads with the plugin)

        enforce.check_connection_required(context, pkg_dict)
