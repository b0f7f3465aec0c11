"""CKAN's own words on the pages the collaboration's users meet, said in Swedish (issue 39).

CKAN's Swedish catalogue leaves some of them untranslated ("Username or Email" on the
log-in page, the Markdown hint of every description field, a dataset's state "active")
and says others half in English ("t.ex. CSV, XML or JSON") or with a stray colon
("Fullständigt namn:", after which the form adds its own). The extension's catalogue is
read after CKAN's (flask-babel merges the plugins' catalogues over CKAN's), so a word
written here and translated in ``i18n/sv`` is what the page says. Nothing calls this
module: its strings are marked for extraction only (``N_``), each exactly as CKAN's
template writes it. tests/test_i18n.py renders the pages and checks the words.
"""
from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 (the marker babel's extraction looks for)
    return text


CKAN_WORDS = (
    # the log-in page
    N_("Username or Email"),
    # the registration and account pages
    N_("Full Name"),
    N_("Full name"),
    N_("Joe Bloggs"),
    N_("eg. Joe Bloggs"),
    N_("Create datasets, groups and other exciting things"),
    # the dataset form: a description's Markdown hint, a resource's format
    N_('You can use <a href="#markdown" title="Markdown quick reference" data-bs-toggle="popover" '
       'data-bs-content="%(markdown_tooltip)s" data-bs-html="true">Markdown formatting</a> here'),
    N_("eg. CSV, XML or JSON"),
    # the members page's role, the account's tab, the search box's hidden label, the share box
    N_("Admin"),
    N_("API Tokens"),
    N_("Search Datasets..."),
    N_("Social"),
    # a dataset's state, as its page shows it
    N_("active"),
    N_("draft"),
    N_("deleted"),
)
