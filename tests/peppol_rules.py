"""The official validation of an e-invoice (tests/data/peppol, SOURCE.md there): the UBL
2.1 schema of its root element (lxml) and the CEN EN 16931 and PEPPOL EN 16931 UBL rules,
Swedish national rules included, compiled to XSLT 2.0 (Saxon-HE through saxonche). A
document is valid with no failed assertion flagged ``fatal``."""
from __future__ import annotations

import functools
import os
import re

from lxml import etree

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "peppol")
RULES = ("CEN-EN16931-UBL.xsl", "PEPPOL-EN16931-UBL.xsl")
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


@functools.lru_cache(maxsize=None)
def _schema(root: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(os.path.join(HERE, "ubl-2.1", "maindoc", f"UBL-{root}-2.1.xsd")))


@functools.lru_cache(maxsize=None)
def _processor():
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@functools.lru_cache(maxsize=None)
def _stylesheet(name: str):
    return _processor().new_xslt30_processor().compile_stylesheet(stylesheet_file=os.path.join(HERE, "xslt", name))


def findings(document: bytes) -> list[tuple[str, str, str]]:
    """Every finding of the schema and the rules: ``(flag, id, text)``; the schema's errors
    are ``fatal`` with the id ``UBL-schema``."""
    tree = etree.fromstring(document)
    root = etree.QName(tree).localname
    found = []
    schema = _schema(root)
    if not schema.validate(tree):
        found += [("fatal", "UBL-schema", f"line {e.line}: {e.message}") for e in schema.error_log]
    source = _processor().parse_xml(xml_text=document.decode("utf-8"))
    for name in RULES:
        report = etree.fromstring(_stylesheet(name).transform_to_string(xdm_node=source).encode("utf-8"))
        for failed in report.iter(f"{SVRL}failed-assert"):
            text = re.sub(r"\s+", " ", "".join(failed.itertext())).strip()
            found.append((failed.get("flag") or "fatal", failed.get("id") or "", text))
    return found


def fatal(document: bytes) -> list[tuple[str, str, str]]:
    return [f for f in findings(document) if f[0] == "fatal"]
