"""Keys from where they live (SPEC §3): the environment, dotenv files, and a
manifest skeleton that refers to them.

``check --from-env`` builds integration bodies from the conventional variable
names the probes declare (``Probe.environment``), with no manifest at all; ``init`` writes the same bodies as a TOML
manifest. Both refer to the variables as ``${NAME}`` — the values are read
only when the manifest is expanded, and never written anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import UsageError


@dataclass(frozen=True)
class Convention:
    """How one provider's key (and metadata) is usually named in an environment."""

    provider: str
    name: str
    key: str
    required: Mapping[str, str] = field(default_factory=dict)  # metadata field -> variable, always referred to
    optional: Mapping[str, str] = field(default_factory=dict)  # metadata field -> variable, when set


def conventions() -> tuple[Convention, ...]:
    """Every provider's conventional variable names, as its probe declares them
    (``Probe.environment``: the names its SDK or quick-start reads — Twilio's helper
    library TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN, OpenAI's OPENAI_API_KEY, …), in the
    registry's order."""
    from .probes.registry import load_registry

    registry = load_registry()
    return tuple(Convention(provider, registry.get(provider).title or provider, names.key, names.required,
                            names.optional)
                 for probe in registry.unique() for provider, names in probe.environment.items())


def read_env_file(path: str) -> dict[str, str]:
    """The variables of a dotenv file (python-dotenv's syntax); a line it cannot parse is a usage error."""
    import logging
    import os

    from dotenv import dotenv_values

    if not os.path.exists(path):
        raise UsageError(f"--env-file {path}: no such file")
    if not os.path.isfile(path):
        raise UsageError(f"--env-file {path}: not a regular file")
    if os.path.getsize(path) > 1024 * 1024:
        raise UsageError(f"--env-file {path}: larger than 1 MiB; not a dotenv file")
    problems: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            problems.append(record.getMessage())

    logger = logging.getLogger("dotenv.main")
    handler = _Collect(logging.WARNING)
    logger.addHandler(handler)
    try:
        values = dotenv_values(path, interpolate=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--env-file {path}: cannot read it ({exc})") from None
    finally:
        logger.removeHandler(handler)
    if problems:
        raise UsageError(f"--env-file {path}: {problems[0]}")
    return {k: v for k, v in values.items() if v is not None}


def environment(env_file: str | None, base: Mapping[str, str]) -> dict[str, str]:
    """*base* (the process environment) with an env file's variables added; the environment wins,
    as with ``load_dotenv(override=False)``."""
    merged = dict(read_env_file(env_file)) if env_file else {}
    merged.update(base)
    return merged


def bodies(env: Mapping[str, str]) -> list[dict[str, Any]]:
    """One integration body per convention whose key variable is set, referring to variables as ``${NAME}``.

    Required metadata is always referred to, so an unset ``RESEND_FROM_EMAIL``
    is reported by ``input.schema`` like any unset variable.
    """
    out: list[dict[str, Any]] = []
    for conv in conventions():
        if not env.get(conv.key):
            continue
        metadata = {f: f"${{{var}}}" for f, var in conv.required.items()}
        metadata |= {f: f"${{{var}}}" for f, var in conv.optional.items() if env.get(var)}
        body: dict[str, Any] = {"name": conv.name, "provider": conv.provider, "api_key": f"${{{conv.key}}}"}
        if metadata:
            body["metadata"] = metadata
        out.append(body)
    return out


def _toml(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string for these values


def skeleton(env: Mapping[str, str]) -> str:
    """A TOML manifest for the conventional variables that are set (commented-out entries for the rest)."""
    found = bodies(env)
    lines = ["# oneinbox-check manifest: one [[integrations]] table per integration.",
             "# Keys are referred to as ${NAME} and read from the environment (or --env-file) at check time;",
             "# never write a key into this file.", ""]
    for body in found:
        lines.append("[[integrations]]")
        lines += [f"{k} = {_toml(body[k])}" for k in ("name", "provider", "api_key")]
        if "metadata" in body:
            lines.append("[integrations.metadata]")
            lines += [f"{k} = {_toml(v)}" for k, v in body["metadata"].items()]
        lines.append("")
    unset = [c for c in conventions() if not env.get(c.key)]
    if unset:
        lines.append("# Not set in the environment (uncomment and set the variable to check them):")
        for conv in unset:
            lines += ["# [[integrations]]", f"# name = {_toml(conv.name)}", f"# provider = {_toml(conv.provider)}",
                      f"# api_key = {_toml('${' + conv.key + '}')}"]
            for f, var in conv.required.items():
                lines.append(f"# metadata.{f} = {_toml('${' + var + '}')}")
            lines.append("#")
    return "\n".join(lines).rstrip("#\n") + "\n"
