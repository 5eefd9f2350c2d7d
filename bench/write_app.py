"""The benchmark's WSGI entry (issue 18): the normal app (``create_app()``, configured from the
environment like ``disclosure:create_app()``) plus one trivial route the production app does not
have — ``POST /bench/write`` inserts one row into a small table of its own through the ORM and
commits in a unit of work (SQLite: BEGIN IMMEDIATE, as a submission); the table is created by
``create_table`` before gunicorn starts (bench/run.py does). It is the yardstick for
``submit_vs_write``: what a bare write costs in the same app, gunicorn and workers.

    gunicorn -w 2 bench.write_app:app
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import jsonify
from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from disclosure import create_app
from disclosure.extensions import csrf, db
from disclosure.services.unit_of_work import unit_of_work


class _Base(DeclarativeBase):
    """Separate metadata: the table is no part of the application's schema or migrations."""


class BenchWrite(_Base):
    __tablename__ = "bench_write"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def create_table(engine) -> None:
    """Create ``bench_write`` (once, before the workers start: they would race)."""
    _Base.metadata.create_all(engine, checkfirst=True)


def build():
    app = create_app()

    @app.post("/bench/write")
    @csrf.exempt
    def bench_write():
        with unit_of_work():
            row = BenchWrite(note="write", created_at=datetime.now(timezone.utc))
            db.session.add(row)
            db.session.flush()
            row_id = row.id
        return jsonify({"id": row_id}), 201

    return app


app = build()
