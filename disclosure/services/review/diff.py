"""What changed between two versions of a release item — shown to the reviewer beside the
current version (issue 15). Plain data: the template renders it (escaped), nothing here is HTML.

Text is compared line by line (difflib), and a changed line character by character; a file is
compared by name, size and SHA-256 of its bytes; the other package fields (R6.1: reply type,
outcome, legal basis, documents sent with a letter…) by value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

# Types shown inline in the browser (never HTML, SVG or anything that can run script in our
# origin): the preview route serves only these, everything else is a download.
PREVIEW_TYPES = {"application/pdf": "pdf", "image/png": "image", "image/jpeg": "image"}
PREVIEW_EXTENSIONS = {"pdf": (".pdf",), "image": (".png", ".jpg")}

CONTEXT = 3            # unchanged lines kept around a change; longer runs are folded
CHAR_DIFF_LIMIT = 2000  # longer lines are marked changed as a whole (difflib is quadratic)


def preview_kind(content_type: str | None, stored_name: str | None) -> str | None:
    """'pdf' / 'image' when a stored file may be shown inline, else None. The type was sniffed
    from the content at upload; the stored name's extension must agree with it."""
    kind = PREVIEW_TYPES.get(content_type or "")
    if kind is None or not stored_name or not stored_name.endswith(PREVIEW_EXTENSIONS[kind]):
        return None
    return kind


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool = False


@dataclass(frozen=True)
class DiffRow:
    """One row of the side-by-side table. ``kind``: equal / changed / deleted / inserted, or
    ``folded`` (``folded`` unchanged lines not shown)."""
    kind: str
    old_no: int | None = None
    old: tuple[Segment, ...] = ()
    new_no: int | None = None
    new: tuple[Segment, ...] = ()
    folded: int = 0


def _segments(a: str, b: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """Character-level marks for a changed line (previous, current)."""
    if len(a) > CHAR_DIFF_LIMIT or len(b) > CHAR_DIFF_LIMIT:
        return ((Segment(a, True),) if a else ()), ((Segment(b, True),) if b else ())
    old, new = [], []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            old.append(Segment(a[i1:i2], tag != "equal"))
        if j2 > j1:
            new.append(Segment(b[j1:j2], tag != "equal"))
    return tuple(old), tuple(new)


def _fold(rows: list[DiffRow]) -> list[DiffRow]:
    """Keep CONTEXT unchanged lines around each change; fold longer unchanged runs."""
    out: list[DiffRow] = []
    i = 0
    while i < len(rows):
        if rows[i].kind != "equal":
            out.append(rows[i])
            i += 1
            continue
        j = i
        while j < len(rows) and rows[j].kind == "equal":
            j += 1
        head = CONTEXT if i > 0 else 0           # context after a change
        tail = CONTEXT if j < len(rows) else 0   # context before a change
        if j - i > head + tail + 1:
            out += rows[i:i + head]
            out.append(DiffRow("folded", folded=j - i - head - tail))
            out += rows[j - tail:j]
        else:
            out += rows[i:j]
        i = j
    return out


def text_rows(previous: str | None, current: str | None) -> list[DiffRow]:
    """The side-by-side rows of two texts: changed lines paired and marked per character,
    removed / added lines on their own, long unchanged runs folded. Equal texts → []."""
    a, b = (previous or "").splitlines(), (current or "").splitlines()
    if a == b:
        return []
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [DiffRow("equal", i + 1, (Segment(a[i]),), j + 1, (Segment(b[j]),))
                     for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
            continue
        n = max(i2 - i1, j2 - j1)
        for k in range(n):
            i, j = i1 + k, j1 + k
            if i < i2 and j < j2:
                old, new = _segments(a[i], b[j])
                rows.append(DiffRow("changed", i + 1, old, j + 1, new))
            elif i < i2:
                rows.append(DiffRow("deleted", i + 1, (Segment(a[i], True),)))
            else:
                rows.append(DiffRow("inserted", new_no=j + 1, new=(Segment(b[j], True),)))
    return _fold(rows)


@dataclass(frozen=True)
class FileSide:
    name: str | None
    size: int | None
    sha256: str | None
    preview: str | None  # preview_kind


@dataclass(frozen=True)
class Comparison:
    """A version against the one before it."""
    previous_number: int
    current_number: int
    has_text: bool
    text_rows: list[DiffRow] = field(default_factory=list)
    text_changed: bool = False
    fields_changed: tuple[str, ...] = ()  # package fields other than text and file
    files: tuple[FileSide, FileSide] | None = None
    file_changed: bool = False


def _file_side(version) -> FileSide:
    return FileSide(version.filename, version.size, version.content_sha256,
                    preview_kind(version.content_type, version.stored_name))


def compare(previous, current) -> Comparison:
    """``current`` (an ItemVersion) against ``previous`` (the version before it)."""
    has_text = previous.text is not None or current.text is not None
    rows = text_rows(previous.text, current.text) if has_text else []
    old_meta, new_meta = previous.meta or {}, current.meta or {}
    changed = tuple(sorted(k for k in set(old_meta) | set(new_meta)
                           if old_meta.get(k) != new_meta.get(k)))
    files = None
    file_changed = False
    if previous.stored_name or current.stored_name:
        files = (_file_side(previous), _file_side(current))
        file_changed = (previous.content_sha256, previous.filename) != \
            (current.content_sha256, current.filename)
    return Comparison(previous.number, current.number, has_text, rows,
                      (previous.text or "") != (current.text or ""), changed, files,
                      file_changed)
