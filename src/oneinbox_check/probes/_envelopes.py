"""The documented error envelopes of the deep-check providers.

A verdict of ``fail`` needs the provider's own answer. A JSON body is not
enough: a proxy or gateway in front of the provider may answer 401 with
``{"message": "proxy auth required"}``. Each function returns the parsed body
only when it has the provider's documented error shape, else ``None`` (the
answer is then indeterminate: ``error``).

Sources (providers.md): Resend ``{statusCode, name, message}``
(resend.com/docs/api-reference/errors); SendGrid ``{"errors":[{"field",
"message"}]}`` (tsg_scopes_v3.yaml 401 schema: ``errors[].message`` required);
Cal.com ``{"status":"error","error":{"code","message",…}}`` (api v2 error
filter output); Twilio ``{code, message, more_info, status}``
(twilio.com/docs/usage/twilios-response); Telnyx ``{"errors":[{"code",
"title","detail"}]}`` with a string ``code`` (spec3.yml ``Errors``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..net.outcomes import Reply


def _body(reply: "Reply") -> dict[str, Any] | None:
    data = reply.json()
    return data if isinstance(data, dict) else None


def resend_error(reply: "Reply") -> dict[str, Any] | None:
    body = _body(reply)
    if body and isinstance(body.get("name"), str) and isinstance(body.get("message"), str):
        return body
    return None


def _error_list(reply: "Reply", field: str) -> dict[str, Any] | None:
    """``{"errors": [{field: "...", ...}, ...]}`` (SendGrid, Telnyx): every item carries *field* as text."""
    body = _body(reply)
    errors = body.get("errors") if body else None
    if isinstance(errors, list) and errors and all(
            isinstance(e, dict) and isinstance(e.get(field), str) for e in errors):
        return body
    return None


def sendgrid_error(reply: "Reply") -> dict[str, Any] | None:
    return _error_list(reply, "message")


def calcom_error(reply: "Reply") -> dict[str, Any] | None:
    body = _body(reply)
    error = body.get("error") if body else None
    if body and body.get("status") == "error" and isinstance(error, dict) and isinstance(error.get("message"), str) \
            and isinstance(error.get("code"), str):
        return body
    return None


def twilio_error(reply: "Reply") -> dict[str, Any] | None:
    body = _body(reply)
    if body and isinstance(body.get("code"), int) and not isinstance(body.get("code"), bool) \
            and isinstance(body.get("message"), str):
        return body
    return None


def telnyx_error(reply: "Reply") -> dict[str, Any] | None:
    return _error_list(reply, "code")


# The documented invalid-key CONTENT (providers.md, Live auth). The shape alone
# is not enough: a 401/400 in the provider's envelope with another code or
# message (a validation error, quota, an upstream outage) is not "invalid key".

RESEND_INVALID_MESSAGE = "api key is invalid"
SENDGRID_INVALID_MESSAGE = "the provided authorization grant is invalid, expired, or revoked"
TELNYX_INVALID_CODE = "10009"


def _plain(text: str) -> str:
    return text.strip().rstrip(".").strip().lower()


def resend_invalid_key(body: dict[str, Any]) -> bool:
    """Resend's invalid-key answer: ``name`` ``invalid_api_key``, or ``validation_error``
    with the message "API key is invalid" (providers.md; resend.com/docs/api-reference/errors)."""
    name, message = body.get("name"), body.get("message")
    if not isinstance(name, str) or not isinstance(message, str):
        return False
    return name == "invalid_api_key" or (name == "validation_error" and _plain(message) == RESEND_INVALID_MESSAGE)


def sendgrid_invalid_key(body: dict[str, Any]) -> bool:
    """SendGrid's 401 ``{"errors":[{"message":"The provided authorization grant is invalid,
    expired, or revoked"}]}`` (providers.md)."""
    errors = body.get("errors")
    return isinstance(errors, list) and any(
        isinstance(e, dict) and isinstance(e.get("message"), str) and _plain(e["message"]) == SENDGRID_INVALID_MESSAGE
        for e in errors)


def telnyx_invalid_key(body: dict[str, Any]) -> bool:
    """Telnyx's 401 ``{"errors":[{"code":"10009", …}]}`` (providers.md; 10010 is authorization)."""
    errors = body.get("errors")
    return isinstance(errors, list) and any(isinstance(e, dict) and e.get("code") == TELNYX_INVALID_CODE
                                            for e in errors)
