"""JSON-LD expansion with pyld against the contexts in tests/contexts/, never the network."""

import json
from functools import cache
from pathlib import Path

from pyld import jsonld

CONTEXTS = Path(__file__).parent / "contexts"
# The addresses a document may name as its context, and the file that stands for each.
KNOWN = {
    "https://schema.org": "schemaorg.jsonld",
    "https://schema.org/": "schemaorg.jsonld",
    "http://schema.org": "schemaorg.jsonld",
    "http://schema.org/": "schemaorg.jsonld",
    "http://www.w3.org/ns/anno.jsonld": "w3c-anno-terms.jsonld",
}


@cache
def context_document(name: str) -> dict:
    return json.loads((CONTEXTS / name).read_text(encoding="utf-8"))


def load_document(url: str, options=None) -> dict:
    if url not in KNOWN:
        raise jsonld.JsonLdError(f"No local context for {url}.", "loading document failed")
    return {"contextUrl": None, "documentUrl": url, "document": context_document(KNOWN[url])}


def expand(document: dict) -> list:
    return jsonld.expand(document, {"documentLoader": load_document})


def schema_org_iris() -> set[str]:
    """Every type's and property's IRI the schema.org context defines."""
    return {
        f"http://schema.org/{term}" for term in context_document("schemaorg.jsonld")["@context"]
    }


def anno_terms() -> set[str]:
    """The Web Annotation terms tests/contexts/ defines."""
    return set(context_document("w3c-anno-terms.jsonld")["@context"])


def iris_used(node) -> set[str]:
    """Every property and type IRI of an expanded JSON-LD document."""
    found = set()
    if isinstance(node, list):
        for child in node:
            found |= iris_used(child)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":  # a node's types, or a typed value's one
                found |= set(value) if isinstance(value, list) else {value}
            elif not key.startswith("@"):
                found.add(key)
            found |= iris_used(value)
    return found
