"""PDF letters on a normal install (scripts/setup.sh: WeasyPrint, Pango, a CJK font): the demo
case's PDF links answer application/pdf with the CJK font embedded; and where WeasyPrint cannot
be loaded the links answer a clear 503 page, not a 500. Not an e2e test: it runs in the fast
suites."""
from __future__ import annotations

import builtins
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from disclosure.demo import DEMO_USERS, load_demo
from disclosure.extensions import db
from disclosure.models import Case, Notice
from disclosure.services import query_codes
from disclosure.services.actors import Actor
from disclosure.services.unit_of_work import unit_of_work
from tests.conftest import login
from tests.services.test_report import register, release

TODAY = "2026-03-02"
PASSWORDS = {u[0]: u[3] for u in DEMO_USERS}
CJK_FONT = re.compile(r"CJK|WenQuanYi|WQY|ZenHei|MicroHei", re.I)


def _weasyprint_error() -> str | None:
    try:
        import weasyprint  # noqa: F401
    except ImportError as exc:  # a project dependency (pyproject.toml): never skipped for this
        raise AssertionError("weasyprint is not installed: run scripts/setup.sh") from exc
    except OSError as exc:  # installed, but the system's Pango cannot be loaded
        return f"WeasyPrint cannot load its system libraries ({exc}): run scripts/setup.sh"
    return None


@pytest.fixture
def app(make_app):
    return make_app(FIXED_TODAY=TODAY)


@pytest.fixture
def demo(ctx):
    load_demo(date.fromisoformat(TODAY))
    return ctx


def _client(app, username: str = "handler"):
    client = app.test_client()
    assert login(client, username, PASSWORDS[username]).status_code == 302
    return client


def _demo_links() -> list[str]:
    """A 回执, a released notice and a released reply letter of the demo agency's cases (the
    demo county's other agencies have cases too: issue 17)."""
    ours = Case.agency.has(code="BCZ")
    first = db.session.execute(select(Case).where(Case.received_on.is_not(None), ours)
                               .order_by(Case.id)).scalars().first()
    notice = db.session.execute(select(Notice).join(Case, Case.id == Notice.case_id).where(
        Notice.released_on.is_not(None), ours).order_by(Notice.id)).scalars().first()
    replied = db.session.execute(select(Case).where(Case.outcome == "disclosed", ours)
                                 .order_by(Case.id)).scalars().first()
    return [f"/staff/cases/{first.id}/receipt.pdf",
            f"/staff/cases/{notice.case_id}/notices/{notice.id}.pdf",
            f"/staff/cases/{replied.id}/reply.pdf"]


def _fonts(reader) -> dict[str, bool]:
    """Every font of every page: its name → whether its glyphs are embedded in the file."""
    out = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            for f in [d.get_object() for d in descendants] if descendants else [font]:
                desc = f.get("/FontDescriptor")
                desc = desc.get_object() if desc else {}
                out[str(f["/BaseFont"])] = any(k in desc for k in
                                               ("/FontFile", "/FontFile2", "/FontFile3"))
    return out


def test_demo_case_pdf_links_embed_a_cjk_font(app, demo):
    reason = _weasyprint_error()
    if reason:
        pytest.skip(reason)
    import pypdf  # the test extra (pyproject.toml)
    client = _client(app)
    for url in _demo_links():
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)
        assert resp.mimetype == "application/pdf" and resp.data.startswith(b"%PDF-"), url
        reader = pypdf.PdfReader(io.BytesIO(resp.data))
        fonts = _fonts(reader)
        cjk = [name for name, embedded in fonts.items() if CJK_FONT.search(name) and embedded]
        assert cjk, f"{url}: no embedded CJK font among {sorted(fonts)}"
        assert all(fonts.values()), f"{url}: fonts not embedded: {fonts}"
        text = re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in reader.pages))
        assert "包场镇人民政府" in text and "\ufffd" not in text, url


@pytest.fixture
def no_weasyprint(monkeypatch):
    """This server as if WeasyPrint's Pango libraries were missing."""
    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)


@pytest.fixture
def replied(agency, staff):
    """A case with its reply released (the applicant may download it), made by the services."""
    who = {k: Actor.of(u) for k, u in staff.items()}
    case = release(register(agency, who, date(2026, 2, 2)), "disclosed", date(2026, 2, 16), who)
    with unit_of_work():  # the applicant's query code, known to the test
        case.query_code_hash = query_codes.hash_code(case.tracking_no, "Test-code-2026")
    return case


def test_without_weasyprint_the_pdf_link_answers_503_in_chinese(app, replied, no_weasyprint):
    client = app.test_client()
    assert login(client, "handler").status_code == 302
    for url in (f"/staff/cases/{replied.id}/receipt.pdf", f"/staff/cases/{replied.id}/reply.pdf"):
        resp = client.get(url)
        assert resp.status_code == 503, (url, resp.status_code)
        assert resp.mimetype == "text/html"
        html = resp.get_data(as_text=True)
        assert "PDF 生成组件未安装" in html and "scripts/setup.sh" in html


def test_applicant_letter_without_weasyprint_is_a_503_too(app, replied, no_weasyprint):
    resp = app.test_client().post("/status/letter.pdf", data={
        "tracking_no": replied.tracking_no, "query_code": "Test-code-2026", "letter": "reply"})
    assert resp.status_code == 503
    html = resp.get_data(as_text=True)
    assert "PDF 生成组件未安装" in html and "scripts/setup.sh" not in html
