"""DIGG's formal profile of DCAT-AP-SE (the RDForms bundles that drive DIGG's editor and
documentation, tests/data/dcat/bundle-*.json), read into what each kind of node of a
catalogue must and should have (issue 36, part 9).

A group template (``dcat:Catalog``, ``dcat:Dataset``, ``dcat:Distribution``,
``dcat:foaf:Agent`` for publishers) lists its items by id. An item's ``cardinality.min`` ≥ 1
makes it mandatory, ``pref`` ≥ 1 recommended. An item may ``extends`` another template
(its own keys win). An item without a ``property`` is a group or choice whose children
carry the properties: one of them present satisfies it."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

# copied unchanged from ../shared/data/dcat-ap-se/profile/ (tests/data/dcat/README.md), so
# that a clean checkout tests without the shared folder
PROFILE = os.path.join(os.path.dirname(__file__), "data", "dcat")

NAMESPACES = {
    "dcterms": "http://purl.org/dc/terms/", "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/", "adms": "http://www.w3.org/ns/adms#",
    "dcatap": "http://data.europa.eu/r5r/", "owl": "http://www.w3.org/2002/07/owl#",
    "org": "http://www.w3.org/ns/org#", "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#", "prov": "http://www.w3.org/ns/prov#",
    "spdx": "http://spdx.org/rdf/terms#", "odrs": "http://schema.theodi.org/odrs#",
    "schema": "http://schema.org/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "locn": "http://www.w3.org/ns/locn#", "geodcat": "http://data.europa.eu/930/",
    "dc": "http://purl.org/dc/elements/1.1/", "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# the group template of each kind of node, and how to find those nodes in a graph
DCAT = "http://www.w3.org/ns/dcat#"
GROUPS = {
    "dcat:Catalog": "catalogue",
    "dcat:Dataset": "dataset",
    "dcat:Distribution": "distribution",
    "dcat:foaf:Agent": "publisher",
}


# items the profile marks mandatory only under a condition the portal never meets, and why
CONDITIONAL = {
    "dcatap:hvdCategory_da": "only for a high-value dataset (EU 2023/138, set as applicable legislation); "
                             "the portal marks none, and the profile says to leave it out otherwise",
}


@dataclass(frozen=True)
class Requirement:
    group: str
    item: str
    properties: frozenset[str]  # any one of them satisfies it
    mandatory: bool
    recommended: bool


def _iri(name: str) -> str:
    if "://" in name:
        return name
    prefix, _, local = name.partition(":")
    return NAMESPACES[prefix] + local if prefix in NAMESPACES else name


def load(version: str) -> list[Requirement]:
    with open(os.path.join(PROFILE, f"bundle-{version}.json"), encoding="utf-8") as f:
        templates = {t["id"]: t for t in json.load(f)["templates"] if "id" in t}

    def resolved(item) -> dict:
        t = templates.get(item, {}) if isinstance(item, str) else item
        base = resolved(t["extends"]) if t.get("extends") else {}
        return {**base, **t}

    def properties(item, depth: int = 0) -> set[str]:
        t = resolved(item)
        if t.get("property"):
            return {_iri(t["property"])}
        if depth > 5:
            return set()
        found: set[str] = set()
        for child in t.get("items") or []:
            found |= properties(child, depth + 1)
        return found

    requirements = []
    for group in GROUPS:
        for item in templates[group]["items"]:
            t = resolved(item)
            cardinality = (item.get("cardinality") if isinstance(item, dict) else None) or t.get("cardinality") or {}
            props = properties(item)
            if not props or (t.get("id") in CONDITIONAL):
                continue
            requirements.append(Requirement(group, t.get("id") or str(item), frozenset(props),
                                            (cardinality.get("min") or 0) >= 1, (cardinality.get("pref") or 0) >= 1))
    return requirements


def nodes(g: Graph, group: str) -> set:
    kind = GROUPS[group]
    if kind == "publisher":
        return set(g.objects(None, URIRef("http://purl.org/dc/terms/publisher")))
    cls = {"catalogue": "Catalog", "dataset": "Dataset", "distribution": "Distribution"}[kind]
    return set(g.subjects(RDF.type, URIRef(DCAT + cls)))


def missing(g: Graph, version: str, *, recommended: bool = False) -> list[str]:
    """What the catalogue ``g`` lacks of the profile: each mandatory (or, with
    ``recommended``, recommended) requirement, with how many nodes lack it."""
    problems = []
    for req in load(version):
        if not (req.recommended if recommended else req.mandatory):
            continue
        lacking = [n for n in nodes(g, req.group)
                   if not any((n, URIRef(p), None) in g for p in req.properties)]
        if lacking:
            problems.append(f"{version} {req.group} {req.item} ({' or '.join(sorted(req.properties))}): "
                            f"{len(lacking)} lack it, e.g. {lacking[0]}")
    return problems
