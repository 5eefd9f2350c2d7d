"""Issue 8, bilingual polish: no text shown by a template or a web view is left out of the
catalogues, and both catalogues (zh_CN, en) are complete. Pure: no app, no database."""
from __future__ import annotations

import ast

import i18n_tools
import pytest
from i18n_tools import HAN, ROOT
from jinja2 import Environment
from jinja2.ext import i18n, loopcontrols

TEMPLATES = ROOT / "templates"
# Official documents are Chinese by law and rendered with i18n.render_official (babel.cfg ignores
# them); the annual report's State Council body is marked lang="zh-CN" in its page.
OFFICIAL_TEMPLATES = {"pdf/letter.html", "staff/reports/_body.html", "staff/reports/_grid.html"}
OFFICIAL_DIRS = ("notices/", "replies/")
GETTEXT_NAMES = {"_", "gettext", "ngettext"}
PY_GETTEXT_NAMES = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "N_", "Msg"}
# Machine-facing: the JSON API answers in Chinese field errors (its documented contract).
PY_EXEMPT = {"api.py", "openapi.py"}


def _ui_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        rel = path.relative_to(TEMPLATES).as_posix()
        if rel not in OFFICIAL_TEMPLATES and not rel.startswith(OFFICIAL_DIRS):
            yield rel, path


def bare_chinese_in_template(source: str) -> list[tuple[int, str]]:
    """(line, text) of every Chinese text a template shows without passing it through _()."""
    env = Environment(extensions=[i18n, loopcontrols])
    tokens = list(env.lex(source))
    found = []
    for i, (lineno, kind, value) in enumerate(tokens):
        if not HAN.search(str(value)):
            continue
        if kind == "data":
            found.append((lineno, value.strip()))
        elif kind == "string":
            # Must be the first argument of a gettext call: NAME '(' STRING
            prev = [t for t in tokens[max(0, i - 3):i] if t[1] != "whitespace"]
            if len(prev) < 2 or prev[-1][2] != "(" or prev[-2][2] not in GETTEXT_NAMES:
                found.append((lineno, value))
        elif kind == "comment":
            continue
    return found


@pytest.mark.parametrize("rel,path", list(_ui_templates()),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_template_texts_are_translatable(rel, path):
    bare = bare_chinese_in_template(path.read_text(encoding="utf-8"))
    assert not bare, f"{rel}: Chinese text outside _(): {bare[:5]}"


def test_scanner_catches_bare_text_and_accepts_gettext():
    assert bare_chinese_in_template("<p>案件</p>") == [(1, "<p>案件</p>")]
    assert bare_chinese_in_template("{{ x or '待确认' }}") == [(1, "'待确认'")]
    assert bare_chinese_in_template("<p>{{ _('案件') }}</p>{{ _('共 %(n)s 件', n=3) }}") == []
    assert bare_chinese_in_template("{# 注释 #}<p>ok</p>") == []


def _bare_chinese_in_python(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = (node.func.id if isinstance(node.func, ast.Name)
                    else getattr(node.func, "attr", ""))
            if name in PY_GETTEXT_NAMES and node.args:
                allowed.add(id(node.args[0]))
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                allowed.add(id(body[0].value))  # docstring
    lines = source.splitlines()
    # "# i18n: locale format" marks a locale's own notation (2026年11月29日), not a text.
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and HAN.search(n.value)
            and id(n) not in allowed and "# i18n: locale format" not in lines[n.lineno - 1]]


@pytest.mark.parametrize("path", sorted((ROOT / "disclosure" / "web").glob("*.py")),
                         ids=lambda p: p.name)
def test_web_layer_texts_are_translatable(path):
    if path.name in PY_EXEMPT:
        pytest.skip("JSON API: Chinese messages are its contract")
    bare = _bare_chinese_in_python(path.read_text(encoding="utf-8"))
    assert not bare, f"{path.name}: Chinese text outside _()/_l(): {bare[:5]}"


def test_catalogues_are_complete():
    problems = i18n_tools.problems()
    assert not problems, "\n".join(problems[:40]) + f"\n… {len(problems)} problems in all"


def test_check_reports_an_untranslated_text(tmp_path, monkeypatch):
    """The completeness check is not vacuous: an English entry emptied is reported."""
    import shutil
    for locale in i18n_tools.LOCALES:
        src = i18n_tools.po_path(locale)
        dst = tmp_path / locale / "LC_MESSAGES" / "messages.po"
        dst.parent.mkdir(parents=True)
        shutil.copy(src, dst)
        shutil.copy(src.with_suffix(".mo"), dst.with_suffix(".mo"))
    monkeypatch.setattr(i18n_tools, "CATALOGUE_DIR", tmp_path)
    catalog = i18n_tools.load("en")
    victim = next(m for m in catalog if m.id)
    victim.string = ""
    i18n_tools.save(catalog, "en")
    problems = i18n_tools.problems()
    assert any("untranslated" in p and repr(victim.id) in p for p in problems)
