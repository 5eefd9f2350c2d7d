"""The repository stands alone: a clone needs nothing outside it to be understood.

README.md and docs/*.md may only point at files of the repository — no ``../``, no folder of
some workspace around it (``shared/``, ``spec/``, ``DESIGN.md``), no file that was moved or
removed. The package's own texts (docstrings, comments) must not send the reader to those
outside folders either: the rules are in docs/rules.md, the codes in docs/codes.md, and so on.

Checked in the documents:
- Markdown links ``[text](target)`` (relative targets; URLs and ``#anchors`` are skipped);
- paths in inline code, and paths of the repository's own folders anywhere (prose, code
  blocks): ``docs/x.md``, ``scripts/x.sh``, ``disclosure/…/x.py``, also written
  relative to the package (``services/access.py``), with a ``{a,b}`` choice or a ``<name>``
  placeholder (then at least one file must match); bare file names (``pyproject.toml``) must
  exist somewhere in the repository;
- dotted module names in inline code (``disclosure.services.calendar.is_workday``,
  ``services.cases.refresh_derived``): the module (or package) must exist;
- anywhere in the text: ``../``, ``shared/``, ``spec/``, ``DESIGN``.
Paths created at run time (``instance/…``, ``.venv/…``, e2e screenshots) are not required.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "disclosure"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Folders never searched for bare file names (tools, caches, dependencies).
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache",
             "disclosure.egg-info"}
# Made when the app or the tools run; documented, but not part of a clone.
GENERATED = ("instance/", ".venv/", "tests/e2e/screenshots/")
EXTENSIONS = ("md", "py", "sh", "txt", "toml", "cfg", "ini", "html", "json", "jsonl", "po",
              "mo", "css", "js", "yml", "yaml", "lock", "sqlite", "xlsx", "csv")
# Bare file names of these kinds must exist somewhere in the repository (``pyproject.toml``);
# others (``x.html`` in "a file named x.html") are examples, not references.
BARE_EXTENSIONS = ("md", "py", "sh", "toml", "cfg", "ini")
# A slashed token is a path of ours when its first folder exists (from the root, the document's
# folder or the package) or is one of these; "application/json" or "30/minute" are not.
KNOWN_TOP = ("disclosure", "docs", "scripts", "bench", "tests", "templates", "migrations",
             "domain", "services", "web", "cli", "scheduler", "models", "static", "translations")
DOTTED_ROOTS = ("disclosure", "domain", "services", "web", "cli", "scheduler", "models")

FORBIDDEN_TEXT = re.compile(r"(?<![\w.-])(?:\.\./|shared/|spec/)|\bDESIGN\b")
PY_FORBIDDEN = re.compile(r"spec/|\bDESIGN\b")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
PATH_TOKEN = re.compile(r"^[\w.\-/{},<>*]+$")
DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$")
# Paths of the repository written as plain text or in code blocks ("run bench/run.py").
PLAIN_PATH = re.compile(r"(?<![\w/.@~$-])"
                        r"(?:disclosure|docs|scripts|bench|tests|templates|migrations)"
                        r"/[\w./{},<>*-]*[\w/}>*]")


def _files_named(name: str) -> bool:
    for path in ROOT.rglob(name):
        if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            return True
    return False


def _expand(token: str) -> list[str]:
    """``a/{x,y}/b`` → ``a/x/b``, ``a/y/b`` (one level, repeated)."""
    m = re.search(r"\{([^{}]*)\}", token)
    if not m:
        return [token]
    return [e for choice in m.group(1).split(",")
            for e in _expand(token[:m.start()] + choice + token[m.end():])]


def _exists(rel: str, doc: Path) -> bool:
    rel = re.sub(r"<[^>]*>", "*", rel)
    for candidate in _expand(rel):
        for base in (ROOT, doc.parent, PACKAGE):
            if any(ch in candidate for ch in "*?["):
                if any(base.glob(candidate.rstrip("/"))):
                    return True
            elif (base / candidate).exists():
                return True
    return False


def _module_exists(dotted: str) -> bool:
    """``services.cases.refresh_derived``: packages down to a module; what follows the module
    is an attribute. A name after a package must be a module, a sub-package, or appear in
    the package's ``__init__.py``."""
    parts = dotted.split(".")
    if parts[0] == "disclosure":
        parts = parts[1:]
    here = PACKAGE
    for i, part in enumerate(parts):
        if (here / part / "__init__.py").exists():
            here = here / part
            continue
        if (here / f"{part}.py").exists():
            return True
        if i == 0:
            return False
        init = (here / "__init__.py").read_text(encoding="utf-8")
        return re.search(rf"\b{re.escape(part)}\b", init) is not None
    return True


