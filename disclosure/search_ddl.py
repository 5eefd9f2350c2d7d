"""The full-text index over ``search_doc`` (issue 17), shared by create_all (tests) and the
Alembic migration, like ``dbguards``.

SQLite: an external-content FTS5 table with the trigram tokenizer (SQLite ≥ 3.34), kept in step
by triggers; it answers ``LIKE '%…%'`` from the index for terms of three or more characters and
``MATCH`` for phrases. PostgreSQL: a pg_trgm GIN index on title and body, which serves
``ILIKE '%…%'``. Neither needs a Chinese word splitter. pg_trgm is installed in ``public`` so every
schema (the test runs use one per process) finds its operator class.
"""
from __future__ import annotations

from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection

SQLITE = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
         title, body, content='search_doc', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER IF NOT EXISTS search_doc_ai AFTER INSERT ON search_doc BEGIN
         INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END""",
    """CREATE TRIGGER IF NOT EXISTS search_doc_ad AFTER DELETE ON search_doc BEGIN
         INSERT INTO search_fts(search_fts, rowid, title, body)
         VALUES ('delete', old.id, old.title, old.body); END""",
    """CREATE TRIGGER IF NOT EXISTS search_doc_au AFTER UPDATE ON search_doc BEGIN
         INSERT INTO search_fts(search_fts, rowid, title, body)
         VALUES ('delete', old.id, old.title, old.body);
         INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END""",
]

POSTGRESQL_INDEX = [
    """CREATE INDEX IF NOT EXISTS ix_search_doc_trgm ON search_doc
       USING gin ((title || ' ' || body) public.gin_trgm_ops)""",
]

# Tables the FTS5 module creates; Alembic's comparison with the models must not see them.
SQLITE_TABLES = frozenset({"search_fts", "search_fts_data", "search_fts_idx", "search_fts_docsize",
                           "search_fts_config", "search_fts_content"})


def install(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        _ensure_pg_trgm(conn)
        for sql in POSTGRESQL_INDEX:
            conn.exec_driver_sql(sql)
    else:
        for sql in SQLITE:
            conn.exec_driver_sql(sql)


def _ensure_pg_trgm(conn: Connection) -> None:
    """CREATE EXTENSION is database-wide; two processes creating it at once race, and the loser's
    error is harmless (the extension exists) — so try it in a savepoint and look again."""
    present = "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"
    if conn.exec_driver_sql(present).first():
        return
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    except Exception:
        if not conn.exec_driver_sql(present).first():
            raise


def include_name(name, type_, parent_names) -> bool:
    """Alembic filter: leave the FTS5 tables and the expression index out of comparisons."""
    if type_ == "table":
        return name not in SQLITE_TABLES
    if type_ == "index":
        return name != "ix_search_doc_trgm"
    return True


def attach_to_metadata(metadata) -> None:
    table = metadata.tables["search_doc"]
    sa_event.listen(table, "after_create", lambda target, conn, **kw: install(conn))
