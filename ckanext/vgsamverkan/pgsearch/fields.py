"""How CKAN's Solr schema treats each field, so that PostgreSQL answers alike.

text: analysed full text (Swedish stemming plus simple matching); string: exact,
case-sensitive values (one or many); date and int: ordered values for ranges and sorts;
ngram: parts of words (CKAN's ``name_ngram`` and ``title_ngram``, Solr's copies of the
name and title cut into n-grams, which ``package_autocomplete`` asks), matched as parts of
the field they copy.
"""
from __future__ import annotations

import re

TEXT = {"text", "title", "notes", "res_name", "res_description", "urls", "maintainer",
        "author"}
# the n-gram fields and the column of the field each copies (CKAN's schema.xml:
# copyField; the document table keeps the name and the title in columns of their own)
NGRAM = {"title_ngram": "d.title_string", "name_ngram": "d.name"}
# text fields that alone make one weight of the document's vector (connection.add)
WEIGHTED = {"title": "a"}
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
    if field in NGRAM:
        return "ngram"
    if field in TEXT or field.startswith(TEXT_PREFIXES):
        return "text"
    if field in DATE or field.endswith(DATE_SUFFIXES):
        return "date"
    if field in INT:
        return "int"
    return "string"
