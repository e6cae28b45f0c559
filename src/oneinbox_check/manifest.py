"""Reading manifests: files or stdin, JSON or TOML, the three shapes of SPEC §3,
``${NAME}`` expansion, and the entry-level problems a manifest can have.

File-level problems raise :class:`ManifestError` (exit 2, nothing probed);
entry-level problems are collected on the :class:`Entry` so that entry fails
``input.schema`` and the others are still checked.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .errors import ManifestError

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class RawItem:
    """One object from a manifest, before validation."""

    source: str
    index: int
    data: Any


@dataclass
class RawManifest:
    integrations: list[RawItem] = field(default_factory=list)
    tools: list[RawItem] = field(default_factory=list)


def read_sources(paths: Iterable[str], stdin: TextIO | None = None) -> RawManifest:
    """Read every path (``-`` is JSON on stdin) into one manifest."""
    out = RawManifest()
    for path in paths:
        source, data = _read_one(path, stdin)
        integrations, tools = _shape(source, data)
        out.integrations += [RawItem(source, i, d) for i, d in enumerate(integrations)]
        out.tools += [RawItem(source, i, d) for i, d in enumerate(tools)]
    return out


def _read_one(path: str, stdin: TextIO | None) -> tuple[str, Any]:
    if path == "-":
        source = "<stdin>"
        stream = stdin or sys.stdin
        if stdin is None and stream.isatty():
            raise ManifestError(source, "is a terminal: pipe an integration body, e.g. "
                                "echo '{\"name\": …}' | oneinbox-check check -")
        text = stream.read()
        return source, _parse_json(source, text)
    p = Path(path)
    source = str(p)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ManifestError(source, "no such file") from None
    except IsADirectoryError:
        raise ManifestError(source, "is a directory, not a manifest file") from None
    except OSError as exc:
        raise ManifestError(source, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(source, f"is not UTF-8 text (byte {exc.start})") from None
    suffix = p.suffix.lower()
    if suffix == ".toml":
        return source, _parse_toml(source, text)
    if suffix == ".json":
        return source, _parse_json(source, text)
    raise ManifestError(source, "unknown file type: use a .json or .toml manifest (or - for JSON on stdin)")


def _parse_json(source: str, text: str) -> Any:
    if not text.strip():
        raise ManifestError(source, "is empty: expected a JSON integration body, a list of them, or {\"integrations\": [...]}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(source, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None


_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def _parse_toml(source: str, text: str) -> Any:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        line = int(m.group(1)) if m else getattr(exc, "lineno", None)
        col = int(m.group(2)) if m else getattr(exc, "colno", None)
        msg = _TOML_POS.sub("", msg).strip()
        raise ManifestError(source, f"invalid TOML: {msg}", line, col) from None


def _shape(source: str, data: Any) -> tuple[list[Any], list[Any]]:
    """Return (integrations, tools) for one of the three accepted shapes."""
    if isinstance(data, list):
        return data, []
    if isinstance(data, dict):
        if "integrations" in data or "tools" in data:
            unknown = set(data) - {"integrations", "tools"}
            if unknown:
                raise ManifestError(source, f"unexpected top-level key(s) {', '.join(sorted(map(repr, unknown)))} beside 'integrations'")
            integrations = data.get("integrations", [])
            tools = data.get("tools", [])
            if not isinstance(integrations, list):
                raise ManifestError(source, "'integrations' must be a list of integration bodies")
            if not isinstance(tools, list):
                raise ManifestError(source, "'tools' must be a list of tools")
            return integrations, tools
        if "provider" in data or "name" in data:
            return [data], []
    raise ManifestError(
        source,
        "has none of the accepted shapes: one integration body ({\"name\", \"provider\", \"api_key\", ...}), "
        "a list of them, or {\"integrations\": [...], \"tools\": [...]}",
    )


def expand_env(value: Any, env: Mapping[str, str] | None = None, missing: list[str] | None = None) -> Any:
    """Replace ``${NAME}`` in every string by the environment variable NAME.

    Unset names are appended to *missing* and replaced by an empty string.
    """
    env = os.environ if env is None else env
    missing = [] if missing is None else missing

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in env:
            if name not in missing:
                missing.append(name)
            return ""
        return env[name]

    if isinstance(value, str):
        return _VAR.sub(sub, value)
    if isinstance(value, list):
        return [expand_env(v, env, missing) for v in value]
    if isinstance(value, dict):
        return {k: expand_env(v, env, missing) for k, v in value.items()}
    return value


@dataclass
class Entry:
    """One integration to check, with the problems found before probing it."""

    label: str
    provider: str
    integration: Any = None  # models.Integration when the body validated
    metadata: Any = None  # the probe's metadata model instance
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tools: list[Any] = field(default_factory=list)


TOOL_LABEL = "tool"


def build_entries(raw: RawManifest, registry: Any, env: Mapping[str, str] | None = None) -> list[Entry]:
    """Validate every raw item; entry-level problems stay on their entry."""
    from pydantic import ValidationError

    from .checks.schema import describe_errors, unknown_keys, validate_metadata
    from .models import Integration, Tool

    entries: list[Entry] = []
    for item in raw.integrations:
        data = item.data
        where = f"{item.source} integrations[{item.index}]" if len(raw.integrations) > 1 else item.source
        if isinstance(data, Integration):
            data = data.model_dump(exclude={"api_key"}) | {"api_key": data.api_key, **data.extra_fields}
        if not isinstance(data, dict):
            entries.append(Entry(where, "?", problems=[f"entry must be an object, not {type(data).__name__}"]))
            continue
        missing: list[str] = []
        data = expand_env(data, env, missing)
        name = data.get("name") if isinstance(data.get("name"), str) and data.get("name") else where
        provider = data.get("provider") if isinstance(data.get("provider"), str) else "?"
        entry = Entry(name, provider)
        entries.append(entry)
        entry.problems += [f"environment variable {m} is not set" for m in missing]
        try:
            integration = Integration.model_validate(data)
        except ValidationError as exc:
            entry.problems += describe_errors(exc)
            continue
        entry.integration = integration
        entry.warnings += unknown_keys(integration.extra_fields, ["name", "provider", "api_key", "metadata",
                                                                  "custom_websocket_url"], "top-level")
        probe = registry.get(provider)
        if probe is None:
            entry.problems.append(
                f"unknown provider '{provider}' (known: {', '.join(sorted(registry.providers))})")
            continue
        if probe.key_required and not integration.api_key and not missing:
            entry.problems.append("api_key is required")
        typed, problems, warnings = validate_metadata(integration.metadata, probe.metadata_model)
        entry.metadata = typed
        entry.problems += problems
        entry.warnings += warnings

    by_name: dict[str, Entry] = {}
    for entry in entries:
        if entry.integration is None:
            continue
        first = by_name.setdefault(entry.label, entry)
        if first is not entry:
            entry.problems.append(f"duplicate name '{entry.label}': names must be unique")

    for item in raw.tools:
        label = f"{item.source} tools[{item.index}]"
        data = expand_env(item.data, env) if isinstance(item.data, dict) else item.data
        if isinstance(data, Tool):
            tool = data
        else:
            try:
                tool = Tool.model_validate(data)
            except ValidationError as exc:
                entries.append(Entry(label, TOOL_LABEL, problems=describe_errors(exc, "tool")))
                continue
        target = by_name.get(tool.integration)
        if target is None:
            known = ", ".join(sorted(by_name)) or "none"
            entries.append(Entry(label, TOOL_LABEL, problems=[
                f"{tool.type} tool names integration '{tool.integration}', which is not in this manifest (known: {known})"]))
            continue
        probe = registry.get(target.provider)
        if probe is not None and tool.type not in probe.tool_types:
            fits = sorted(p for p in registry.providers if tool.type in registry.get(p).tool_types)
            target.problems.append(
                f"a {tool.type} tool uses this {target.provider} integration; it needs one of: {', '.join(fits)}")
        if tool.type == "schedule_calendar_event" and tool.event_type_id is None:
            target.problems.append(f"{label}: schedule_calendar_event tool needs event_type_id")
        target.tools.append(tool)
    return entries
