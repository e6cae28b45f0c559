"""DMARC (RFC 7489): one ``v=DMARC1`` record at ``_dmarc.<domain>``, falling
back to the organisational domain (public suffix list shipped with
``publicsuffixlist``; nothing is downloaded at run time), parsed by the
RFC 7489 §6.4 ABNF.

Policy discovery (§6.6.3): TXT records at ``_dmarc.<domain>`` that do not
start with a ``v=DMARC1`` tag are discarded; none left → ask the
organisational domain; more than one → no DMARC applies (``fail``). A
subdomain that inherits the organisational record gets its ``sp`` policy
(``p`` when there is no ``sp``).

ABNF (§6.4) → function::

    dmarc-record    = dmarc-version dmarc-sep [dmarc-request] *( dmarc-sep tag ) [dmarc-sep]
                                                   parse (v first, then p; the rest in any order)
    dmarc-sep       = *WSP ";" *WSP                parse (split on ";", WSP stripped)
    tag             = name *WSP "=" *WSP value     _tag
    dmarc-version   = "v" *WSP "=" *WSP "DMARC1"   is_dmarc / parse
    dmarc-request   = "p" = ( "none" / "quarantine" / "reject" )   _policy
    dmarc-srequest  = "sp" = ( "none" / "quarantine" / "reject" )  _policy
    dmarc-auri/furi = "rua"/"ruf" = dmarc-uri *( *WSP "," *WSP dmarc-uri )   _uris
    dmarc-uri       = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]      _uris
    dmarc-adkim/aspf = "adkim"/"aspf" = ( "r" / "s" )                    _alignment
    dmarc-ainterval = "ri" = 1*DIGIT                                      _interval
    dmarc-fo        = "fo" = ( "0" / "1" / "d" / "s" ) *( ":" ... )       _failure_options
    dmarc-rfmt      = "rf" = Keyword *( ":" Keyword )                     _report_format
    dmarc-percent   = "pct" = 1*3DIGIT (0-100)                            _percent

Unknown tags are ignored (§6.3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..models import CheckResult, Status
from .layout import MailDnsLayout
from .lookup import Lookup, lookup_error
from .records import unquote

ID = "dns.dmarc"
POLICIES = {"none", "quarantine", "reject"}
_WSP = " \t"
_VERSION = re.compile(r"^[ \t]*v[ \t]*=[ \t]*DMARC1[ \t]*(;|$)", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_KEYWORD = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")


@cache
def _psl() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def organisational_domain(domain: str) -> str:
    domain = domain.lower().rstrip(".")
    return _psl().privatesuffix(domain) or domain


class DmarcSyntaxError(ValueError):
    """A tag breaks RFC 7489 §6.4; *tag* is the tag as written."""

    def __init__(self, tag: str, problem: str, fix: str | None = None):
        super().__init__(f"tag {tag!r}: {problem} (RFC 7489 §6.4)")
        self.tag = tag
        self.fix = fix


@dataclass(frozen=True)
class DmarcRecord:
    tags: dict[str, str]  # lower-case names → values as written (WSP trimmed)
    order: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    def policy_for(self, inherited: bool) -> tuple[str, str]:
        """(tag name, policy) that applies: ``sp`` for a subdomain inheriting the record, else ``p``."""
        if inherited and "sp" in self.tags:
            return "sp", self.tags["sp"].lower()
        return "p", self.tags.get("p", "").lower()


def is_dmarc(record: str) -> bool:
    """§6.6.3: a record whose first tag is v=DMARC1 (WSP around '=' allowed; case-insensitive here)."""
    return bool(_VERSION.match(record))


def _tag(part: str) -> tuple[str, str]:
    name, sep, value = part.partition("=")
    name = name.strip(_WSP)
    if not sep or not name:
        raise DmarcSyntaxError(part.strip(_WSP), "is not name=value", fix="separate tags with ';', e.g. p=none; "
                               "rua=mailto:dmarc@example.com")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise DmarcSyntaxError(part.strip(_WSP), f"{name!r} is not a tag name")
    return name.lower(), value.strip(_WSP)


def _policy(name: str, value: str) -> None:
    if value.lower() not in POLICIES:
        raise DmarcSyntaxError(f"{name}={value}", "must be none, quarantine or reject",
                               fix=f"{name}=none to start monitoring, later quarantine or reject")


def _uris(name: str, value: str) -> None:
    if not value:
        raise DmarcSyntaxError(f"{name}=", "needs at least one URI", fix=f"{name}=mailto:dmarc@<your domain>")
    for uri in value.split(","):
        uri = uri.strip(_WSP)
        base, bang, size = uri.partition("!")
        if bang and not re.fullmatch(r"[0-9]+[kmgtKMGT]?", size):
            raise DmarcSyntaxError(f"{name}={value}", f"size limit {'!' + size!r} must be digits and k, m, g or t")
        if not _SCHEME.match(base):
            fix = f"{name}=mailto:{base}" if "@" in base and ":" not in base else None
            raise DmarcSyntaxError(f"{name}={value}", f"{base!r} is not a URI (e.g. mailto:dmarc@example.com)", fix=fix)


def _alignment(name: str, value: str) -> None:
    if value.lower() not in ("r", "s"):
        raise DmarcSyntaxError(f"{name}={value}", "must be r (relaxed) or s (strict)")


def _interval(name: str, value: str) -> None:
    if not value.isdigit() or not value.isascii():
        raise DmarcSyntaxError(f"{name}={value}", "must be a number of seconds")


def _failure_options(name: str, value: str) -> None:
    if not all(o.strip(_WSP).lower() in ("0", "1", "d", "s") for o in value.split(":")):
        raise DmarcSyntaxError(f"{name}={value}", "must be 0, 1, d or s, separated by ':'")


def _report_format(name: str, value: str) -> None:
    if not all(_KEYWORD.match(k.strip(_WSP)) for k in value.split(":")):
        raise DmarcSyntaxError(f"{name}={value}", "must be report format keywords separated by ':' (e.g. afrf)")


def _percent(name: str, value: str) -> None:
    if not (value.isascii() and value.isdigit() and len(value) <= 3 and int(value) <= 100):
        raise DmarcSyntaxError(f"{name}={value}", "must be a whole number from 0 to 100")


_VALIDATORS = {"p": _policy, "sp": _policy, "rua": _uris, "ruf": _uris, "adkim": _alignment, "aspf": _alignment,
               "ri": _interval, "fo": _failure_options, "rf": _report_format, "pct": _percent}


def parse_record(record: str) -> DmarcRecord:
    """RFC 7489 §6.4; raises DmarcSyntaxError naming the offending tag."""
    parts = [p for p in record.split(";") if p.strip(_WSP)]
    tags: dict[str, str] = {}
    order: list[str] = []
    warnings: list[str] = []
    for part in parts:
        name, value = _tag(part)
        if name in tags:
            raise DmarcSyntaxError(part.strip(_WSP), f"{name}= appears twice", fix=f"keep one {name}= tag")
        tags[name] = value
        order.append(name)
    if not order or order[0] != "v" or tags["v"] != "DMARC1":
        first = parts[0].strip(_WSP) if parts else record
        raise DmarcSyntaxError(first, "the record must start with v=DMARC1 (upper case)", fix="start with v=DMARC1;")
    for name in order[1:]:
        if name in _VALIDATORS:
            _VALIDATORS[name](name, tags[name])
    if "p" not in tags:
        raise DmarcSyntaxError("v=DMARC1", "no p= tag (required in a policy record, RFC 7489 §6.3)",
                               fix="add p=none after v=DMARC1")
    if order[1] != "p":
        warnings.append("p= should directly follow v=DMARC1 (RFC 7489 §6.4); most receivers accept it anyway")
    return DmarcRecord(tags, tuple(order), tuple(warnings))


def parse(record: str) -> dict[str, str]:
    """Tag names → values (compatibility helper); ValueError on bad syntax."""
    return dict(parse_record(record).tags)


def _result(status: Status, summary: str, details: dict[str, Any], remediation: str | None = None) -> CheckResult:
    return CheckResult(id=ID, status=status, summary=summary, remediation=remediation, details=details)


async def check_layout(resolver: Lookup, layout: MailDnsLayout) -> CheckResult:
    """``dns.dmarc`` of *layout*'s domain (every layout has one)."""
    return await check_dmarc(resolver, layout.domain)


