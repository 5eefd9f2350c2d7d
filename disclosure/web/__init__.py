"""HTTP glue only: parse → one service call → redirect / render / JSON."""
from __future__ import annotations


def register_blueprints(app) -> None:
    from . import admin, admin_ledger, api, auth, catalogue, due_changes, letters, public, reports, review, staff
    from .template_context import register_context

    for bp in (public.bp, auth.bp, staff.bp, admin.bp, admin_ledger.bp, reports.bp, review.bp, catalogue.bp,
               letters.bp, letters.public_bp, api.bp, due_changes.bp):
        app.register_blueprint(bp)
    register_context(app)
