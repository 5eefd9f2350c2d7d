"""Maintain the translation catalogues (run as ``python scripts/i18n.py …``).

Source language is Chinese: msgids are the Chinese texts found by extraction (babel.cfg).
``zh_CN`` gets msgstr = msgid (so the Chinese is complete by construction and can be
reworded without touching code); ``en`` is translated by people. ``check`` is what the test
suite runs: a text found in the code but missing or empty in either catalogue fails.
"""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_DIR = ROOT / "disclosure" / "translations"
LOCALES = ("zh_CN", "en")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "_l": None,
            "lazy_gettext": None, "Msg": None}
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Chinese text in a catalogue: ideographs or CJK/full-width punctuation ("{a}、{b}" is Chinese;
# an English msgstr with "：" is not English).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff01-\uff5e]")
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|\{[a-z_0-9]+\}")


def po_path(locale: str) -> Path:
    return CATALOGUE_DIR / locale / "LC_MESSAGES" / "messages.po"


def extract() -> Catalog:
    """Every translatable text in the project, with where it occurs."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    catalog = Catalog(project="disclosure", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True):
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def load(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, project="disclosure", charset="utf-8")
    with open(path, "rb") as fh:
        return read_po(fh, locale=locale)


def save(catalog: Catalog, locale: str) -> None:
    path = po_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, omit_header=False, sort_output=True, ignore_obsolete=True)
    path.write_bytes(buf.getvalue())


def _msgid(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def _supplied(imports) -> dict[str, str]:
    """Translator files: JSON objects {"中文": "English"}, later files win."""
    supplied: dict[str, str] = {}
    for path in imports:
        supplied.update(json.loads(Path(path).read_text(encoding="utf-8")))
    return supplied


def update(imports: list[Path] = ()) -> dict[str, int]:
    """Bring both catalogues in line with the code; fill English from translator JSON files."""
    supplied = _supplied(imports)
    counts = {}
    for locale in LOCALES:
        catalog = load(locale)
        # A fresh extraction per locale: Catalog.update adopts the template's Message objects,
        # so sharing one template would leak zh_CN's msgstr into en.
        catalog.update(extract(), no_fuzzy_matching=True)
        catalog.obsolete.clear()
        for message in catalog:
            if not message.id:
                continue
            msgid = _msgid(message)
            if locale == "zh_CN" and CJK.search(msgid) and not message.string:
                message.string = msgid
            if locale == "en" and msgid in supplied and supplied[msgid]:
                message.string = supplied[msgid]
                message.flags.discard("fuzzy")
        save(catalog, locale)
        counts[locale] = sum(1 for m in catalog if m.id)
    return counts


def compile_all() -> None:
    for locale in LOCALES:
        catalog = load(locale)
        with open(po_path(locale).with_suffix(".mo"), "wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)


def problems() -> list[str]:
    """What is wrong with the catalogues, one line each (empty when all is well)."""
    found = {_msgid(m) for m in extract() if m.id}
    out: list[str] = []
    for locale in LOCALES:
        catalog = load(locale)
        have = {_msgid(m): m for m in catalog if m.id}
        for msgid in sorted(found - have.keys()):
            out.append(f"{locale}: not in the catalogue (run scripts/i18n.py update): {msgid!r}")
        for msgid, message in sorted(have.items()):
            text = (message.string if isinstance(message.string, str)
                    else (message.string or ("",))[0])
            where = f"{locale}: {msgid!r}"
            if msgid not in found:
                out.append(f"{where}: no longer in the code (run scripts/i18n.py update)")
            if not text:
                out.append(f"{where}: untranslated")
                continue
            if message.fuzzy:
                out.append(f"{where}: marked fuzzy")
            if locale == "en" and CJK.search(text):
                out.append(f"{where}: English text contains Chinese characters: {text!r}")
            if locale == "zh_CN" and not CJK.search(text):
                out.append(f"{where}: Chinese text has no Chinese characters: {text!r}")
            if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text)):
                out.append(f"{where}: placeholders differ in {text!r}")
        mo = po_path(locale).with_suffix(".mo")
        if not mo.exists():
            out.append(f"{locale}: {mo.name} missing (run scripts/i18n.py compile)")
        else:
            with open(mo, "rb") as fh:
                compiled = {_msgid(m): m.string for m in read_mo(fh) if m.id}
            stale = {k for k, m in have.items()
                     if m.string and not m.fuzzy and compiled.get(k) != m.string}
            if stale:
                out.append(f"{locale}: {mo.name} is older than messages.po "
                           "(run scripts/i18n.py compile)")
    return out


def untranslated(paths: list[str], imports: list[Path] = ()) -> list[str]:
    """Texts under ``paths`` with no English yet (neither in en/messages.po nor in ``imports``)."""
    supplied = _supplied(imports)
    english = {_msgid(m): m.string for m in load("en") if m.id}
    prefixes = tuple(str(Path(p)) for p in paths)
    out = []
    for message in extract():
        if not message.id:
            continue
        if prefixes and not any(loc[0].startswith(prefixes) for loc in message.locations):
            continue
        msgid = _msgid(message)
        if not (english.get(msgid) or supplied.get(msgid)):
            out.append(msgid)
    return out
