"""HTTP glue only: parse → one service call → redirect / render / JSON."""
from __future__ import annotations


def register_blueprints(app) -> None:
    # drafting and integrity add their routes to review.bp, case_list to staff.bp: imported
    # before the blueprint is registered
    from . import (
        account,
        admin,
        admin_ledger,
        api,
        auth,
        case_list,
        catalogue,
        drafting,
        due_changes,
        forwarding,
        integrity,
        letters,
        proactive,
        public,
        report_publish,
        reports,
        review,
        staff,
        supervision,
    )
    from .template_context import register_context

    assert drafting.bp is integrity.bp is review.bp
    assert case_list.bp is forwarding.bp is staff.bp and proactive.bp is catalogue.bp
    assert report_publish.bp is reports.bp
    for bp in (public.bp, auth.bp, staff.bp, admin.bp, admin_ledger.bp, reports.bp, review.bp,
               catalogue.bp, letters.bp, letters.public_bp, api.bp, due_changes.bp,
               supervision.bp, account.bp):
        app.register_blueprint(bp)
    register_context(app)
