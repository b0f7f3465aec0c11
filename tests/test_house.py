"""The layout rules of the code (issue 18, HOUSE.md), checked on the source: pure, no
CKAN. No module over 700 lines; no import circle, not even through function-local
imports; the request kinds listed once (domain/objects.py)."""
from __future__ import annotations

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ckanext" / "vgsamverkan"
MAX_LINES = 700


def _modules() -> dict[str, pathlib.Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migration" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: pathlib.Path, known: set[str]) -> set[str]:
    """The extension's modules that ``name`` imports, at the top or inside a function (a
    function-local import only hides a circle until the function runs)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            if target in known and target != name:
                found.add(target)
    return found


def test_no_module_is_over_700_lines():
    long = {str(p.relative_to(ROOT)): n for p in _modules().values()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


def test_no_import_circle():
    modules = _modules()
    graph = {name: _imports(name, path, set(modules)) for name, path in modules.items()}
    circles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(" → ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not circles, "\n".join(circles)


def test_the_kinds_are_listed_once():
    """The four kinds of request appear together in one place: domain/objects.py."""
    kinds = ("participation", "publisher", "connection", "calloff")
    pattern = re.compile(r"""["'](participation|publisher|connection|calloff)["']""")
    lists = []
    for path in list(_modules().values()) + list((PACKAGE / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if set(pattern.findall(line)) >= set(kinds):
                lists.append(f"{path.relative_to(ROOT)}:{number}")
    assert lists == [], lists


# the lower floors of the house (HOUSE.md, issue 38): what they may not import
LOWER = ("ckanext.vgsamverkan.domain", "ckanext.vgsamverkan.model", "ckanext.vgsamverkan.fees",
         "ckanext.vgsamverkan.mail", "ckanext.vgsamverkan.dcat", "ckanext.vgsamverkan.peppol",
         "ckanext.vgsamverkan.formats", "ckanext.vgsamverkan.orgnumber", "ckanext.vgsamverkan.money",
         "ckanext.vgsamverkan.workflow", "ckanext.vgsamverkan.labels", "ckanext.vgsamverkan.translation",
         "ckanext.vgsamverkan.config", "ckanext.vgsamverkan.population_file")
UPPER = ("ckanext.vgsamverkan.logic", "ckanext.vgsamverkan.views", "ckanext.vgsamverkan.cli",
         "ckanext.vgsamverkan.helpers", "ckanext.vgsamverkan.plugin")


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_no_import_runs_back_up_the_house():
    """The domain's queries, the model, fees, mail, the catalogue and the pure modules
    import nothing from the actions, views, commands or plugin (issue 38: fees, mail and
    the catalogue reached up into logic/ for taking_part, roles and objects)."""
    modules = _modules()
    up = sorted(f"{name} → {target}" for name, path in modules.items() if _under(name, LOWER)
                for target in _imports(name, path, set(modules)) if _under(target, UPPER))
    assert up == [], "\n".join(up)


def test_no_module_imports_another_modules_private_names():
    """A private name (``_x``) is its module's own; shared helpers live in the modules
    made to share them (``_base``, ``_common``), issue 38: connection and call-off took
    ``_refuse_if_closed`` from the fees' actions, the daily job ``_end_authorisation``."""
    found = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ckanext.vgsamverkan"):
                if node.module.rsplit(".", 1)[-1].startswith("_"):
                    continue  # a module made to be shared (_base, _common, _confirm)
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private:
                    found.append(f"{name} imports {', '.join(private)} from {node.module}")
    assert found == [], "\n".join(found)


# Where a kind's name is still written outside the registry and the kind's own modules
# (issue 38): each entry says why. The test fails when a file not listed names a
# kind, and when a listed one no longer does (then take it off: the list only shrinks).
STILL_NAMING_KINDS = {
    # another concept with the same word: a fee line for a connection, the DCAT publisher
    "config.py": "the fee line kind 'connection' (accounts per kind of line)",
    "fees/export.py": "the fee line kind 'connection'",
    "fees/texts.py": "the fee line kind 'connection'",
    "model/fee.py": "the fee line kind 'connection'",
    "logic/action/catalog.py": "the DCAT catalogue's 'publisher'",
    "templates/vgsamverkan/admin/catalog.html": "the DCAT catalogue's 'publisher'",
    # the fee run
    "fees/run.py": "the money a connection and a call-off charge: a kind that charges is a new kind of "
                   "fee line too (accounts, SIE, e-invoices), beyond adding a kind of request",
}


def _kind_names_written() -> dict[str, set[str]]:
    """The files that write a kind's name as a literal, with the names, leaving out the
    registry (domain/objects.py) and each kind's own modules and templates (a file whose
    name begins with the kind's: kinds/connection.py, logic/action/connection.py,
    connection_read.html, participation_update.py)."""
    import io
    import tokenize

    from ckanext.vgsamverkan.domain import objects

    kinds = set(objects.KINDS)
    found: dict[str, set[str]] = {}

    def own(rel: str, kind: str) -> bool:
        return rel == "domain/objects.py" or pathlib.Path(rel).name.startswith(kind)

    for path in sorted(PACKAGE.rglob("*.py")):
        rel = str(path.relative_to(PACKAGE))
        for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
            if token.type == tokenize.STRING:
                try:
                    value = ast.literal_eval(token.string)
                except (ValueError, SyntaxError):
                    continue  # an f-string
                if value in kinds and not own(rel, value):
                    found.setdefault(rel, set()).add(value)
    pattern = re.compile(r"""["'](%s)["']""" % "|".join(sorted(kinds)))
    for path in sorted((PACKAGE / "templates").rglob("*.html")):
        rel = str(path.relative_to(PACKAGE))
        for value in pattern.findall(path.read_text(encoding="utf-8")):
            if not own(rel, value):
                found.setdefault(rel, set()).add(value)
    return found


def test_a_kinds_name_is_written_only_in_the_registry_and_its_own_modules():
    """Adding a kind touches the registry and the kind's own files (issue 38): the queue,
    the dashboard, the waiting list, "Mina ärenden", the read pages, the binding acts, the
    history's verbs and GDPR read ``Kind`` (domain/kind.py) instead of naming kinds."""
    found = _kind_names_written()
    new = {rel: sorted(names) for rel, names in found.items() if rel not in STILL_NAMING_KINDS}
    assert new == {}, f"a kind named outside the registry and its own modules: {new}"
    gone = sorted(set(STILL_NAMING_KINDS) - set(found))
    assert gone == [], f"no longer names a kind, take it off STILL_NAMING_KINDS: {gone}"
