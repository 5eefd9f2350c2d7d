"""The Alembic migrations build exactly the schema the models describe (one head, no drift)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import text

from disclosure import search_ddl
from disclosure.extensions import db


def test_upgrade_to_head_matches_models_and_is_idempotent(make_app):
    app = make_app()
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        upgrade()  # init-db twice is harmless
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(
                conn, opts={"include_name": search_ddl.include_name}), db.metadata)
        assert diff == []
        with db.engine.connect() as conn:
            heads = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        assert len(heads) == 1


def test_upgrade_of_issue_12_keeps_history_and_passes_the_check(make_app):
    """A database with a released reply, a 签发, a sent notice and history from before issue 12
    upgrades to a chained, checkable one: old fingerprints kept (scheme 1), the 签发 a row,
    the notice still shown, every event linked and the releases recorded by a baseline event."""
    import hashlib
    from datetime import date

    from disclosure.domain import chain
    from disclosure.models import Event, ItemVersion, Notice, SignOff
    from disclosure.services import integrity

    app = make_app()
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(revision="0bc274f9308d")
        letter = "政府信息公开申请答复告知书（旧版本）"
        sha = hashlib.sha256(letter.encode()).hexdigest()
        t = "2024-10-10 02:00:00.000000"
        rows = [
            "INSERT INTO agency VALUES (1, 'BCZ', '包场镇人民政府', :t)",
            "INSERT INTO user_account (id, username, display_name, password_hash,"
            " agency_id, active,"
            " failed_logins, session_version, created_at) VALUES"
            " (1, 'h', 'h', 'x', 1, true, 0, 0, :t), (2, 'r', 'r', 'x', 1, true, 0, 0, :t)",
            "INSERT INTO case_file (id, agency_id, tracking_no, channel, status, applicant_type,"
            " applicant_name, subject, extension_workdays, concluded_by_sweep, due_provisional,"
            " created_at, received_on, outcome, concluded_on) VALUES (1, 1, 'BCZ-2024-000001',"
            " 'in_person', 'replied', 'natural_person', '张三', '某文件', 0, false, false, :t,"
            " '2024-09-27', 'disclosed', '2024-10-10')",
            "INSERT INTO release_item VALUES"
            " (1, 1, NULL, 'letter', '答复告知书', false, false, :t)",
            "INSERT INTO item_version (id, item_id, number, text, sha256, drafter_id, created_at)"
            " VALUES (1, 1, 1, :letter, :sha, 1, :t)",
            "INSERT INTO review VALUES (1, 1, :sha, 2, 1, 'approved', '', :t)",
            "INSERT INTO release (id, item_id, version_id, sha256, review_id, review_decision,"
            " released_by_id, released_on, released_at) VALUES (1, 1, 1, :sha, 1, 'approved', 1,"
            " '2024-10-10', :t)",
            "INSERT INTO case_reply (id, case_id, reply_type, outcome, letter_item_id,"
            " drafted_by_id, signed_off_by_id, signed_off_at, released_on) VALUES"
            " (1, 1, 'art36_2', 'disclosed', 1, 1, 2, :t, '2024-10-10')",
            "INSERT INTO notice (id, case_id, kind, title, body, issued_on, created_at) VALUES"
            " (1, 1, 'extension', '延期答复告知书', '旧的告知书', '2024-10-08', :t)",
            "INSERT INTO event (case_id, agency_id, actor_id, actor_label, action, after_status,"
            " on_date, occurred_at) VALUES (1, 1, NULL, '登记员', 'register', 'registered',"
            " '2024-09-27', :t), (1, 1, 1, 'h', 'release_reply', 'replied', '2024-10-10', :t)",
        ]
        with db.engine.begin() as conn:
            for sql in rows:
                conn.execute(text(sql), {"t": t, "letter": letter, "sha": sha})
        upgrade()
        db.session.remove()
        version = db.session.get(ItemVersion, 1)
        assert (version.sha256, version.fingerprint_scheme) == (sha, 1)
        assert db.session.query(SignOff).one().version_id == 1
        assert db.session.get(Notice, 1).released_on == date(2024, 10, 8)
        events = db.session.query(Event).order_by(Event.seq).all()
        assert [e.action for e in events] == ["register", "release_reply", "integrity_baseline"]
        breaks, head = chain.verify(events)
        assert breaks == [] and head == (3, events[-1].hash)
        assert integrity.run() == []
        # and the chain goes on from there
        from disclosure.services import audit
        from disclosure.services.actors import SYSTEM_ACTOR
        audit.record(SYSTEM_ACTOR, "calendar_rederived", agency_id=1)
        db.session.commit()
        assert integrity.check_chain()[0] == [] and integrity.chain_head()[0] == 4