def _strip(token: str) -> str:
    return token.strip("()[]\"'“”‘’,;:。，；：、").rstrip(".")


def _path_problem(token: str, doc: Path) -> str | None:
    """Why an inline-code token that looks like a path is wrong, or None."""
    token = _strip(token)
    if not token or token.startswith(("/", "-", "~", "$")) or "://" in token:
        return None
    if not PATH_TOKEN.match(token):
        return None
    if "../" in token or token.startswith(("shared/", "spec/")) or "DESIGN" in token:
        return "points outside the repository"
    if token.startswith(GENERATED):
        return None
    slashed = "/" in token
    ext = token.rsplit(".", 1)[1] if "." in token.rsplit("/", 1)[-1] else ""
    if not slashed:
        if ext in BARE_EXTENSIONS and not re.search(r"[{}<>*]", token):
            return None if _files_named(token) else "no such file in the repository"
        return None
    first = token.split("/", 1)[0]
    if not any((base / first).is_dir() for base in (ROOT, doc.parent, PACKAGE)) \
            and first not in KNOWN_TOP:
        return None  # "application/json", "30/minute", "LIMIT/OFFSET": not a path of ours
    if _exists(token, doc) or _exists(token.rstrip("/"), doc):
        return None
    # ``domain/deadlines``: a module named by its path without ``.py``
    if ext == "" and not token.endswith("/") and _exists(token + ".py", doc):
        return None
    # ``domain/calendar_notice.parse_days``: a module path followed by an attribute
    head, _, last = token.rpartition("/")
    if "." in last and ext not in EXTENSIONS:
        module = last.split(".", 1)[0]
        if _exists(f"{head}/{module}.py", doc) or _exists(f"{head}/{module}/__init__.py", doc):
            return None
    if ext in EXTENSIONS or token.endswith("/") or ext == "":
        return "no such file or folder in the repository"
    return None


def _dotted_problem(token: str) -> str | None:
    token = re.sub(r"\(.*$|\[.*$", "", _strip(token))
    if not DOTTED.match(token) or token.split(".")[0] not in DOTTED_ROOTS:
        return None
    if token.rsplit(".", 1)[1] in EXTENSIONS:
        return None  # a file name, handled as a path
    return None if _module_exists(token) else "no such module in the package"


def _problems(doc: Path) -> list[str]:
    text = doc.read_text(encoding="utf-8")
    name = doc.relative_to(ROOT).as_posix()
    problems = []
    for n, line in enumerate(text.splitlines(), 1):
        for m in FORBIDDEN_TEXT.finditer(line):
            problems.append(f"{name}:{n}: refers outside the repository ({m.group(0)!r}): "
                            f"{line.strip()[:120]}")
    for m in LINK.finditer(text):
        target = m.group(1)
        n = text.count("\n", 0, m.start()) + 1
        if re.match(r"^[a-zA-Z][\w+.-]*:", target) or target.startswith("#"):
            continue
        path = target.split("#", 1)[0].split("?", 1)[0]
        resolved = (doc.parent / path).resolve()
        if not resolved.is_relative_to(ROOT):
            problems.append(f"{name}:{n}: link outside the repository: {target}")
        elif not resolved.exists():
            problems.append(f"{name}:{n}: link to a missing file: {target}")
    unlinked = LINK.sub(lambda k: "\n" * k.group(0).count("\n"), text)  # links: checked above
    for m in PLAIN_PATH.finditer(unlinked):
        n = unlinked.count("\n", 0, m.start()) + 1
        why = _path_problem(m.group(0), doc)
        if why:
            problems.append(f"{name}:{n}: {m.group(0)}: {why}")
    prose = FENCE.sub(lambda f: "\n" * f.group(0).count("\n"), text)
    for m in CODE_SPAN.finditer(prose):
        n = prose.count("\n", 0, m.start()) + 1
        for token in m.group(1).split():
            why = _path_problem(token, doc) or _dotted_problem(token)
            if why:
                problems.append(f"{name}:{n}: `{_strip(token)}`: {why}")
    return list(dict.fromkeys(problems))


