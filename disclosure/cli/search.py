"""`flask --app disclosure search reindex` (docs/search.md): rebuild the search index from the
published catalogue and the released replies — after a restore, an import, or the first deploy
of the search onto existing data."""
from __future__ import annotations

import click
from flask.cli import AppGroup

search_cli = AppGroup("search", help="全文检索（已公开的目录与已发出的答复）")


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild search_doc (and SQLite's FTS5 index) from the database."""
    from ..services import search
    counts = search.reindex_all()
    click.echo(f"已重建检索索引：主动公开目录 {counts['catalogue']} 条，"
               f"已答复申请 {counts['reply']} 件")
