"""The portal as a WSGI application, for a production server with several worker
processes: ``CKAN_INI=/etc/ckan/ckan.ini gunicorn --workers 4 --bind 127.0.0.1:5000 wsgi:application``.
The load and concurrency tests and ``bench/load.py`` start it so."""
import os

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

_ini = os.environ.get("CKAN_INI") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "ckan.ini")
if not os.path.exists(_ini):
    raise RuntimeError(f"CKAN config file not found: {_ini}")
application = make_app(CKANConfigLoader(_ini).get_config())

# the extension's templates compiled now, once per worker process, not by the first person
# who opens each page (ckanext/vgsamverkan/warm.py)
from ckanext.vgsamverkan import warm  # noqa: E402 (after CKAN's application is made)

warm.templates(application)
