"""``input.schema``: is an entry well-formed for its provider?

Problems make the check ``fail`` (the entry is not probed further); warnings
(unknown metadata keys, unknown top-level fields, a key written literally in
a manifest file) make it ``warn``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from ..models import CheckResult, Status

ID = "input.schema"


def describe_errors(exc: ValidationError, prefix: str = "") -> list[str]:
    """Readable one-liners from a pydantic error, never echoing the input value (it may be a key)."""
    out = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(p) for p in (prefix, *err["loc"]) if p != "")
        msg = err["msg"]
        if err["type"] == "missing":
            msg = "is required"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        out.append(f"{loc} {msg}" if loc else msg)
    return out


def unknown_keys(given: Iterable[str], known: Sequence[str], where: str) -> list[str]:
    warnings = []
    for key in given:
        if key in known:
            continue
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        warnings.append(f"unknown {where} key '{key}'{hint}; it is kept but not checked")
    return warnings


LITERAL_KEY = "api_key is written literally in the manifest file: use ${NAME}; keys should not live in files"
"""The warning for a key typed into a manifest file rather than referred to (SPEC §3). It never
quotes the value: the report shows the key masked, as always."""
_MOVE_KEY = ("Put the key in an environment variable (or a dotenv file read with --env-file) and set "
             "api_key to \"${NAME}\" in the manifest.")


_NO_METADATA: dict[type[BaseModel], tuple[BaseModel | None, list[str]]] = {}


def validate_metadata(metadata: dict[str, Any], model: type[BaseModel]) -> tuple[BaseModel | None, list[str], list[str]]:
    """Validate *metadata* with the provider's model: (typed, problems, warnings).

    Entries without metadata (most of a large manifest) share one instance of the model's
    defaults when the model is frozen (the built-in ones are: probes read metadata, never
    change it), 400 bytes an entry otherwise; a plugin's mutable model gets one each."""
    if not metadata and model.model_config.get("frozen"):
        found = _NO_METADATA.get(model)
        if found is None:
            typed, problems, _ = _validate(metadata, model)
            found = _NO_METADATA[model] = (typed, problems)
        return found[0], list(found[1]), []
    return _validate(metadata, model)


def _validate(metadata: dict[str, Any], model: type[BaseModel]) -> tuple[BaseModel | None, list[str], list[str]]:
    known = [name for name, f in model.model_fields.items()] + [
        f.alias for f in model.model_fields.values() if f.alias
    ]
    warnings = unknown_keys(metadata, known, "metadata")
    try:
        typed = model.model_validate({k: v for k, v in metadata.items() if k in known})
    except ValidationError as exc:
        return None, describe_errors(exc, "metadata"), warnings
    return typed, [], warnings


def result(problems: Sequence[str], warnings: Sequence[str], provider: str) -> CheckResult:
    if problems:
        return CheckResult(
            id=ID, status=Status.FAIL, summary="; ".join([*problems, *warnings]),  # a typo may explain a problem
            remediation="Fix the entry in the manifest; nothing else is checked until it is well-formed.",
            details={"problems": list(problems), "warnings": list(warnings)} if warnings else {"problems": list(problems)},
        )
    if warnings:
        fixes = [_MOVE_KEY] if LITERAL_KEY in warnings else []
        if any(w != LITERAL_KEY for w in warnings):
            fixes.insert(0, "Fix the spelling or remove the key.")
        return CheckResult(id=ID, status=Status.WARN, summary="; ".join(warnings),
                           remediation=" ".join(fixes), details={"warnings": list(warnings)})
    return CheckResult(id=ID, status=Status.PASS, summary=f"well-formed {provider} integration")
