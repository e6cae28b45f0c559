"""Reading manifests: files or stdin, JSON or TOML, the three shapes of SPEC §3,
``${NAME}`` expansion, and the entry-level problems a manifest can have.

File-level problems raise :class:`ManifestError` (exit 2, nothing probed);
entry-level problems are collected on the :class:`Entry` so that entry fails
``input.schema`` and the others are still checked.

Input is untrusted (a pre-create hook pipes another program's body): it is
read up to :data:`MAX_BYTES`, nested at most :data:`MAX_DEPTH` levels, a key
given twice in one object is reported rather than silently dropped, and a
lone surrogate never reaches an output. ``${NAME}`` is expanded only where the
caller asked for it (files named on the command line; stdin and library input
only with ``--expand-env`` / ``expand_env=True``), so a body cannot make the
checker send its own environment to a host the body names (SPEC §3).
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
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

MAX_BYTES = 32 * 1024 * 1024
"""Largest manifest read (file or stdin): about 200,000 integration bodies."""
MAX_DEPTH = 32
"""Deepest nesting of lists/objects accepted; a manifest needs about five."""


@dataclass
class RawItem:
    """One object from a manifest, before validation.

    *expand*: whether ``${NAME}`` in its strings is replaced from the
    environment (only for input the user named; SPEC §3).
    *in_file*: it was read from a manifest file, where a literal ``api_key``
    is a warning (stdin, the library and ``--from-env`` pass values, not files).
    """

    source: str
    index: int
    data: Any
    expand: bool = False
    in_file: bool = False


class _Object(dict):  # type: ignore[type-arg]
    """A JSON object that remembers which keys it was given more than once."""

    duplicates: tuple[str, ...] = ()


def _object_pairs(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        dups = []
        for key, _ in pairs:
            if key in seen and key not in dups:
                dups.append(key)
            seen.add(key)
        obj.duplicates = tuple(dups)
    return obj


@dataclass
class RawManifest:
    integrations: list[RawItem] = field(default_factory=list)
    tools: list[RawItem] = field(default_factory=list)


def read_sources(paths: Iterable[str], stdin: TextIO | None = None, *, expand_stdin: bool = False) -> RawManifest:
    """Read every path (``-`` is JSON on stdin) into one manifest.

    ``${NAME}`` is expanded in files; in stdin only with *expand_stdin*.
    A file with no integrations is a usage error ("nothing to check").
    """
    out = RawManifest()
    for path in paths:
        source, data = _read_one(path, stdin)
        integrations, tools = _shape(source, data)
        if not integrations:
            raise ManifestError(source, "has no integrations: nothing to check")
        in_file = path != "-"
        expand = in_file or expand_stdin
        out.integrations += [RawItem(source, i, d, expand, in_file) for i, d in enumerate(integrations)]
        out.tools += [RawItem(source, i, d, expand) for i, d in enumerate(tools)]
    return out


def display(text: str) -> str:
    """*text* (a path, a name) safe to print: control characters escaped, lone surrogates replaced."""
    text = _SURROGATE.sub("\ufffd", text)
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def _read_limited(read: Any, source: str) -> Any:
    try:
        data = read(MAX_BYTES + 1)
    except MemoryError:
        data = None
    except OSError as exc:
        raise ManifestError(source, f"cannot read: {exc.strerror or exc}") from None
    if data is None or len(data) > MAX_BYTES:
        raise ManifestError(source, f"is larger than the {MAX_BYTES // (1024 * 1024)} MiB a manifest may have")
    return data


def _decode(source: str, raw: bytes | str) -> str:
    if isinstance(raw, str):  # a text stream (tests, library callers)
        return raw[1:] if raw.startswith("\ufeff") else raw
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(source, f"is not UTF-8 text (byte {exc.start})") from None


def _read_one(path: str, stdin: TextIO | None) -> tuple[str, Any]:
    if path == "-":
        source = "<stdin>"
        stream = stdin or sys.stdin
        if stdin is None and stream.isatty():
            raise ManifestError(source, "is a terminal: pipe an integration body, e.g. "
                                "echo '{\"name\": …}' | oneinbox-check check -")
        binary = getattr(stream, "buffer", None)  # bytes: the same UTF-8 (and BOM) rules as files
        text = _decode(source, _read_limited((binary or stream).read, source))
        return source, _parse_json(source, text)
    p = Path(path)
    source = display(str(p))
    try:
        with open(p, "rb") as fh:
            raw = _read_limited(fh.read, source)
    except FileNotFoundError:
        raise ManifestError(source, "no such file") from None
    except IsADirectoryError:
        raise ManifestError(source, "is a directory, not a manifest file") from None
    except OSError as exc:
        raise ManifestError(source, f"cannot read: {exc.strerror or exc}") from None
    suffix = p.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise ManifestError(source, "unknown file type: use a .json or .toml manifest (or - for JSON on stdin)")
    text = _decode(source, raw)
    data = _parse_toml(source, text) if suffix == ".toml" else _parse_json(source, text)
    return source, data


def _too_deep(source: str) -> ManifestError:
    return ManifestError(source, f"is nested more than {MAX_DEPTH} levels deep; no manifest needs that")


def check_depth(source: str, data: Any) -> Any:
    """Refuse nesting deeper than MAX_DEPTH (iteratively: no recursion on hostile input)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Iterable[Any] = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            raise _too_deep(source)
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return data