def test_the_documents_exist():
    assert (ROOT / "README.md").exists()
    for doc in ("rules.md", "codes.md", "api.md"):
        assert (ROOT / "docs" / doc).exists(), doc


def test_readme_and_docs_refer_only_to_files_of_the_repository():
    problems = [p for doc in DOCUMENTS for p in _problems(doc)]
    assert not problems, "\n" + "\n".join(problems)


def test_readme_lists_every_document():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((docs/[\w.-]+\.md)\)", readme))
    missing = sorted(d.relative_to(ROOT).as_posix() for d in DOCUMENTS[1:]
                     if d.relative_to(ROOT).as_posix() not in linked)
    assert not missing, f"README's documentation list lacks: {missing}"


def test_the_package_does_not_send_readers_outside_the_repository():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PY_FORBIDDEN.search(line):
                offenders.append(f"{path.relative_to(ROOT).as_posix()}:{n}: {line.strip()[:100]}")
    assert not offenders, ("mentions of spec/ or DESIGN (point to docs/rules.md, docs/codes.md, "
                           "docs/api.md, docs/ledger.md, docs/report.md or docs/architecture.md "
                           "instead):\n" + "\n".join(offenders))


# -- the checker itself ----------------------------------------------------------------------------

def test_the_checker_catches_what_it_should(tmp_path):
    doc = ROOT / "docs" / "rules.md"
    assert _path_problem("docs/nothing-here.md", doc)
    assert _path_problem("disclosure/services/actions.py", doc)
    assert _path_problem("services/replies.py", doc)
    assert _path_problem("../shared/spec/rules.md", doc)
    assert _path_problem("spec/codes.md", doc)
    assert _path_problem("no-such-file.toml", doc)
    assert _path_problem("models/nothing.py", doc)
    assert _path_problem("domain/nothing", doc)
    assert _dotted_problem("services.replies.release_reply")
    assert _dotted_problem("disclosure.nothing.here")
    assert FORBIDDEN_TEXT.search("see ../seed/ and DESIGN 3")
    assert FORBIDDEN_TEXT.search("as in spec/ledger.md")


def test_the_checker_lets_real_paths_through():
    doc = ROOT / "docs" / "rules.md"
    for token in ("docs/rules.md", "disclosure/domain/codes.py", "services/access.py",
                  "domain/review.py", "scripts/setup.sh", "pyproject.toml", "bench/run.py",
                  "disclosure/translations/{zh_CN,en}/LC_MESSAGES/messages.po",
                  "templates/notices/<kind>.txt", "instance/config.py", "tests/hardening/",
                  "domain/calendar_notice.parse_days", "domain/deadlines",
                  "flask --app disclosure check",
                  "/api/v1/openapi.json", "a@example.cn", "disclosure:create_app()",
                  "application/json", "30/minute", "LIMIT/OFFSET", ">/dev/null", "x.html"):
        assert _path_problem(token, doc) is None, token
    for token in ("disclosure.services.calendar.is_workday", "services.cases.refresh_derived",
                  "domain.deadlines", "services.sweep.run(today)", "web.api",
                  "flask_limiter.util.get_remote_address", "codes.STATUS_LABELS[s]"):
        assert _dotted_problem(token) is None, token
    assert not FORBIDDEN_TEXT.search("on storage shared by every web host; respec the plan")
