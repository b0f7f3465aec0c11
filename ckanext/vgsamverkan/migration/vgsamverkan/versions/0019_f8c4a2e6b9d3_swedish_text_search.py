"""Swedish search that knows inflections and compound words (issue 22): the text search
configuration ``vgsamverkan_swedish``.

Each word goes through three dictionaries, the first that knows it decides:

1. ``vgsamverkan_swedish_stop``: PostgreSQL's Swedish stop words ("och", "på", "man"),
   looked up on the word as typed, so that "mannen" is not dropped as the stop word
   "man" it is reduced to;
2. ``vgsamverkan_swedish_hunspell``: Debian's Swedish Hunspell dictionary (package
   ``hunspell-sv``, which ``pg_updatedicts`` of postgresql-common converts into
   ``tsearch_data/sv_se.affix`` and ``sv_se.dict``; another name of those files:
   ``ckanext.vgsamverkan.search_hunspell_dictionary``) as an ispell dictionary: base forms
   ("sjöar" -> sjö, "gick" -> gå) and the parts of compounds ("cykelparkeringar" ->
   cykel, parkering);
3. PostgreSQL's Swedish snowball stemmer for the words Hunspell does not know.

Where the database server has no Swedish Hunspell files the configuration is made of
1 and 3 only, and the upgrade says so: installing them later and running this upgrade
again (downgrade to e7b3c9d1f5a2, upgrade) gives the full configuration. Either way the
search index is rebuilt with ``ckan search-index rebuild`` (docs/search.md).

Data: no table changes; documents indexed before keep their old vectors until that
rebuild. The downgrade drops the configuration and its dictionaries.

Revision ID: f8c4a2e6b9d3
Revises: e7b3c9d1f5a2
Create Date: 2026-11-30
"""
from __future__ import annotations

import re
import sys

import sqlalchemy as sa
from alembic import op

import ckan.plugins.toolkit as tk

revision = "f8c4a2e6b9d3"
down_revision = "e7b3c9d1f5a2"
branch_labels = None
depends_on = None


CONFIGURATION = "vgsamverkan_swedish"
STOP = "vgsamverkan_swedish_stop"
HUNSPELL = "vgsamverkan_swedish_hunspell"
# the token types PostgreSQL's own "swedish" configuration sends to its stemmer
WORD_TYPES = "asciiword, word, hword, hword_part, hword_asciipart, asciihword"


def upgrade():
    conn = op.get_bind()
    # made anew: a database whose tables were dropped (a test's reset) keeps these objects
    downgrade()
    conn.execute(sa.text(
        f"CREATE TEXT SEARCH DICTIONARY {STOP} (TEMPLATE = simple, StopWords = swedish, Accept = false)"))
    chain = [STOP, "swedish_stem"]
    files = (tk.config.get("ckanext.vgsamverkan.search_hunspell_dictionary") or "sv_se").strip()
    if not re.fullmatch(r"[a-z0-9_]+", files):  # PostgreSQL's rule for the files' names
        raise ValueError(f"ckanext.vgsamverkan.search_hunspell_dictionary: not a dictionary name: {files!r}")
    savepoint = conn.begin_nested()
    try:
        conn.execute(sa.text(
            f"CREATE TEXT SEARCH DICTIONARY {HUNSPELL} (TEMPLATE = ispell, DictFile = {files}, AffFile = {files})"))
    except sa.exc.DBAPIError as e:  # the server has no tsearch_data/sv_se.*
        savepoint.rollback()
        # on standard error, where an operator running 'ckan db upgrade' sees it (that
        # command shows no log of a migration); 'ckan vgsamverkan doctor' says it again
        print(f"WARNING: Swedish search without Hunspell ({str(e.orig).strip().splitlines()[0]}): install "
              "hunspell-sv on the database server and run this upgrade again (docs/search.md).", file=sys.stderr)
    else:
        savepoint.commit()
        chain.insert(1, HUNSPELL)
    conn.execute(sa.text(f"CREATE TEXT SEARCH CONFIGURATION {CONFIGURATION} (COPY = swedish)"))
    conn.execute(sa.text(
        f"ALTER TEXT SEARCH CONFIGURATION {CONFIGURATION} ALTER MAPPING FOR {WORD_TYPES} "
        f"WITH {', '.join(chain)}"))


def downgrade():
    op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIGURATION}")
    op.execute(f"DROP TEXT SEARCH DICTIONARY IF EXISTS {HUNSPELL}")
    op.execute(f"DROP TEXT SEARCH DICTIONARY IF EXISTS {STOP}")
