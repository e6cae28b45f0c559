"""JSON Schemas of the report and of the manifest (``oneinbox-check schema``), generated from the models.

(Not the ``input.schema`` check, which validates one entry: that is :mod:`.checks.schema`.)"""

from __future__ import annotations

import re
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from .models import Report, Tool
from .secrets import Secret


_INTERNAL_REFERENCE = re.compile(r"\s*\(?SPEC\s*§\s*[\d.]+\)?")


def _for_users(value: Any) -> Any:
    """Descriptions as users read them: no reference to the project's internal spec, no reST markup.
    (No ``$id``: the project publishes no URL for the schema, and an ``$id`` that resolves nowhere misleads.)"""
    if isinstance(value, dict):
        return {k: (_INTERNAL_REFERENCE.sub("", v).replace("``", "`").replace(" .", ".")
                    if k == "description" and isinstance(v, str) else _for_users(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_for_users(v) for v in value]
    return value


def report_schema() -> dict[str, Any]:
    return _for_users(Report.model_json_schema(by_alias=True, mode="serialization"))  # type: ignore[no-any-return]


def manifest_schema() -> dict[str, Any]:
    """One integration body per provider (its metadata model), a list, or {integrations, tools}."""
    from .probes.registry import load_registry

    registry = load_registry()
    bodies = []
    for provider in sorted(registry.providers):
        probe = registry.get(provider)
        key_type = Secret if probe.key_required else (Secret | None)
        fields = probe.metadata_model.model_fields
        lifted = {n: (str | None, None) for n in probe.top_level_metadata if n in fields}
        # a body may carry a lifted field at top level instead of in metadata
        metadata_required = any(f.is_required() for f in fields.values()) and not lifted
        bodies.append(create_model(
            f"Integration_{provider}",
            __config__=ConfigDict(extra="allow", title=f"{provider} integration"),
            name=(str, Field(min_length=1)),
            provider=(Literal[provider], ...),  # type: ignore[valid-type]
            api_key=(key_type, ... if probe.key_required else None),
            metadata=(probe.metadata_model if metadata_required else probe.metadata_model | None,
                      ... if metadata_required else None),
            **lifted,
        ))
    body = Union[tuple(bodies)]  # type: ignore[valid-type]

    class Manifest(BaseModel):
        model_config = ConfigDict(extra="forbid")
        integrations: list[body] = []  # type: ignore[valid-type]
        tools: list[Tool] = []

    schema = TypeAdapter(Union[Manifest, list[body], body]).json_schema()  # type: ignore[valid-type]
    schema["title"] = "oneinbox-check manifest"
    schema["description"] = ("One integration body (as POSTed to OneInbox /v1/integrations), a list of them, or "
                             "{integrations, tools}. Any string may be ${NAME} (an environment variable).")
    return _for_users(schema)  # type: ignore[no-any-return]
