"""Database-level guards shared by create_all (tests) and the Alembic migrations.

R7.1: audit events are append-only — the database itself refuses UPDATE and DELETE, so no page,
script or admin can rewrite history.
"""
from __future__ import annotations

from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS event_no_update BEFORE UPDATE ON event
       BEGIN SELECT RAISE(ABORT, 'event is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS event_no_delete BEFORE DELETE ON event
       BEGIN SELECT RAISE(ABORT, 'event is append-only'); END""",
]

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION disclosure_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'event is append-only'; END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS event_append_only ON event",
    """CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event
       FOR EACH ROW EXECUTE FUNCTION disclosure_append_only()""",
]


def statements(dialect: str) -> list[str]:
    return POSTGRESQL if dialect == "postgresql" else SQLITE


def install(conn: Connection) -> None:
    for sql in statements(conn.dialect.name):
        conn.exec_driver_sql(sql)


def attach_to_metadata(metadata) -> None:
    """Install the guards whenever metadata.create_all creates the tables."""
    sa_event.listen(metadata, "after_create", lambda target, conn, **kw: install(conn))
