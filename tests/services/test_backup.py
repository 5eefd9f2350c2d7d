"""Backups round-trip a database with cases, reviews and events; restore refuses to overwrite."""
import os
from datetime import date

import pytest
from sqlalchemy import func, select

from disclosure.extensions import db
from disclosure.models import Case, Event, Review
from disclosure.services import backup
from disclosure.services.actors import Actor
from disclosure.services.cases import register_paper
from disclosure.services.review import replies
from disclosure.services.review import seen as review_seen
from tests.conftest import PG_URL, person_payload


@pytest.mark.skipif(bool(PG_URL) and not backup.shutil.which("pg_dump"), reason="needs pg_dump")
def test_backup_and_restore_round_trip(ctx, agency, staff, tmp_path):
    who = {k: Actor.of(u) for k, u in staff.items()}
    case = register_paper(agency, person_payload(), "in_person", date(2024, 9, 27),
                          who["registrar"], date(2024, 9, 27)).case
    replies.draft_reply(case, "art36_4", None, who["handler"], date(2024, 10, 8))
    replies.submit_for_review(case, who["handler"], date(2024, 10, 8))
    replies.decide(case, replies.items_of(case)[0].id, "approved", None, who["reviewer"],
                   date(2024, 10, 9), **review_seen(replies.items_of(case)[0]))
    counts = lambda: tuple(db.session.execute(select(func.count(m.id))).scalar_one()  # noqa: E731
                           for m in (Case, Event, Review))
    before = counts()
    path = str(tmp_path / "backup.db")
    assert "已备份" in backup.backup(path) and os.path.getsize(path) > 0
    with pytest.raises(backup.BackupError):
        backup.restore(path)  # the database is not empty
    register_paper(agency, person_payload(subject="备份之后的申请"), "in_person", date(2024, 9, 30),
                   who["registrar"], date(2024, 9, 30))
    assert counts() != before
    backup.restore(path, force=True)
    db.session.remove()
    assert counts() == before


def test_restore_of_missing_file_is_a_clear_error(ctx, tmp_path):
    with pytest.raises(backup.BackupError) as exc:
        backup.restore(str(tmp_path / "nope.db"))
    assert "不存在" in str(exc.value)
