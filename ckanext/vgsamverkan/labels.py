"""Every label table of the extension, once (issue 18): organisation types, roles and
competence areas, in a language (``sv`` or ``en``; default: the request's). Pages (the
helpers), mail and the actions read them here. The kinds of request are labelled in
their registry (domain/objects.py), the states in workflow.py."""
from __future__ import annotations

from ckanext.vgsamverkan import config, formats
from ckanext.vgsamverkan.translation import translations

# the values the API accepts (logic/validators.py) and the pages offer, in this order
ORG_TYPES = ("kommun", "kommunalt_bolag", "regional_forvaltning")
ROLES = ("editor", "admin")


def _gettext(lang: str | None):
    return translations(lang if lang in formats.LANGUAGES else formats.current_lang()).gettext


def org_type(value: str, lang: str | None = None) -> str:
    _ = _gettext(lang)
    return {
        "kommun": _("municipality (kommun)"),
        "kommunalt_bolag": _("municipal company"),
        "regional_forvaltning": _("regional administration"),
    }.get(value, value)


def role(value: str, lang: str | None = None) -> str:
    _ = _gettext(lang)
    return {"editor": _("editor (publishes datasets)"),
            "admin": _("admin (publishes and manages the organisation)")}.get(value, value)


def competence_area(key: str, lang: str | None = None) -> str:
    """The area's label from configuration (``ckanext.vgsamverkan.competence_areas``);
    an unknown key (an area since removed) as it is."""
    lang = lang if lang in formats.LANGUAGES else formats.current_lang()
    for area in config.competence_areas():
        if area["key"] == key:
            return area["en"] if lang == "en" else area["sv"]
    return key


# the source the migration gave the population shipped with the extension (stored as
# data, in English): said in the page's language (issue 39: "Källa: SCB (shipped with
# ckanext-vgsamverkan)"); a source the coordinator typed is shown as typed
SHIPPED_POPULATION_SOURCE = "SCB (shipped with ckanext-vgsamverkan)"


def population_source(value: str, lang: str | None = None) -> str:
    _ = _gettext(lang)
    if value == SHIPPED_POPULATION_SOURCE:
        return _("SCB (shipped with ckanext-vgsamverkan)")
    return value
