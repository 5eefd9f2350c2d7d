"""Consistent backups while the app runs, and restore (refusing to overwrite data by accident).

SQLite: the online backup API copies a consistent snapshot even while the web app and the
scheduler write. PostgreSQL: pg_dump/pg_restore (custom format), which are consistent by
themselves; if the client tools are missing, the error says exactly which command to run.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess

from sqlalchemy import func, inspect, select, text

from ..domain.text import N_, Msg
from ..extensions import db
from ..models import Case, Event
from .unit_of_work import end_read


class BackupError(Exception):
    pass


def _sqlite_path() -> str:
    return db.engine.url.database


def _pg_url() -> str:
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        args = "-Fc -f PATH" if name == "pg_dump" else "--clean --if-exists -d URL PATH"
        raise BackupError(Msg("找不到 {name}：请安装 PostgreSQL 客户端"
                              "（apt-get install postgresql-client），"
                              "或手动执行：{name} {args} \"$DATABASE_URL\"", name=name, args=args))
    return path


def backup(path: str) -> str:
    """Write a consistent copy of the database to ``path``; returns a one-line summary."""
    end_read()  # end our own snapshot; other writers may go on meanwhile
    if db.engine.dialect.name == "sqlite":
        src = sqlite3.connect(_sqlite_path())
        dst = sqlite3.connect(path)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
    else:
        schema = db.session.execute(text("SELECT current_schema()")).scalar_one()
        end_read()
        subprocess.run([_tool("pg_dump"), "-Fc", "--no-owner", f"--schema={schema}", "-f", path,
                        _pg_url()], check=True)
    return Msg("已备份到 {path}（{size} 字节）", path=path, size=os.path.getsize(path))


def is_empty() -> bool:
    if not inspect(db.engine).has_table("case_file"):
        return True
    counts = db.session.execute(select(func.count(Case.id))).scalar_one() + \
        db.session.execute(select(func.count(Event.id))).scalar_one()
    return counts == 0


def restore(path: str, force: bool = False) -> str:
    """Replace the database with the backup at ``path`` (refuses a non-empty one unless force)."""
    if not os.path.exists(path):
        raise BackupError(Msg("备份文件不存在：{path}", path=path))
    if not force and not is_empty():
        raise BackupError(N_("当前数据库中已有数据；确认要覆盖请加 --force"))
    end_read()
    if db.engine.dialect.name == "sqlite":
        src = sqlite3.connect(path)
        db.engine.dispose()
        dst = sqlite3.connect(_sqlite_path())
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
    else:
        db.engine.dispose()
        subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                        "-d", _pg_url(), path], check=True)
    return Msg("已从 {path} 恢复", path=path)
