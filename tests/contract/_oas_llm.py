"""A small OpenAPI 3.1 contract checker for the key-only providers' specs.

It validates, against a trimmed copy of a provider's published spec
(tests/contract/specs/, sources in the README next to them):

- a **request** a probe made: the operation exists for the method and path
  (after the spec's server base path), every required query/header parameter
  is present, no undeclared query parameter is sent, each value fits its
  schema (strings from the URL are coerced to the declared type), and the
  operation's security scheme is satisfied (header present; ``Bearer `` for
  http bearer);
- an **answer** a fake gave: the status is documented for the operation and
  the JSON body validates against the documented schema (jsonschema, draft
  2020-12, which OpenAPI 3.1 schemas are).

Lenient on purpose where specs are silent: an undocumented status raises
:class:`Undocumented` so the caller decides (the fake must then name its
source in a comment).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema

SPECS = Path(__file__).parent / "specs"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


class ContractError(AssertionError):
    """A request or answer leaves the documented contract."""


class Undocumented(ContractError):
    """The spec says nothing about this status for this operation."""


@cache
def load_spec(name: str) -> dict[str, Any]:
    return json.loads((SPECS / f"{name}.json").read_text())


@dataclass(frozen=True)
class Operation:
    spec: dict[str, Any]
    method: str
    template: str
    op: dict[str, Any]

    @property
    def parameters(self) -> list[dict[str, Any]]:
        out = []
        for p in self.op.get("parameters", []):
            if "$ref" in p:
                p = _deref(self.spec, p["$ref"])
            out.append(p)
        return out


def _deref(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def _server_paths(spec: dict[str, Any]) -> list[str]:
    paths = [urlsplit(s["url"]).path.rstrip("/") for s in spec.get("servers", [])]
    return paths or [""]


def find_operation(spec: dict[str, Any], method: str, path: str) -> Operation:
    """The operation for *method* and *path* (the path relative to the provider's base URL)."""
    method = method.lower()
    for base in _server_paths(spec):
        if base and not path.startswith(base + "/"):
            continue
        rest = path[len(base):]
        for template, item in spec["paths"].items():
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            if re.match(pattern, rest) and method in item:
                return Operation(spec, method, template, item[method])
    raise ContractError(f"{method.upper()} {path}: no such operation in the spec")


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    root = {"$schema": DRAFT, "components": spec.get("components", {}), "allOf": [schema]}
    cls = jsonschema.validators.validator_for(root)
    return cls(root, format_checker=cls.FORMAT_CHECKER)


def _coerce(value: str, schema: dict[str, Any]) -> Any:
    types = schema.get("type")
    if types is None and "anyOf" in schema:
        types = [s.get("type") for s in schema["anyOf"]]
    types = types if isinstance(types, list) else [types]
    for kind in types:
        try:
            if kind == "integer":
                return int(value)
            if kind == "number":
                return float(value)
            if kind == "boolean" and value in ("true", "false"):
                return value == "true"
        except ValueError:
            continue
    return value


def validate_request(spec_name: str, method: str, path: str, query: dict[str, str],
                     headers: dict[str, str]) -> Operation:
    """Check one request against the spec; raise :class:`ContractError` with every problem found."""
    spec = load_spec(spec_name)
    op = find_operation(spec, method, path)
    headers = {k.lower(): v for k, v in headers.items()}
    problems: list[str] = []
    declared_query = set()
    for p in op.parameters:
        where, name = p["in"], p["name"]
        if where == "query":
            declared_query.add(name)
            value = query.get(name)
        elif where == "header":
            value = headers.get(name.lower())
        else:
            continue
        if value is None:
            if p.get("required"):
                problems.append(f"required {where} parameter {name!r} missing")
            continue
        schema = p.get("schema", {})
        errors = [e.message for e in _validator(spec, schema).iter_errors(_coerce(value, schema))]
        if errors:
            problems.append(f"{where} parameter {name!r}={value!r}: {'; '.join(errors)}")
    for name in query:
        if name not in declared_query:
            problems.append(f"query parameter {name!r} is not declared by {op.method.upper()} {op.template}")
    problems += _security_problems(spec, op, headers)
    if problems:
        raise ContractError(f"{method.upper()} {path}: " + "; ".join(problems))
    return op


def _security_problems(spec: dict[str, Any], op: Operation, headers: dict[str, str]) -> list[str]:
    requirements = op.op.get("security", spec.get("security"))
    if not requirements:
        return []
    schemes = spec.get("components", {}).get("securitySchemes", {})
    failures = []
    for requirement in requirements:  # any one requirement object satisfied is enough
        missing = []
        for name in requirement:
            scheme = schemes.get(name, {})
            if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer":
                if not headers.get("authorization", "").startswith("Bearer "):
                    missing.append(f"{name}: Authorization: Bearer …")
            elif scheme.get("type") == "apiKey" and scheme.get("in") == "header":
                if not headers.get(scheme["name"].lower()):
                    missing.append(f"{name}: header {scheme['name']}")
        if not missing:
            return []
        failures.append(", ".join(missing))
    return ["security not satisfied (" + " | ".join(failures) + ")"]


def response_schema(op: Operation, status: int) -> dict[str, Any] | None:
    """The documented JSON schema for *status* (``None``: documented without a JSON body)."""
    responses = op.op.get("responses", {})
    response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
    if response is None:
        raise Undocumented(f"{op.method.upper()} {op.template}: HTTP {status} is not documented "
                           f"(documented: {', '.join(responses)})")
    if "$ref" in response:
        response = _deref(op.spec, response["$ref"])
    content = response.get("content", {})
    media = content.get("application/json") or next(iter(content.values()), None)
    return None if media is None else media.get("schema")


def validate_schema(spec_name: str, schema: dict[str, Any], body: Any) -> None:
    spec = load_spec(spec_name)
    errors = sorted(_validator(spec, schema).iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        raise ContractError("; ".join(f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}"
                                      for e in errors[:5]))


def validate_response(spec_name: str, method: str, path: str, status: int, body: Any) -> None:
    """Check one answer (status + parsed JSON body) against the documented response."""
    spec = load_spec(spec_name)
    op = find_operation(spec, method, path)
    schema = response_schema(op, status)
    if schema is not None:
        validate_schema(spec_name, schema, body)


def component(name: str) -> dict[str, Any]:
    """A ``$ref`` to a component schema, for validating against a named schema directly."""
    return {"$ref": f"#/components/schemas/{name}"}


# --- recording what a probe sends to a fake and what the fake answers ---------------------------

@dataclass(frozen=True)
class Exchange:
    method: str
    path: str  # relative to the provider's base URL (the fake's own path)
    query: dict[str, str]
    headers: dict[str, str]
    status: int
    body: Any  # parsed JSON, or the raw text/bytes when not JSON


async def exchanges(fake: Any, provider: str, key: str, metadata: dict[str, Any] | None = None) -> list[Exchange]:
    """Run *provider*'s probe against *fake* in-process; every request made and the fake's answer to it."""
    from oneinbox_check import check
    from oneinbox_check.sandbox.network import FakeNetwork

    seen: list[Exchange] = []
    handle = fake.handle

    async def recording(request: Any) -> Any:
        response = await handle(request)
        body = response.body
        if isinstance(body, (bytes, str)):
            try:
                body = json.loads(body)
            except ValueError:
                pass
        seen.append(Exchange(request.method, request.path, dict(request.query), dict(request.headers),
                             response.status, body))
        return response

    fake.handle = recording
    sandbox = FakeNetwork({fake.name: fake})
    await check([{"name": provider, "provider": provider, "api_key": key, "metadata": metadata or {}}],
                endpoints=sandbox.endpoints(), transport=sandbox.transport(), retries=0, timeout=2)
    return seen
