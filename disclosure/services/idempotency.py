"""The digest that binds an idempotency key to exactly one submission (services.cases): the
same key with another body must never return the first applicant's case (API 409)."""
from __future__ import annotations

import dataclasses
import hashlib
import json

from ..domain.application import Applicant, Application
from ..models import Agency, Case
from . import uploads


def submission_digest(agency_code: str, app: Application, attachments) -> str:
    """SHA-256 of a validated submission in canonical form: the normalised fields as sorted-key
    JSON (the key itself left out: it is what is being bound), the agency, and each attachment
    as (kind, SHA-256 of its bytes). ``attachments``: (kind, sha256) pairs, in any order."""
    fields = dataclasses.asdict(app)
    fields.pop("idempotency_key")
    if fields["applicant"].get("assistance") is None:
        # added later (条例第四十三条): only when given, so digests stored before stay valid
        fields["applicant"].pop("assistance", None)
    fields["agency"] = agency_code
    fields["attachments"] = sorted([kind, sha] for kind, sha in attachments)
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def upload_hashes(files: list[tuple[str, uploads.Upload]]) -> list[tuple[str, str]]:
    return [(kind, hashlib.sha256(up.data).hexdigest()) for kind, up in files]


def digest_of_case(agency: Agency, case: Case) -> str:
    """The digest of a stored online case, for one written before the digest was kept: its
    columns hold the validated fields exactly as submitted (online cases are never edited)."""
    app = Application(
        Applicant(type=case.applicant_type, name=case.applicant_name, id_type=case.id_type,
                  id_number=case.id_number, credit_code=case.credit_code,
                  legal_representative=case.legal_representative,
                  contact_name=case.contact_name, phone=case.phone, email=case.email,
                  address=case.address, assistance=case.assistance),
        case.subject, case.description, case.delivery_form, case.delivery_method,
        case.idempotency_key, agency.code)
    return submission_digest(agency.code, app, [(a.kind, a.sha256) for a in case.attachments])
