"""JSON Schemas of the report and of the manifest (``oneinbox-check schema``)."""

from __future__ import annotations

from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from .models import TOP_LEVEL_METADATA, Report, Tool
from .secrets import Secret


def report_schema() -> dict[str, Any]:
    schema = Report.model_json_schema(by_alias=True, mode="serialization")
    schema["$id"] = "https://oneinbox-check/schema/report-v1.json"
    return schema


def manifest_schema() -> dict[str, Any]:
    """One integration body per provider (its metadata model), a list, or {integrations, tools}."""
    from .probes._base import load_registry

    registry = load_registry()
    bodies = []
    for provider in sorted(registry.providers):
        probe = registry.get(provider)
        key_type = Secret if probe.key_required else (Secret | None)
        fields = probe.metadata_model.model_fields
        lifted = {n: (str | None, None) for n in TOP_LEVEL_METADATA if n in fields}
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
    return schema