async def check_dmarc(resolver: Lookup, domain: str) -> CheckResult:
    domain = domain.lower().rstrip(".")
    org = organisational_domain(domain)
    names = [f"_dmarc.{domain}"] + ([f"_dmarc.{org}"] if org != domain else [])
    suggestion = f'Add a TXT record at _dmarc.{org}: "v=DMARC1; p=none; rua=mailto:dmarc@{org}"'
    for name in names:
        result = await resolver.query(name, "TXT")
        if result.failed:
            return lookup_error(ID, result)
        texts = [unquote(r) for r in result.records] if result.found else []
        records = [t for t in texts if is_dmarc(t)]  # §6.6.3: other TXT records here are discarded
        if not records:
            continue
        inherited = name != names[0]
        if len(records) > 1:
            return _result(Status.FAIL, f"{len(records)} DMARC records at {name}: receivers apply none of them "
                           "(RFC 7489 §6.6.3)", {"name": name, "records": records},
                           f"Keep exactly one TXT record starting with v=DMARC1 at {name}.")
        record = records[0]
        details: dict[str, Any] = {"name": name, "record": record, "inherited": inherited}
        try:
            parsed = parse_record(record)
        except DmarcSyntaxError as exc:
            details["tag"] = exc.tag
            fix = f"Fix {exc.tag!r}: {exc.fix}." if exc.fix else f"Fix {exc.tag!r} (RFC 7489 §6.4)."
            return _result(Status.FAIL, f"DMARC record at {name} is invalid: {exc}", details, fix)
        which, policy = parsed.policy_for(inherited)
        details["policy"] = policy
        details["policy_tag"] = which
        if "sp" in parsed.tags:
            details["sp"] = parsed.tags["sp"].lower()
        if "pct" in parsed.tags:
            details["pct"] = int(parsed.tags["pct"])
        if parsed.warnings:
            details["warnings"] = list(parsed.warnings)
        if inherited:
            where = f"{name} (inherited from the organisational domain; {which}={policy} applies to {domain})"
        else:
            where = name
        shown = f"{which}={policy}"
        if policy == "none":
            return _result(Status.PASS, f"DMARC at {where}: {shown} (monitoring only)", details)
        return _result(Status.PASS, f"DMARC at {where}: {shown}", details)
    return _result(Status.WARN, f"no DMARC record at {names[0]}" + (f" or {names[1]}" if len(names) > 1 else ""),
                   {"names": names}, suggestion + " (recommended: mailbox providers expect it for bulk senders).")
