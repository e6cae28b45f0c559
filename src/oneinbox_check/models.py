"""Pydantic models at the edges: what goes in (Integration, Tool) and what comes
out (CheckResult, IntegrationReport, Report). No I/O, no network imports.

Per-provider metadata is not modelled here: each probe declares its
``metadata_model`` and the fields OneInbox also takes at the top level
(``Probe.top_level_metadata``), and ``manifest`` validates an integration's
metadata against them. Nothing here names a provider.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .secrets import Secret

SCHEMA_VERSION = "1"


class Status(str, Enum):
    """A check's verdict. ``severity`` orders them: fail > error > warn > pass > skip."""

    FAIL = "fail"
    ERROR = "error"
    WARN = "warn"
    PASS = "pass"
    SKIP = "skip"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @classmethod
    def worst(cls, statuses: "Any") -> "Status":
        statuses = list(statuses)
        return max(statuses, key=lambda s: s.severity) if statuses else cls.SKIP

    def __str__(self) -> str:
        return self.value


_SEVERITY = {Status.SKIP: 0, Status.PASS: 1, Status.WARN: 2, Status.ERROR: 3, Status.FAIL: 4}

Change = Literal["new", "unchanged", "degraded", "recovered"]


class CheckResult(BaseModel):
    """One check's outcome. ``id`` is stable (SPEC §4)."""

    model_config = ConfigDict(frozen=True)

    id: str
    status: Status
    summary: str
    remediation: str | None = None
    details: dict[str, Any] | None = None
    duration_ms: int = 0


class IntegrationReport(BaseModel):
    name: str
    provider: str
    masked_key: str | None = None
    status: Status
    change: Change | None = None
    rotated: bool | None = None  # with --state: the key differs from the last run's (its fingerprint)
    checks: list[CheckResult]


class Summary(BaseModel):
    integrations: int = 0
    pass_: int = Field(0, alias="pass")
    warn: int = 0
    fail: int = 0
    error: int = 0
    skip: int = 0

    model_config = ConfigDict(populate_by_name=True)


class ToolInfo(BaseModel):
    name: str = "oneinbox-check"
    version: str


class Report(BaseModel):
    """The whole run; ``--format json`` is exactly this model (SPEC §11)."""

    schema_version: str = SCHEMA_VERSION
    tool: ToolInfo
    started_at: datetime
    duration_ms: int
    exit_code: int
    summary: Summary
    integrations: list[IntegrationReport]

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent, by_alias=True, exclude_none=True)

    def __repr__(self) -> str:
        # short on purpose: asyncio (3.11+) reprs the main task's result when it
        # restores the SIGINT handler, twice per run; the full repr costs ~60 µs per integration
        return f"<Report {len(self.integrations)} integrations, exit {self.exit_code}>"


class Integration(BaseModel):
    """One integration body, as it would be POSTed to OneInbox ``/v1/integrations``.

    Top-level keys other than these are kept in ``extra_fields``: :meth:`lift` moves
    the ones the provider's probe takes at top level (as OneInbox does) into
    ``metadata``, and the schema check warns about the rest (typos are not dropped).
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    provider: str = Field(min_length=1)
    api_key: Secret | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    extra_fields: dict[str, Any] = Field(default_factory=dict, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _lift(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        meta = data.get("metadata")
        data["metadata"] = dict(meta) if isinstance(meta, dict) else ({} if meta is None else meta)
        known = {"name", "provider", "api_key", "metadata", "extra_fields"}
        extra = {k: data.pop(k) for k in list(data) if k not in known}
        if extra:
            data["extra_fields"] = {**data.get("extra_fields", {}), **extra}
        return data

    def lift(self, names: Iterable[str]) -> None:
        """Move the top-level fields *names* into ``metadata`` (a value already in metadata wins)."""
        for name in names:
            value = self.extra_fields.pop(name, None)
            if value is not None:
                self.metadata.setdefault(name, value)

    @property
    def masked_key(self) -> str | None:
        return self.api_key.masked if self.api_key else None


class Tool(BaseModel):
    """A OneInbox tool that will use an integration (SPEC §3)."""

    model_config = ConfigDict(extra="allow")

    type: Literal["schedule_calendar_event", "send_email"]
    integration: str = Field(min_length=1)
    event_type_id: int | None = Field(None, gt=0, le=2**63 - 1)

    @field_validator("event_type_id", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        """A Cal.com event type id is a positive whole number (``123`` or ``"123"``), never ``true``."""
        if isinstance(value, bool):
            raise ValueError("must be a whole number (a Cal.com event type id), not true/false")
        return value
