"""Attachments: type decided by content (magic bytes), never by the file name; stored under the
instance folder with random names that end in the extension of the *sniffed* type; served only
as downloads (Content-Disposition: attachment) whose name also ends in that extension — a PDF
uploaded as ``x.html`` is kept and served as ``x.pdf`` (issue 12), so a saved download never
opens as a page."""
from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import zipfile
from dataclasses import dataclass

from .. import settings
from ..domain.text import N_, Msg

ALLOWED = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg",
           "ofd": "application/ofd"}
ALLOWED_LABEL = "PDF、JPG、PNG、OFD"
# Names a sniffed type may keep (anything else gets the type's own extension).
EXTENSIONS = {"pdf": {"pdf"}, "png": {"png"}, "jpg": {"jpg", "jpeg"}, "ofd": {"ofd"}}
# 32 random hex characters, then (since issue 12) the sniffed type's extension.
STORED_NAME = re.compile(r"[0-9a-f]{32}(\.(?:pdf|png|jpg|ofd))?")


@dataclass
class Upload:
    filename: str
    data: bytes


@dataclass
class StoredFile:
    filename: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def sniff(data: bytes) -> str | None:
    """The real type of ``data`` (one of ALLOWED) or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if any(n.upper() == "OFD.XML" for n in zf.namelist()):
                    return "ofd"
        except zipfile.BadZipFile:
            return None
    return None


def check(upload: Upload, max_bytes: int) -> str | None:
    """A Chinese error message, or None when the file is acceptable."""
    if len(upload.data) == 0:
        return N_("文件为空")
    if len(upload.data) > max_bytes:
        return Msg("文件过大：不能超过 {megabytes} MB", megabytes=max_bytes // (1024 * 1024))
    if sniff(upload.data) is None:
        return Msg("文件类型不支持或与内容不符，仅接受 {types} 文件", types=ALLOWED_LABEL)
    return None


def safe_filename(name: str) -> str:
    base = os.path.basename(name.replace("\\", "/")).strip() or "file"
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"/\\|?*')
    return base[:200] or "file"


def upload_dir() -> str:
    """``UPLOAD_DIR`` (shared storage when several machines serve the app), else
    ``instance/uploads``."""
    cfg = settings.current()
    path = cfg.get("UPLOAD_DIR") or os.path.join(cfg.instance_path, "uploads")
    os.makedirs(path, exist_ok=True)
    return path


def named_as(filename: str, kind: str) -> str:
    """``filename`` (made safe) ending in an extension of the sniffed ``kind``: the claimed
    extension is kept when it agrees with the content, replaced otherwise (x.html → x.pdf)."""
    name = safe_filename(filename)
    stem, dot, ext = name.rpartition(".")
    if dot and stem and ext.lower() in EXTENSIONS[kind]:
        return name
    base = stem if dot and stem else name
    return f"{base[:200 - len(kind) - 1]}.{kind}"


def store(upload: Upload) -> StoredFile:
    kind = sniff(upload.data)
    if kind is None:
        raise ValueError("store() needs a file that passed check()")
    stored_name = f"{secrets.token_hex(16)}.{kind}"
    folder = upload_dir()
    # Written under a temporary name and renamed: on a folder shared by several hosts (NFS,
    # docs/deployment.md) no reader ever sees a half-written file under its stored name.
    partial = os.path.join(folder, f".{stored_name}.part")
    with open(partial, "wb") as fh:
        fh.write(upload.data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(partial, os.path.join(folder, stored_name))
    return StoredFile(named_as(upload.filename, kind), stored_name, ALLOWED[kind],
                      len(upload.data), hashlib.sha256(upload.data).hexdigest())


def path_of(stored_name: str) -> str:
    if not isinstance(stored_name, str) or not STORED_NAME.fullmatch(stored_name):
        raise ValueError("bad stored name")
    return os.path.join(upload_dir(), stored_name)
