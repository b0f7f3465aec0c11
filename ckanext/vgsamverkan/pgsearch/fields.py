"""How CKAN's Solr schema treats each field, so that PostgreSQL answers alike.

text: analysed full text (Swedish stemming plus simple matching); string: exact,
case-sensitive values (one or many); date and int: ordered values for ranges and sorts.
"""
from __future__ import annotations

import re

TEXT = {"text", "title", "notes", "res_name", "res_description", "urls", "maintainer",
        "author", "title_ngram", "name_ngram"}
TEXT_PREFIXES = ("extras_", "res_extras_")
DATE = {"metadata_created", "metadata_modified"}
DATE_SUFFIXES = ("_date",)
INT = {"num_resources", "num_tags"}

# Fields copied into the catch-all ``text`` field (Solr's copyField), with weights.
TEXT_SOURCES_A = ("title",)
TEXT_SOURCES_B = ("tags", "notes", "organization", "groups")
TEXT_SOURCES_C = ("name", "res_name", "res_description", "res_format", "maintainer",
                  "author", "license", "text", "urls", "url", "version")

VALID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-.]*$")


def kind(field: str) -> str:
    if field in TEXT or field.startswith(TEXT_PREFIXES):
        return "text"
    if field in DATE or field.endswith(DATE_SUFFIXES):
        return "date"
    if field in INT:
        return "int"
    return "string"
