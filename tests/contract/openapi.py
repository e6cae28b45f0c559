"""A small OpenAPI contract checker over ``jsonschema``: does a request fit an
operation of a published spec, and does an answer fit its documented response?

Generic: it knows no provider. A :class:`Spec` is one trimmed OpenAPI
document (tests/contract/specs/*.json, sources in the README next to them).

- ``check_request`` finds the operation by method and path template, then
  checks path parameters, every query parameter (an undocumented name is an
  error; ``deepObject`` parameters such as Telnyx's ``filter[phone_number]``
  are assembled first), required headers, the security scheme's
  ``Authorization`` form, and parameter schemas including ``format``.
- ``check_response`` looks up the status (exact, ``4XX``-style, or
  ``default``) and validates a JSON body against its schema.

OpenAPI 3.0 documents are brought to JSON Schema 2020-12 on load:
``nullable: true`` admits ``null``. ``oneOf`` is checked as ``anyOf``: the
generated specs (Cal.com's NestJS output above all) have overlapping
branches without ``additionalProperties: false``, so a documented answer
matches several of them; "at least one branch" is what the spec means there.
Both functions return a list of human-readable problems (empty = conforms).
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPECS = Path(__file__).parent / "specs"

FORMATS = FormatChecker(formats=())


@FORMATS.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None and date.fromisoformat(value) is not None


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return True


@FORMATS.checks("phone-number")
def _phone(value: object) -> bool:  # Twilio's format: E.164
    return not isinstance(value, str) or re.fullmatch(r"\+[1-9]\d{1,14}", value) is not None


@FORMATS.checks("int64")
def _int64(value: object) -> bool:
    return not isinstance(value, int) or -(2**63) <= value < 2**63


@FORMATS.checks("uuid", raises=ValueError)
def _uuid(value: object) -> bool:
    return not isinstance(value, str) or uuid.UUID(value) is not None


def _to_2020(node: Any) -> Any:
    """OpenAPI 3.0 schema dialect → JSON Schema 2020-12 (see module docstring)."""
    if isinstance(node, list):
        return [_to_2020(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_2020(v) for k, v in node.items()}
    if "oneOf" in out:
        out["anyOf"] = out.pop("oneOf")
    if out.pop("nullable", False) is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        elif kind is None:
            rest = {k: v for k, v in out.items() if k not in ("description", "title", "default")}
            out = {k: v for k, v in out.items() if k in ("description", "title", "default")}
            out["anyOf"] = [{"type": "null"}, rest]
    return out


@dataclass
class Operation:
    spec: Spec
    method: str
    template: str
    pointer: str  # JSON pointer of the operation object
    node: dict[str, Any]
    parameters: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.template}"


class Spec:
    """One trimmed OpenAPI document."""

    def __init__(self, document: dict[str, Any], name: str):
        self.name = name
        self.uri = f"urn:oneinbox-contract:{name}"
        self.raw = document
        self.doc = _to_2020(copy.deepcopy(document))
        resource = Resource(contents=self.doc, specification=DRAFT202012)
        self.registry = Registry().with_resource(self.uri, resource)
        servers = self.doc.get("servers") or [{"url": "/"}]
        self.base_path = urlsplit(servers[0]["url"]).path.rstrip("/")
        self.operations: list[Operation] = []
        for template, item in self.doc.get("paths", {}).items():
            shared = [self.deref(p) for p in item.get("parameters", [])]
            for method, op in item.items():
                if method not in ("get", "post", "put", "patch", "delete", "head", "options"):
                    continue
                params = {(p["name"], p["in"]): p for p in shared}
                params.update({(p["name"], p["in"]): p for p in (self.deref(x) for x in op.get("parameters", []))})
                pointer = f"/paths/{_escape(template)}/{method}"
                self.operations.append(Operation(self, method, template, pointer, op, list(params.values())))

    @classmethod
    def load(cls, filename: str) -> Spec:
        return _load(filename)

    # --- helpers ------------------------------------------------------------
    def deref(self, node: Any) -> Any:
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
            node = self.at(node["$ref"][1:])
        return node

    def at(self, pointer: str) -> Any:
        node: Any = self.doc
        for part in pointer.lstrip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def validator(self, pointer: str) -> Draft202012Validator:
        return Draft202012Validator({"$ref": f"{self.uri}#{pointer}"}, registry=self.registry,
                                    format_checker=FORMATS)

    def schema_errors(self, pointer: str, value: Any, where: str) -> list[str]:
        errors = sorted(self.validator(pointer).iter_errors(value), key=lambda e: list(e.absolute_path))
        out = []
        for e in errors[:5]:
            e = _deepest(e)
            at = "/".join(str(p) for p in e.absolute_path)
            out.append(f"{where}{'/' + at if at else ''}: {e.message[:300]}")
        return out

    def find(self, method: str, path: str) -> tuple[Operation | None, dict[str, str]]:
        """The operation for *method* and the request *path* (with the server's base path)."""
        rel = path
        if self.base_path and rel.startswith(self.base_path + "/"):
            rel = rel[len(self.base_path):]
        for op in self.operations:
            if op.method != method.lower():
                continue
            m = re.fullmatch(_template_regex(op.template), rel)
            if m:
                return op, m.groupdict()
        return None, {}


def _deepest(error: ValidationError) -> ValidationError:
    """Inside an ``anyOf`` (e.g. a nullable object), the branch's own error says more than "not valid under any"."""
    while error.context:
        real = [c for c in error.context if not (c.validator == "type" and c.validator_value == "null")]
        if not real:
            break
        error = max(real, key=lambda c: len(c.absolute_path))
    return error


@cache
def _load(filename: str) -> Spec:
    return Spec(json.loads((SPECS / filename).read_text()), filename.removesuffix(".json"))


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


@cache
def _template_regex(template: str) -> str:
    out, pos = "", 0
    for m in re.finditer(r"\{([^}]+)\}", template):
        out += re.escape(template[pos:m.start()]) + f"(?P<{_group(m.group(1))}>[^/]+?)"
        pos = m.end()
    return out + re.escape(template[pos:])


def _group(name: str) -> str:
    return re.sub(r"\W", "_", name)


def _coerce(value: str, schema: Mapping[str, Any]) -> Any:
    """A query/path string as the JSON value its schema describes (best effort)."""
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    if "integer" in kinds and re.fullmatch(r"-?\d+", value):
        return int(value)
    if "number" in kinds and re.fullmatch(r"-?\d+(\.\d+)?", value):
        return float(value) if "." in value else int(value)
    if "boolean" in kinds and value in ("true", "false"):
        return value == "true"
    return value


def _resolved_schema(spec: Spec, schema: Any) -> dict[str, Any]:
    schema = spec.deref(schema) or {}
    return schema if isinstance(schema, dict) else {}


def check_request(specs: Iterable[Spec], method: str, path: str, query: Mapping[str, str | list[str]],
                  headers: Mapping[str, str]) -> list[str]:
    """Problems of one request against the first spec that has its operation."""
    specs = list(specs)
    for spec in specs:
        op, path_values = spec.find(method, path)
        if op is not None:
            return _check_request(op, path_values, query, {k.lower(): v for k, v in headers.items()})
    return [f"{method} {path}: no such operation in {', '.join(s.name for s in specs)}"]


def _check_request(op: Operation, path_values: dict[str, str], query: Mapping[str, str | list[str]],
                   headers: Mapping[str, str]) -> list[str]:
    spec, problems = op.spec, []
    name = op.name
    queried = {k: (v if isinstance(v, list) else [v]) for k, v in query.items()}
    used: set[str] = set()
    for index, param in enumerate(op.parameters):
        where, pname = param["in"], param["name"]
        pointer = _param_pointer(op, param, index)
        schema = _resolved_schema(spec, param.get("schema", {}))
        if where == "path":
            value = path_values.get(_group(pname))
            if value is None:
                problems.append(f"{name}: path parameter {pname} missing")
                continue
            problems += spec.schema_errors(pointer, _coerce(value, schema), f"{name}: path parameter {pname}")
        elif where == "query":
            if param.get("style") == "deepObject":
                prefix = pname + "["
                keys = [k for k in queried if k.startswith(prefix) and k.endswith("]")]
                if not keys:
                    if param.get("required"):
                        problems.append(f"{name}: required query parameter {pname}[…] missing")
                    continue
                obj: dict[str, Any] = {}
                for k in keys:
                    used.add(k)
                    prop = k[len(prefix):-1]
                    documented = schema.get("properties") or {}
                    if prop not in documented and not schema.get("additionalProperties"):
                        problems.append(f"{name}: query parameter {k!r} is not documented for this operation")
                    sub = _resolved_schema(spec, documented.get(prop, {}))
                    obj[prop] = _coerce(queried[k][-1], sub)
                problems += spec.schema_errors(pointer, obj, f"{name}: query parameter {pname}")
                continue
            if pname not in queried:
                if param.get("required"):
                    problems.append(f"{name}: required query parameter {pname} missing")
                continue
            used.add(pname)
            values = queried[pname]
            if schema.get("type") == "array":
                value: Any = [_coerce(v, _resolved_schema(spec, schema.get("items", {}))) for v in values]
            else:
                if len(values) > 1:
                    problems.append(f"{name}: query parameter {pname} given {len(values)} times")
                value = _coerce(values[-1], schema)
            problems += spec.schema_errors(pointer, value, f"{name}: query parameter {pname}")
        elif where == "header":
            got = headers.get(pname.lower())
            if got is None:
                if param.get("required"):
                    problems.append(f"{name}: required header {pname} missing")
                continue
            problems += spec.schema_errors(pointer, _coerce(got, schema), f"{name}: header {pname}")
    for k in queried:
        if k not in used:
            problems.append(f"{name}: query parameter {k!r} is not documented for this operation")
    problems += _check_security(op, headers)
    return problems


def _param_pointer(op: Operation, param: dict[str, Any], index: int) -> str:
    """A JSON pointer to the parameter's schema (a synthetic one for $ref'd parameters)."""
    raw = op.node.get("parameters", [])
    for i, p in enumerate(raw):
        target = op.spec.deref(p)
        if target is param:
            if "$ref" in p:
                return p["$ref"][1:] + "/schema"
            return f"{op.pointer}/parameters/{i}/schema"
    item_pointer = op.pointer.rsplit("/", 1)[0]
    for i, p in enumerate(op.spec.at(item_pointer).get("parameters", [])):
        if op.spec.deref(p) is param:
            return (p["$ref"][1:] if "$ref" in p else f"{item_pointer}/parameters/{i}") + "/schema"
    raise LookupError(f"parameter {param.get('name')} of {op.name} not found")


def _check_security(op: Operation, headers: Mapping[str, str]) -> list[str]:
    requirements = op.node.get("security", op.spec.doc.get("security"))
    if not requirements:
        return []
    schemes = op.spec.doc.get("components", {}).get("securitySchemes", {})
    auth = headers.get("authorization", "")
    reasons = []
    for requirement in requirements:
        if not requirement:
            return []  # {} = anonymous allowed
        ok = True
        for scheme_name in requirement:
            scheme = schemes.get(scheme_name, {})
            if scheme.get("type") == "http":
                wanted = str(scheme.get("scheme", "")).lower()
                if not auth.lower().startswith(wanted + " ") or not auth[len(wanted) + 1:].strip():
                    ok = False
                    reasons.append(f"Authorization must be HTTP {wanted}")
            elif scheme.get("type") == "apiKey" and scheme.get("in") == "header":
                if scheme.get("name", "").lower() not in headers:
                    ok = False
                    reasons.append(f"header {scheme.get('name')} required")
        if ok:
            return []
    return [f"{op.name}: security not met ({'; '.join(dict.fromkeys(reasons))})"]


def check_response(specs: Iterable[Spec], method: str, path: str, status: int, body: Any,
                   content_type: str = "application/json") -> list[str]:
    """Problems of one answer against its operation's documented responses."""
    specs = list(specs)
    for spec in specs:
        op, _ = spec.find(method, path)
        if op is None:
            continue
        responses = op.node.get("responses", {})
        key = next((k for k in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default")
                    if k in responses), None)
        if key is None:
            return [f"{op.name}: status {status} is not documented (documented: {', '.join(responses)})"]
        response = spec.deref(responses[key])
        content = response.get("content") or {}
        media = next((m for m in content if m.split(";")[0].strip() == content_type.split(";")[0].strip()), None)
        if media is None:
            media = next((m for m in content if "json" in m), None)
        if media is None or "schema" not in content[media]:
            return []
        pointer = _response_pointer(op, key, media)
        return spec.schema_errors(pointer, body, f"{op.name} → {status}")
    return [f"{method} {path}: no such operation in {', '.join(s.name for s in specs)}"]


def _response_pointer(op: Operation, key: str, media: str) -> str:
    raw = op.node["responses"][key]
    base = raw["$ref"][1:] if isinstance(raw, dict) and "$ref" in raw else f"{op.pointer}/responses/{_escape(key)}"
    return f"{base}/content/{_escape(media)}/schema"
