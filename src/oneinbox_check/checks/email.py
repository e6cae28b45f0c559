"""``email.from_address``: syntax of the sender address (no deliverability
lookups — the DNS checks do that with our own resolver)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ..models import CheckResult, Status

ID = "email.from_address"


class EmailMetadata(BaseModel):
    """Metadata of an email integration (Resend, SendGrid)."""

    model_config = ConfigDict(extra="allow", frozen=True)  # probes read metadata, never change it
    from_email: str


def check_from_address(address: str) -> tuple[CheckResult, str | None]:
    """(result, the domain to check or None)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        info = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        return CheckResult(id=ID, status=Status.FAIL, summary=f"from_email {address!r} is not a valid address: {exc}",
                           remediation="Set metadata.from_email to the sending address, e.g. hello@yourdomain.com."), None
    domain = info.ascii_domain.lower()
    if address != address.strip():
        return CheckResult(id=ID, status=Status.WARN, summary="from_email has surrounding whitespace",
                           remediation="Remove the spaces around the address.",
                           details={"domain": domain}), domain
    return CheckResult(id=ID, status=Status.PASS, summary=f"{info.normalized} (domain {domain})",
                       details={"address": info.normalized, "domain": domain}), domain
