"""Files leave only as downloads: attachment disposition, declared type, nosniff (never
rendered inline, so an uploaded HTML or script can't run in our origin)."""
from __future__ import annotations

from flask import send_file

from ..services import uploads


def send_download(doc: dict):
    resp = send_file(uploads.path_of(doc["stored_name"]), mimetype=doc["content_type"],
                     as_attachment=True, download_name=doc["name"])
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
