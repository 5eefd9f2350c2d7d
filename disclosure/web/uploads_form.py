"""Uploaded files read from the request, as services.uploads.Upload values (the services check
type and size themselves)."""
from __future__ import annotations

from flask import request

from ..services.uploads import Upload


def application_files(form) -> list[tuple[str, Upload]]:
    """The files of an application form (web or paper registration), each with its role:
    ("identity", the ID scan) and ("supporting", any further material)."""
    files = []
    if form.id_scan.data and getattr(form.id_scan.data, "filename", ""):
        files.append(("identity", Upload(form.id_scan.data.filename, form.id_scan.data.read())))
    for f in form.supporting.data or []:
        if getattr(f, "filename", ""):
            files.append(("supporting", Upload(f.filename, f.read())))
    return files


def uploaded(name: str) -> Upload | None:
    """The one file of field ``name``, or None when no file was chosen."""
    f = request.files.get(name)
    return Upload(f.filename, f.read()) if f and f.filename else None


def uploaded_files(*names: str, unnamed: str | None = None) -> list[Upload]:
    """Every file of the fields ``names``; one without a file name is named ``unnamed`` (or,
    without it, skipped)."""
    out = []
    for name in names:
        for f in request.files.getlist(name):
            filename = getattr(f, "filename", "") or unnamed
            if filename:
                out.append(Upload(filename, f.read()))
    return out