def _parse_json(source: str, text: str) -> Any:
    if not text.strip():
        raise ManifestError(source, "is empty: expected a JSON integration body, a list of them, or {\"integrations\": [...]}")
    try:
        data = json.loads(text, object_pairs_hook=_object_pairs)
    except json.JSONDecodeError as exc:
        raise ManifestError(source, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise _too_deep(source) from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise ManifestError(source, f"invalid JSON: {exc}") from None
    return check_depth(source, data)


_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def _parse_toml(source: str, text: str) -> Any:
    import tomllib

    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise _too_deep(source) from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        line = int(m.group(1)) if m else getattr(exc, "lineno", None)
        col = int(m.group(2)) if m else getattr(exc, "colno", None)
        msg = _TOML_POS.sub("", msg).strip()
        raise ManifestError(source, f"invalid TOML: {msg}", line, col) from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise ManifestError(source, f"invalid TOML: {exc}") from None
    return check_depth(source, data)


def _shape(source: str, data: Any) -> tuple[list[Any], list[Any]]:
    """Return (integrations, tools) for one of the three accepted shapes."""
    if isinstance(data, list):
        return data, []
    if isinstance(data, dict):
        if "integrations" in data or "tools" in data:
            twice = [k for k in getattr(data, "duplicates", ()) if k in ("integrations", "tools")]
            if twice:
                raise ManifestError(source, f"top-level key '{twice[0]}' is given twice; merge the lists into one")
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


@dataclass(slots=True)  # one per integration: no per-instance __dict__
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


def _inspect(value: Any, expand: bool, problems: list[str], where: str = "") -> Any:
    """*value* with lone surrogates replaced; adds to *problems* what a manifest must not contain:
    a key given twice, a lone surrogate, and (when *expand* is off) a ``${NAME}`` left unexpanded."""
    unexpanded: list[str] = []
    value = _walk(value, expand, problems, unexpanded, where)
    if unexpanded:
        problems.append(f"{', '.join(unexpanded)}: not expanded, because input from stdin or the library may come "
                        "from another program and must not read the checker's environment "
                        "(pass --expand-env, or expand_env=True, if this input is yours)")
    return value


def _walk(value: Any, expand: bool, problems: list[str], unexpanded: list[str], where: str) -> Any:
    if isinstance(value, str):
        if _SURROGATE.search(value):
            problems.append(f"{display(where) or 'a key'} contains an invalid character (a lone UTF-16 surrogate, "
                            "shown as \ufffd)")
            value = _SURROGATE.sub("\ufffd", value)
        if not expand and _VAR.search(value):
            if where == "api_key":  # the value is the key: masked in every output, so do not name it
                unexpanded.append("a ${NAME} in api_key")
            else:
                unexpanded += ["${" + n + "} in " + (where or "a key") for n in dict.fromkeys(_VAR.findall(value))]
        return value
    if isinstance(value, list):
        return [_walk(v, expand, problems, unexpanded, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        for key in getattr(value, "duplicates", ()):
            problems.append(f"key '{display(where + '.' + key if where else key)}' is given twice in one object "
                            "(only one value would be used)")
        out = {}
        for key, v in value.items():
            name = _walk(key, True, problems, unexpanded, "") if isinstance(key, str) else key
            out[name] = _walk(v, expand, problems, unexpanded, f"{where}.{name}" if where else str(name))
        return out
    return value


def _literal(api_key: Any) -> bool:
    """A key written out, not a ``${NAME}`` reference (blank or non-string values are other problems)."""
    return isinstance(api_key, str) and bool(api_key.strip()) and not _VAR.search(api_key)


def build_entries(raw: RawManifest, registry: Any, env: Mapping[str, str] | None = None) -> list[Entry]:
    """Validate every raw item; entry-level problems stay on their entry.

    ``${NAME}`` is replaced from *env* (default: ``os.environ``) in the items
    whose ``expand`` is set.
    """
    from pydantic import ValidationError

    from .checks.schema import LITERAL_KEY, describe_errors, unknown_keys, validate_metadata
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
        found: list[str] = []
        data = _inspect(data, item.expand, found)
        literal = [LITERAL_KEY] if item.in_file and _literal(data.get("api_key")) else []
        missing: list[str] = []
        if item.expand:
            data = expand_env(data, env, missing)
        name = data.get("name") if isinstance(data.get("name"), str) and data.get("name") else where
        provider = data.get("provider") if isinstance(data.get("provider"), str) else "?"
        entry = Entry(name, provider)
        entries.append(entry)
        entry.problems += found
        entry.problems += [f"environment variable {m} is not set" for m in missing]
        entry.warnings += literal
        try:
            integration = Integration.model_validate(data)
        except ValidationError as exc:
            entry.problems += describe_errors(exc)
            continue
        entry.integration = integration
        probe = registry.get(provider)
        lifted = probe.top_level_metadata if probe is not None else ()
        integration.lift(lifted)
        entry.warnings += unknown_keys(integration.extra_fields, ["name", "provider", "api_key", "metadata",
                                                                  *lifted], "top-level")
        if probe is None:
            from .selection import did_you_mean

            entry.problems.append(f"unknown provider '{provider}'{did_you_mean(provider, registry.providers)} "
                                  f"(known: {', '.join(sorted(registry.providers))})")
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
        data = item.data
        found = []
        if isinstance(data, dict):
            data = _inspect(data, item.expand, found, "tool")
            if item.expand:
                data = expand_env(data, env)
        named = by_name.get(data.get("integration")) if isinstance(data, dict) and isinstance(
            data.get("integration"), str) else None
        if isinstance(data, Tool):
            tool = data
        else:
            try:
                tool = Tool.model_validate(data)
            except ValidationError as exc:
                found += describe_errors(exc, "tool")
        if found:
            if named is not None:  # the integration this tool is for cannot be checked as the tool needs
                named.problems += [f"{label}: {problem}" for problem in found]
            else:
                entries.append(Entry(label, TOOL_LABEL, problems=found))
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
