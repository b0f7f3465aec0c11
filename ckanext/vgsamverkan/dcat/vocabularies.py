"""The controlled vocabularies of DCAT-AP-SE as IRIs: licences by their canonical IRIs,
file types and data themes from the EU's authority tables, the Swedish language.

Pure: CKAN's values in, IRIs out; None where there is no canonical IRI (the catalogue
then leaves the property out and the coordinator's report names the dataset).
"""
from __future__ import annotations

import re

EU = "http://publications.europa.eu/resource/authority/"
SWEDISH = EU + "language/SWE"

# CKAN's licence ids (ckan/model/license.py) -> the canonical IRI DCAT-AP-SE asks for
# (http, trailing slash, exactly as the licence's owner writes it)
LICENCES = {
    "cc-by": "http://creativecommons.org/licenses/by/4.0/",
    "cc-by-sa": "http://creativecommons.org/licenses/by-sa/4.0/",
    "cc-zero": "http://creativecommons.org/publicdomain/zero/1.0/",
    "cc-nc": "http://creativecommons.org/licenses/by-nc/4.0/",
    "odc-by": "http://opendatacommons.org/licenses/by/1-0/",
    "odc-odbl": "http://opendatacommons.org/licenses/odbl/1-0/",
    "odc-pddl": "http://opendatacommons.org/licenses/pddl/1-0/",
}
# the licence IRIs a dataset may already carry, written another way -> canonical
_LICENCE_SPELLINGS = {
    re.sub(r"^https://", "http://", iri).rstrip("/"): iri for iri in LICENCES.values()
}

# CKAN's free-text formats (upper case) -> the EU file type table's code
FILE_TYPES = {
    "CSV": "CSV", "JSON": "JSON", "GEOJSON": "GEOJSON", "XLSX": "XLSX", "XLS": "XLS",
    "ODS": "ODS", "PDF": "PDF", "XML": "XML", "ZIP": "ZIP", "SHP": "SHP", "HTML": "HTML",
    "TXT": "TXT", "KML": "KML", "KMZ": "KMZ", "GML": "GML", "RDF": "RDF", "TTL": "RDF_TURTLE",
    "JSON-LD": "JSON_LD", "JSONLD": "JSON_LD", "GPKG": "GPKG", "DOCX": "DOCX", "PNG": "PNG",
    "JPEG": "JPEG", "JPG": "JPEG", "TIFF": "TIFF", "GTFS": "GTFS", "NETCDF": "NETCDF",
    "WMS": "WMS_SRVC", "WFS": "WFS_SRVC", "WMTS": "WMTS_SRVC",
}

# the EU data themes (dcat:theme) and their Swedish labels in the EU's table
THEMES = {
    "AGRI": "Jordbruk, fiske, skogsbruk och livsmedel", "ECON": "Ekonomi och finans",
    "EDUC": "Utbildning, kultur och sport", "ENER": "Energi", "ENVI": "Miljö",
    "GOVE": "Regeringen och den offentliga sektorn", "HEAL": "Hälsa", "INTR": "Internationella frågor",
    "JUST": "Rättvisa, rättssystem och allmän säkerhet", "OP_DATPRO": "Preliminära uppgifter",
    "REGI": "Regioner och städer", "SOCI": "Befolkning och samhälle", "TECH": "Vetenskap och teknik",
    "TRAN": "Transport",
}


PUBLIC_ACCESS = f"{EU}access-right/PUBLIC"


def licence(license_id: str | None, license_url: str | None = None) -> str | None:
    """The canonical IRI of a dataset's licence, or None."""
    if license_id in LICENCES:
        return LICENCES[license_id]
    for value in (license_id, license_url):
        if value:
            found = _LICENCE_SPELLINGS.get(re.sub(r"^https://", "http://", value.strip()).rstrip("/"))
            if found:
                return found
    return None


def file_type(fmt: str | None) -> str | None:
    """The EU file type IRI of a resource's format, or None."""
    code = FILE_TYPES.get((fmt or "").strip().upper().lstrip("."))
    return f"{EU}file-type/{code}" if code else None


def guessed_file_type(url: str | None, mimetype: str | None = None) -> str:
    """The EU file type of a distribution that names no format (DCAT-AP-SE: a format is
    mandatory): from its media type, else the ending of its address's path, else
    ``BIN`` (binary data: the format is not known)."""
    import mimetypes  # noqa: PLC0415 (only for distributions without a format)
    from urllib.parse import urlparse  # noqa: PLC0415

    by_type = {"application/json": "JSON", "text/csv": "CSV", "application/xml": "XML", "text/xml": "XML",
               "application/geo+json": "GEOJSON", "text/html": "HTML", "application/pdf": "PDF",
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX"}
    code = by_type.get((mimetype or "").split(";")[0].strip().lower())
    if code is None:
        path = urlparse(url or "").path
        ending = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
        code = ending if file_type(ending) else by_type.get(mimetypes.guess_type(path)[0] or "")
    return file_type(code) or f"{EU}file-type/BIN"


def theme_label(iri: str) -> str:
    return THEMES[iri.rsplit("/", 1)[-1]]


def themes(value: str | list | None) -> list[str]:
    """The EU data theme IRIs of a dataset's ``theme`` field: codes (``TRAN``) or the
    themes' IRIs, separated by commas or spaces; others are left out."""
    items = value if isinstance(value, list) else re.split(r"[\s,]+", value or "")
    found = []
    for item in items:
        code = str(item).strip().rstrip("/").rsplit("/", 1)[-1].upper()
        if code in THEMES and f"{EU}data-theme/{code}" not in found:
            found.append(f"{EU}data-theme/{code}")
    return found


def publisher_iri(org_number: str | None) -> str | None:
    """The well-known publisher IRI of Sveriges dataportal for an organisationsnummer
    (ten digits without hyphen), or None when it is not ten digits."""
    digits = re.sub(r"[\s-]", "", org_number or "")
    return f"http://dataportal.se/organisation/SE{digits}" if re.fullmatch(r"\d{10}", digits) else None
