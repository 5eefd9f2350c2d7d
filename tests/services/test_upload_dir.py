"""Issue 18: the upload folder is a setting (DISCLOSURE_UPLOAD_DIR), so several web hosts can
share one folder; without it, instance/uploads."""
import os

from disclosure.services import uploads

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_files_go_to_the_configured_folder(make_app, tmp_path):
    shared = tmp_path / "shared-uploads"
    app = make_app(UPLOAD_DIR=str(shared))
    with app.app_context():
        stored = uploads.store(uploads.Upload("scan.png", PNG))
        assert uploads.path_of(stored.stored_name) == str(shared / stored.stored_name)
        assert (shared / stored.stored_name).read_bytes() == PNG
        # nothing half-written is left behind, and nothing went to instance/uploads
        assert sorted(os.listdir(shared)) == [stored.stored_name]
        assert not os.path.exists(os.path.join(app.instance_path, "uploads", stored.stored_name))


def test_default_folder_is_instance_uploads(make_app):
    app = make_app()
    with app.app_context():
        stored = uploads.store(uploads.Upload("scan.png", PNG))
        assert uploads.path_of(stored.stored_name) == os.path.join(
            app.instance_path, "uploads", stored.stored_name)


def test_environment_variable_sets_the_folder(tmp_path, monkeypatch):
    from flask import Flask

    from disclosure import config
    monkeypatch.setenv("DISCLOSURE_UPLOAD_DIR", str(tmp_path / "nfs"))
    flask_app = Flask("disclosure", instance_path=str(tmp_path / "instance"))
    config.load(flask_app, None)
    assert flask_app.config["UPLOAD_DIR"] == str(tmp_path / "nfs")
