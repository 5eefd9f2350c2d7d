"""The layering of docs/architecture.md, kept true by a test: a rule broken here is a design
change to discuss, not a line to add."""
import ast
import pathlib
import re

PKG = pathlib.Path(__file__).resolve().parent.parent / "disclosure"


def modules(under=""):
    return sorted((PKG / under).rglob("*.py"))


def imported(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_views_make_no_database_calls():
    offenders = [str(p.relative_to(PKG)) for p in modules("web") if "db.session" in p.read_text()]
    assert offenders == []


def test_services_and_domain_do_not_import_flask():
    offenders = [str(p.relative_to(PKG)) for under in ("services", "domain")
                 for p in modules(under)
                 if any(m == "flask" or m.startswith(("flask.", "flask_")) for m in imported(p))]
    assert offenders == []


def test_only_the_unit_of_work_commits_or_rolls_back():
    pattern = re.compile(r"\.(commit|rollback)\(\)")
    offenders = [str(p.relative_to(PKG)) for p in modules() if pattern.search(p.read_text())]
    assert offenders == ["services/unit_of_work.py"]


def test_the_domain_has_no_database_session():
    offenders = [str(p.relative_to(PKG)) for p in modules("domain")
                 if "db.session" in p.read_text() or "extensions" in set(imported(p))]
    assert offenders == []


def test_no_module_over_400_lines():
    long = {str(p.relative_to(PKG)): n for p in modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}
