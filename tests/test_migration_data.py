"""Every revision of the extension, down and up again, with data in every table.

For each revision (newest first): the database is filled (the demo data, which has every
kind of request in every state, a closed fee month, datasets in the search tables, plus a
comment, a fee adjustment and a mail in the outbox), every table of the extension is
checked to hold rows, then the revision is downgraded and upgraded again (alembic, as
``ckan db downgrade/upgrade -p vgsamverkan`` does). Every table that exists below the
revision must keep every row, with the values of every column it has there (in the form
it has there, BELOW: the copy's vectors without positions below c7f3a9e1d5b8), both after
the downgrade and after the upgrade; the upgrade must give back exactly the head's tables and
columns; the list tallies must match the rows again. The newest revision runs on both CKAN
versions, the others half on each (tests/halves.py).
"""
from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

import ckan.model as model
from ckan.plugins.toolkit import config

from ckanext.vgsamverkan import demo
from ckanext.vgsamverkan.mail import outbox
from tests.conftest import kept as kept_data
from tests.conftest import restore_reference_data
from tests.factories import call
from tests.halves import this_versions_half

pytestmark = [pytest.mark.usefixtures("with_plugins"),
              pytest.mark.without_closed_month("empties the database for each revision")]

FOLDER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      "ckanext", "vgsamverkan", "migration", "vgsamverkan")
VERSION_TABLE = "vgsamverkan_alembic_version"


def alembic_config() -> Config:
    cfg = Config(os.path.join(FOLDER, "alembic.ini"))
    cfg.set_main_option("script_location", FOLDER)
    cfg.set_main_option("sqlalchemy.url", config["sqlalchemy.url"])
    return cfg


def revisions() -> list[tuple[str, str | None]]:
    """(revision, the one below it), newest first."""
    return [(r.revision, r.down_revision) for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()]


def migrate(direction: str, revision: str) -> None:
    model.Session.remove()
    getattr(command, direction)(alembic_config(), revision)
    model.Session.remove()


def schema() -> dict[str, list[str]]:
    """The extension's tables and their columns."""
    inspector = sa.inspect(model.meta.engine)
    return {t: sorted(c["name"] for c in inspector.get_columns(t))
            for t in inspector.get_table_names() if t.startswith("vgsamverkan_") and t != VERSION_TABLE}


def rows(table: str, columns: list[str]) -> list[tuple]:
    cols = ", ".join(f'"{c}"::text' for c in columns)
    with model.meta.engine.connect() as conn:
        return sorted((tuple(r) for r in conn.execute(sa.text(f"SELECT {cols} FROM {table}"))), key=repr)


def fill(coordinator: dict) -> None:
    """The demo data and what it does not make, in an empty database."""
    assert list(demo.seed()), "the demo made nothing"
    participation = call("vgsamverkan_participation_list", coordinator, limit=1)["results"][0]
    call("vgsamverkan_comment_create", coordinator, object_type="participation",
         object_id=participation["id"], text="En kommentar före migreringen")
    months = call("vgsamverkan_fee_month_list", coordinator)["results"]
    open_month = next(m["month"] for m in months if m["state"] != "closed")
    statement = call("vgsamverkan_fee_statement_list", coordinator, month=open_month)["results"][0]
    call("vgsamverkan_fee_adjust", coordinator, month=open_month, organization_id=statement["organization_id"],
         amount="-100.00", reason="Rättelse före migreringen")
    outbox.enqueue("Någon", "someone@example.org", "Ämne", "Text")  # waits in the outbox


# a column whose value below a revision is the head's in another form, by design:
# (table, column) -> (the revision, the form below it)
_LEXEME = re.compile(r"('(?:[^']|'')*')(?::[0-9A-D,]+)?")
BELOW = {("vgsamverkan_search_text", "tsv"):
         ("c7f3a9e1d5b8", lambda value: _LEXEME.sub(r"\1", value))}  # positions kept from there on


def expected_below(table: str, columns: list[str], head_columns: list[str], head_rows: list[tuple],
                   below: str | None) -> list[tuple]:
    """The head's rows as the revision ``below`` has them."""
    order = [r for r, _ in revisions()]
    forms = []
    for column in columns:
        revision, form = BELOW.get((table, column), (None, None))
        under = revision is not None and (below is None or order.index(below) > order.index(revision))
        forms.append(form if under else None)
    kept = [head_columns.index(c) for c in columns]
    return sorted((tuple(f(r[i]) if f and r[i] is not None else r[i] for i, f in zip(kept, forms, strict=True))
                   for r in head_rows), key=repr)


def _this_versions_revisions() -> list[tuple[str, str | None]]:
    """The newest revision on both CKAN versions; the others half on each (tests/halves.py:
    one ``make test`` takes every revision down and up once; ``VGS_WHOLE_MATRIX=1`` all on
    one version). The revisions are the extension's own code, the same on both."""
    every = revisions()
    return every[:1] + this_versions_half(every[1:])


@pytest.mark.parametrize("revision,below", _this_versions_revisions())
def test_revision_down_and_up_with_data(revision, below, reset_db, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.coordinators", ["samordnare"])
    reset_db()
    restore_reference_data()
    # filled once (the demo costs about 3 s), then put back row by row for each revision
    kept_data(("test_migration_data.fill",), lambda: fill({"name": "samordnare"}))
    head = schema()
    empty = sorted(t for t in head if not rows(t, head[t]))
    assert empty == [], f"tables without rows: {empty}"
    before = {t: rows(t, cols) for t, cols in head.items()}

    migrate("downgrade", below or "base")
    lower = schema()
    for table, columns in lower.items():
        assert table in head and set(columns) <= set(head[table]), table
        assert rows(table, columns) == expected_below(table, columns, head[table], before[table], below), \
            f"{table} changed in the downgrade below {revision}"

    migrate("upgrade", "head")
    assert schema() == head, f"the upgrade after {revision} does not give back the head's schema"
    for table, columns in lower.items():
        kept = [head[table].index(c) for c in columns]
        assert rows(table, columns) == sorted((tuple(r[i] for i in kept) for r in before[table]), key=repr), \
            f"{table} changed in the upgrade over {revision}"
    with model.meta.engine.connect() as conn:
        wrong = conn.execute(sa.text(
            "SELECT t.tbl, t.organization_id, t.state FROM vgsamverkan_tally t WHERE n <> ("
            "  SELECT count(*) FROM vgsamverkan_participation p WHERE t.tbl = 'vgsamverkan_participation'"
            "  AND coalesce(p.organization_id, '') = t.organization_id AND p.state = t.state) + ("
            "  SELECT count(*) FROM vgsamverkan_publisher p WHERE t.tbl = 'vgsamverkan_publisher'"
            "  AND coalesce(p.organization_id, '') = t.organization_id AND p.state = t.state) + ("
            "  SELECT count(*) FROM vgsamverkan_connection p WHERE t.tbl = 'vgsamverkan_connection'"
            "  AND coalesce(p.organization_id, '') = t.organization_id AND p.state = t.state) + ("
            "  SELECT count(*) FROM vgsamverkan_calloff p WHERE t.tbl = 'vgsamverkan_calloff'"
            "  AND coalesce(p.organization_id, '') = t.organization_id AND p.state = t.state)")).fetchall()
    assert wrong == []
