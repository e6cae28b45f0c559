"""SPF (RFC 7208): find the one ``v=spf1`` record, parse it by the RFC's
grammar, evaluate it the way a receiver does and report what receivers count.

A receiver evaluates SPF for one client address; we have none, so we walk
every term a receiver could reach (all terms before ``all``, then
``redirect``) and stop exactly where RFC 7208 makes the result known for
*every* address: a syntax error anywhere (§4.6), the 11th DNS-querying term
(§4.6.4), the 3rd void lookup (§4.6.4), an include/redirect target without
SPF (§5.2, §6.1), a lookup that fails (temperror). Each DNS name/type is asked
once per run, sibling lookups of one record are asked concurrently, and the
work is bounded by the lookup limit whatever the record tree looks like.
Because no address is assumed, a record that only some senders push past a
limit (an ``ip4`` that matches before the 11th lookup) is reported as the
permerror every other sender gets. An ``mx`` whose name has more than 10 MX
records is a permerror (§4.6.4); the 10-name limit of ``ptr`` concerns the
client's own PTR answer and needs a client, so ``ptr`` is only warned against
(§5.5). Terms with sender macros (``%{i}``, ``%{l}``…) are checked for syntax
and counted, not followed.

Grammar: RFC 7208 §12 (collected ABNF) and §7.1 (macros), parsed by hand,
recursive descent, one function per rule (``_TermParser``)::

    record           = version terms *SP              parse_record
    version          = "v=spf1"                       parse_record / is_spf
    terms            = *( 1*SP ( directive / modifier ) )   parse_record (split on SP)
    directive / modifier (which one: ``name "="``)    _TermParser.term_
    directive        = [ qualifier ] mechanism        _TermParser.directive
    qualifier        = "+" / "-" / "?" / "~"          _TermParser.directive
    mechanism        = all / include / a / mx / ptr / ip4 / ip6 / exists
                                                      _TermParser.mechanism
    all              = "all"                          _TermParser.m_all
    include          = "include" ":" domain-spec      _TermParser.m_include
    exists           = "exists" ":" domain-spec       _TermParser.m_include
    a                = "a" [ ":" domain-spec ] [ dual-cidr-length ]    _TermParser.m_a
    mx               = "mx" [ ":" domain-spec ] [ dual-cidr-length ]   _TermParser.m_a
    ptr              = "ptr" [ ":" domain-spec ]      _TermParser.m_ptr
    ip4              = "ip4" ":" ip4-network [ ip4-cidr-length ]       _TermParser.m_ip4
    ip6              = "ip6" ":" ip6-network [ ip6-cidr-length ]       _TermParser.m_ip6
    modifier         = redirect / explanation / unknown-modifier       _TermParser.modifier
    redirect         = "redirect" "=" domain-spec     _TermParser.modifier
    explanation      = "exp" "=" domain-spec          _TermParser.modifier
    unknown-modifier = name "=" macro-string          _TermParser.modifier
    name             = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )      _TermParser.name
    dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]     _TermParser.dual_cidr_length
    ip4-cidr-length  = "/" ( "0" / %x31-39 0*1DIGIT )  ; 0-32         _TermParser.cidr_length
    ip6-cidr-length  = "/" ( "0" / %x31-39 0*2DIGIT )  ; 0-128        _TermParser.cidr_length
    ip4-network      = qnum "." qnum "." qnum "." qnum                 _TermParser.ip4_network
    qnum             = DIGIT / %x31-39 DIGIT / "1" 2DIGIT / "2" %x30-34 DIGIT / "25" %x30-35
                                                      _TermParser.qnum
    ip6-network      = <RFC 4291 §2.2>                _TermParser.ip6_network
    domain-spec      = macro-string domain-end        _TermParser.domain_spec
    domain-end       = ( "." toplabel [ "." ] ) / macro-expand          _TermParser.domain_end
    toplabel         = ( *alphanum ALPHA *alphanum ) /
                       ( 1*alphanum "-" *( alphanum / "-" ) alphanum )  _TermParser.toplabel
    macro-string     = *( macro-expand / macro-literal )                _TermParser.macro_string
    macro-expand     = ( "%{" macro-letter transformers *delimiter "}" )
                       / "%%" / "%_" / "%-"            _TermParser.macro_expand
    macro-literal    = %x21-24 / %x26-7E               _TermParser.macro_string
    macro-letter     = "s" / "l" / "o" / "d" / "i" / "p" / "h" / "c" / "r" / "t" / "v"
                       (c, r, t only in explanation text, §7.1)         _TermParser.macro_expand
    transformers     = *DIGIT [ "r" ]                  _TermParser.macro_expand
    delimiter        = "." / "-" / "+" / "," / "/" / "_" / "="         _TermParser.macro_expand

The grammar is ambiguous where a domain-spec meets a CIDR length (``/`` is a
macro-literal): as every implementation does, a trailing ``/N`` or ``//N`` of
``a``/``mx`` is the dual-cidr-length. A name the ABNF allows but DNS cannot
carry (an empty or over-long label, §4.3) is never sent: it finds nothing
(a void lookup; for include/redirect "no SPF record", a permerror).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import anyio

from ..models import CheckResult, Status
from .layout import MailDnsLayout
from .lookup import Lookup, lookup_error
from .records import abbreviate

ID = "dns.spf"
LOOKUP_LIMIT = 10  # RFC 7208 §4.6.4
VOID_LIMIT = 2  # RFC 7208 §4.6.4
MX_LIMIT = 10  # RFC 7208 §4.6.4: address lookups per mx
RECORD_SHOWN = 512  # characters of a record kept in the report tree
_CACHED_RECORDS = 1024  # parsed records kept (a fleet's domains share their providers' records)
_CACHED_LENGTH = 2048  # longer records are parsed every time (the cache stays small)

_MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
_QUERYING = {"include", "a", "mx", "ptr", "exists"}  # plus redirect (§4.6.4)
_SECTION = {"all": "5.1", "include": "5.2", "a": "5.3", "mx": "5.4", "ptr": "5.5", "ip4": "5.6", "ip6": "5.6",
            "exists": "5.7", "redirect": "6.1", "exp": "6.2"}
_ALPHA = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGIT = frozenset("0123456789")
_ALNUM = _ALPHA | _DIGIT
_NAME_CHARS = _ALNUM | frozenset("-_.")
_MACRO_LETTERS = frozenset("slodiphcrtv")
_EXP_ONLY_LETTERS = frozenset("crt")
_DELIMITERS = frozenset(".-+,/_=")
_QUALIFIERS = {"+": "pass", "-": "fail", "?": "neutral", "~": "softfail"}


class SpfPermError(Exception):
    """The record cannot be evaluated (RFC 7208 permerror)."""

    def __init__(self, message: str, *, fix: str | None = None, **details: Any):
        super().__init__(message)
        self.fix = fix
        self.details = details


class SpfSyntaxError(SpfPermError):
    """A term breaks the grammar: *term* as written, the ABNF *rule*, what is wrong."""

    def __init__(self, term: str, rule: str, problem: str, *, section: str = "12", fix: str | None = None):
        shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in term[:80])
        shown += "..." if len(term) > 80 else ""
        super().__init__(f'term "{shown}" breaks {rule} (RFC 7208 §{section}): {problem}', fix=fix,
                         term=shown, rule=rule, rfc=f"RFC 7208 §{section}")
        self.term = term
        self.rule = rule
        self.problem = problem


class SpfLookupError(Exception):
    """A DNS lookup during evaluation could not be answered (temperror)."""

    def __init__(self, result: Any):
        super().__init__(result.describe())
        self.result = result


def is_spf(record: str) -> bool:
    """RFC 7208 §4.5: a version section of exactly ``v=spf1``, then SP or the end."""
    low = record[:7].lower()
    return low == "v=spf1" and len(record) == 6 or low == "v=spf1 "


# --- the grammar -----------------------------------------------------------------


@dataclass(frozen=True)
class Mechanism:
    qualifier: str  # "+", "-", "?", "~" (default "+")
    name: str  # one of _MECHANISMS, lower case
    text: str  # the term as written
    domain: str | None = None  # domain-spec; None: the current domain
    network: str | None = None  # ip4/ip6 address
    cidr4: int | None = None
    cidr6: int | None = None
    macros: bool = False  # the domain-spec depends on the sender (cannot be resolved here)

    @property
    def value(self) -> str | None:
        """The part after the name as written (``parse_terms`` compatibility)."""
        rest = self.text.lstrip("+-?~")[len(self.name):]
        return rest[1:] if rest.startswith(":") else (rest or None)


@dataclass(frozen=True)
class Modifier:
    name: str  # lower case
    value: str
    text: str
    macros: bool = False


@dataclass(frozen=True)
class Record:
    text: str
    mechanisms: tuple[Mechanism, ...]
    modifiers: tuple[Modifier, ...]

    @property
    def redirect(self) -> Modifier | None:
        return next((m for m in self.modifiers if m.name == "redirect"), None)

    @property
    def has_all(self) -> bool:
        return any(m.name == "all" for m in self.mechanisms)


class _TermParser:
    """One term, one cursor; each method consumes one ABNF rule or raises SpfSyntaxError."""

    def __init__(self, term: str):
        self.term = term
        self.pos = 0

    # helpers
    def error(self, rule: str, problem: str, section: str = "12", fix: str | None = None) -> SpfSyntaxError:
        return SpfSyntaxError(self.term, rule, problem, section=section, fix=fix)

    def rest(self) -> str:
        return self.term[self.pos:]

    # term = directive / modifier
    def term_(self) -> Mechanism | Modifier:
        name_end = self.name(0)
        if name_end and name_end < len(self.term) and self.term[name_end] == "=":
            return self.modifier(name_end)
        return self.directive()

    def name(self, start: int) -> int:
        """name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ); returns the end index (0: no name)."""
        text = self.term
        if start >= len(text) or text[start] not in _ALPHA:
            return 0
        end = start + 1
        while end < len(text) and text[end] in _NAME_CHARS:
            end += 1
        return end

    # modifier = redirect / explanation / unknown-modifier
    def modifier(self, name_end: int) -> Modifier:
        name = self.term[:name_end].lower()
        value = self.term[name_end + 1:]
        self.pos = name_end + 1
        if name in ("redirect", "exp"):
            if not value:
                example = "redirect=_spf.example.com" if name == "redirect" else "exp=explain._spf.example.com"
                raise self.error(f"{name} (domain-spec)", f"{name}= needs a domain", _SECTION[name],
                                 fix=f"give a domain, e.g. {example}, or remove the term")
            macros = self.domain_spec(value, name)
            return Modifier(name, value, self.term, macros)
        macros = self.macro_string(value, "unknown-modifier", section="6")
        return Modifier(name, value, self.term, macros)

    # directive = [ qualifier ] mechanism
    def directive(self) -> Mechanism:
        qualifier = "+"
        if self.term[:1] in _QUALIFIERS:
            qualifier = self.term[0]
            self.pos = 1
        start = self.pos
        after = self.name(start)
        if start and after and after < len(self.term) and self.term[after] == "=":
            raise self.error("modifier", "modifiers take no qualifier", "6", fix=f"write {self.term[start:]}")
        end = start
        while end < len(self.term) and self.term[end] in _ALNUM:
            end += 1
        word = self.term[start:end]
        if not word:
            if self.term[start:start + 1] in _QUALIFIERS:
                raise self.error("qualifier", "two qualifiers", "4.6.2", fix=f"keep one: {self.term[start:]}")
            raise self.error("directive", "a term must start with a mechanism or modifier name", "4.6.1")
        name = word.lower()
        if name not in _MECHANISMS:
            fix = None
            guesses = {"ipv4": "ip4", "ip": "ip4", "ipv6": "ip6", "prt": "ptr", "includes": "include", "exist": "exists"}
            if name in guesses:
                fix = f"write {self.term.replace(word, guesses[name], 1)}"
            raise self.error("mechanism", f"unknown mechanism {word!r} (known: {', '.join(_MECHANISMS)})", "5",
                             fix=fix)
        self.pos = end
        return self.mechanism(qualifier, name)

    # mechanism = all / include / a / mx / ptr / ip4 / ip6 / exists
    def mechanism(self, qualifier: str, name: str) -> Mechanism:
        handler = {"all": self.m_all, "include": self.m_include, "exists": self.m_include, "a": self.m_a,
                   "mx": self.m_a, "ptr": self.m_ptr, "ip4": self.m_ip4, "ip6": self.m_ip6}[name]
        return handler(qualifier, name)

    def m_all(self, qualifier: str, name: str) -> Mechanism:
        if self.rest():
            raise self.error("all", f"'all' takes no argument ({self.rest()!r} follows)", "5.1",
                             fix=f"write {self.term[:self.pos]}")
        return Mechanism(qualifier, name, self.term)

    def m_include(self, qualifier: str, name: str) -> Mechanism:
        rest = self.rest()
        if not rest.startswith(":"):
            problem = f"{name} needs ':' and a domain" if not rest else f"{name} takes ':' and a domain, not {rest!r}"
            if rest.startswith("/"):
                problem = f"{name} takes no CIDR length"
            raise self.error(name, problem, _SECTION[name], fix=f"write {name}:<domain>, e.g. {name}:_spf.example.com")
        domain = rest[1:]
        if not domain:
            raise self.error(f"{name} (domain-spec)", f"empty domain after '{name}:'", _SECTION[name],
                             fix=f"write {name}:<domain>")
        macros = self.domain_spec(domain, name)
        return Mechanism(qualifier, name, self.term, domain=domain, macros=macros)

    def m_a(self, qualifier: str, name: str) -> Mechanism:
        body, cidr4, cidr6 = self.dual_cidr_length(self.rest(), name)
        domain = None
        macros = False
        if body:
            if not body.startswith(":"):
                raise self.error(name, f"expected ':' domain or a CIDR length after '{name}', found {body!r}",
                                 _SECTION[name])
            domain = body[1:]
            if not domain:
                raise self.error(f"{name} (domain-spec)", f"empty domain after '{name}:'", _SECTION[name],
                                 fix=f"write {name} (the current domain) or {name}:<domain>")
            if _numeric_toplabel(domain):
                cidr = self.term[self.term.index(domain) + len(domain):]
                kind = "ip6" if ":" in domain else "ip4"
                raise self.error("toplabel", f"{domain!r} is an IP address, not a domain", "7.1",
                                 fix=f"write {kind}:{domain}{cidr}")
            macros = self.domain_spec(domain, name)
        return Mechanism(qualifier, name, self.term, domain=domain, cidr4=cidr4, cidr6=cidr6, macros=macros)

    def m_ptr(self, qualifier: str, name: str) -> Mechanism:
        rest = self.rest()
        if not rest:
            return Mechanism(qualifier, name, self.term)
        if not rest.startswith(":"):
            problem = "ptr takes no CIDR length" if rest.startswith("/") else f"unexpected {rest!r} after 'ptr'"
            raise self.error("ptr", problem, "5.5", fix="write ptr or ptr:<domain> (better: do not use ptr)")
        domain = rest[1:]
        if not domain:
            raise self.error("ptr (domain-spec)", "empty domain after 'ptr:'", "5.5", fix="write ptr")
        macros = self.domain_spec(domain, name)
        return Mechanism(qualifier, name, self.term, domain=domain, macros=macros)

    def m_ip4(self, qualifier: str, name: str) -> Mechanism:
        rest = self.rest()
        if not rest.startswith(":") or len(rest) == 1:
            raise self.error("ip4", "ip4 needs ':' and an address", "5.6", fix="write ip4:192.0.2.0/24")
        body, cidr4 = self.single_cidr_length(rest[1:], 32, "ip4-cidr-length", name)
        self.ip4_network(body)
        return Mechanism(qualifier, name, self.term, network=body, cidr4=cidr4)

    def m_ip6(self, qualifier: str, name: str) -> Mechanism:
        rest = self.rest()
        if not rest.startswith(":") or len(rest) == 1:
            raise self.error("ip6", "ip6 needs ':' and an address", "5.6", fix="write ip6:2001:db8::/32")
        body, cidr = self.single_cidr_length(rest[1:], 128, "ip6-cidr-length", name)
        self.ip6_network(body)
        return Mechanism(qualifier, name, self.term, network=body, cidr6=cidr)

    def single_cidr_length(self, text: str, limit: int, rule: str, name: str) -> tuple[str, int | None]:
        """An address literal and its optional ``/N`` (addresses contain no '/')."""
        if "/" not in text:
            return text, None
        body, digits = text.rsplit("/", 1)
        if body.endswith("/") or "/" in body:
            raise self.error(rule, f"{name} takes one CIDR length, not a dual one", "5.6",
                             fix=f"write {name}:{body.split('/')[0]}/{digits}" if digits else None)
        if any(c not in _DIGIT for c in digits):
            raise self.error(rule, f"CIDR length {digits!r} is not a number", "5.6")
        return body, self.cidr_length(digits, limit, rule)

    # dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
    def dual_cidr_length(self, text: str, name: str) -> tuple[str, int | None, int | None]:
        """Split *text* into (what precedes the CIDR lengths, ip4 length, ip6 length), from the right."""
        cidr4 = cidr6 = None

        def digits_before(j: int) -> int:
            while j > 0 and text[j - 1] in _DIGIT:
                j -= 1
            return j

        end = len(text)
        start = digits_before(end)
        if start >= 2 and text[start - 2:start] == "//":
            cidr6 = self.cidr_length(text[start:end], 128, "ip6-cidr-length")
            end = start - 2
            start = digits_before(end)
        if start >= 1 and text[start - 1] == "/" and not (start >= 2 and text[start - 2] == "/" and start == end):
            cidr4 = self.cidr_length(text[start:end], 32, "ip4-cidr-length")
            end = start - 1
        return text[:end], cidr4, cidr6

    # ip4-cidr-length / ip6-cidr-length
    def cidr_length(self, digits: str, limit: int, rule: str) -> int:
        section = "5.6"
        if not digits:
            raise self.error(rule, "'/' without a length", section)
        if len(digits) > 1 and digits[0] == "0":
            if int(digits) > limit:
                raise self.error(rule, f"CIDR length {digits!r} has a leading zero and is over {limit}", section,
                                 fix=f"use at most /{limit}, without leading zeros")
            raise self.error(rule, f"CIDR length {digits!r} has a leading zero", section, fix=f"write /{int(digits)}")
        if len(digits) > len(str(limit)) or int(digits) > limit:
            raise self.error(rule, f"CIDR length {digits} is over {limit}", section, fix=f"use at most /{limit}")
        return int(digits)

    # ip4-network = qnum "." qnum "." qnum "." qnum
    def ip4_network(self, text: str) -> None:
        parts = text.split(".")
        if len(parts) != 4:
            raise self.error("ip4-network", f"{text!r} is not four dot-separated numbers", "5.6",
                             fix=self._ip4_fix(text))
        for part in parts:
            self.qnum(part, text)

    def _ip4_fix(self, text: str) -> str | None:
        head = text.split(":")[0].split("/")[0]
        try:
            if head != text and str(ipaddress.IPv4Address(head)) == head:
                return f"write ip4:{head}"
        except ValueError:
            pass
        return None

    def qnum(self, part: str, text: str) -> None:
        """qnum: 0-255 in decimal, no leading zero."""
        if not part or any(c not in _DIGIT for c in part):
            raise self.error("ip4-network", f"{part!r} in {text!r} is not a number 0-255", "5.6",
                             fix=self._ip4_fix(text))
        if len(part) > 1 and part[0] == "0":
            raise self.error("qnum", f"{part!r} in {text!r} has a leading zero", "5.6",
                             fix=f"write {int(part)}" if int(part) < 256 else None)
        if int(part) > 255:
            raise self.error("qnum", f"{part} in {text!r} is over 255", "5.6")

    # ip6-network = <RFC 4291 §2.2>
    def ip6_network(self, text: str) -> None:
        if not text or any(c not in "0123456789abcdefABCDEF:." for c in text):
            raise self.error("ip6-network", f"{text!r} is not an IPv6 address (RFC 4291 §2.2)", "5.6")
        try:
            ipaddress.IPv6Address(text)
        except ValueError as exc:
            raise self.error("ip6-network", f"{text!r} is not an IPv6 address: {exc}", "5.6") from None
        if "." in text:  # embedded IPv4 part: qnum rules (no leading zeros)
            self.ip4_network(text.rsplit(":", 1)[1])

    # domain-spec = macro-string domain-end
    def domain_spec(self, text: str, owner: str) -> bool:
        """Validate; True when the spec contains sender macros (cannot be resolved here)."""
        pieces = self.macro_pieces(text, owner, in_domain=True)
        self.domain_end(text, pieces, owner)
        return any(kind == "macro" for kind, _ in pieces)

    # domain-end = ( "." toplabel [ "." ] ) / macro-expand
    def domain_end(self, text: str, pieces: list[tuple[str, str]], owner: str) -> None:
        if pieces and pieces[-1][0] in ("macro", "escape"):
            return
        tail = pieces[-1][1] if pieces else ""
        stripped = tail[:-1] if tail.endswith(".") else tail
        if "." not in stripped:
            if any(kind != "literal" for kind, _ in pieces):
                raise self.error("domain-end", f"{text!r} must end in '.' and a top-level label, or a macro", "7.1")
            raise self.error("domain-end", f"{text!r} is a single label; a domain needs a dot and a top-level label",
                             "7.1", fix="use the fully qualified name")
        self.toplabel(stripped.rsplit(".", 1)[1], text)

    # toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
    def toplabel(self, label: str, text: str) -> None:
        if not label:
            raise self.error("toplabel", f"{text!r} ends with an empty label", "7.1",
                             fix=f"write {text.rstrip('.')}")
        bad = [c for c in label if c not in _ALNUM and c != "-"]
        if bad:
            problem = f"top-level label {label!r} of {text!r} contains {bad[0]!r}"
            fix = None
            if bad[0] == "/":
                problem += " (a CIDR length is not allowed here)"
                fix = f"write {self.term.split('/')[0]}"
            if bad[0] == ":":
                fix = f"remove the {label[label.index(':'):]!r}"
            raise self.error("toplabel", problem, "7.1", fix=fix)
        if "-" in label:
            if label[0] == "-" or label[-1] == "-":
                raise self.error("toplabel", f"top-level label {label!r} of {text!r} starts or ends with '-'", "7.1")
            return
        if not any(c in _ALPHA for c in label):
            raise self.error("toplabel", f"top-level label {label!r} of {text!r} is numeric", "7.1")

    # macro-string = *( macro-expand / macro-literal )
    def macro_string(self, text: str, owner: str, section: str = "7.1") -> bool:
        return any(kind == "macro" for kind, _ in self.macro_pieces(text, owner, in_domain=False))

    def macro_pieces(self, text: str, owner: str, *, in_domain: bool) -> list[tuple[str, str]]:
        """[(kind, text)]: "literal" runs, "macro" (``%{…}``) and "escape" (``%%`` ``%_`` ``%-``)."""
        pieces: list[tuple[str, str]] = []
        i = 0
        literal_start = 0
        while i < len(text):
            c = text[i]
            if c == "%":
                if i > literal_start:
                    pieces.append(("literal", text[literal_start:i]))
                i, piece = self.macro_expand(text, i, owner, in_domain)
                pieces.append(piece)
                literal_start = i
                continue
            if not "\x21" <= c <= "\x7e":
                raise self.error("macro-literal", f"character {c!r} is not allowed (visible ASCII only)", "7.1")
            i += 1
        if literal_start < len(text):
            pieces.append(("literal", text[literal_start:]))
        return pieces

    # macro-expand = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
    def macro_expand(self, text: str, i: int, owner: str, in_domain: bool) -> tuple[int, tuple[str, str]]:
        nxt = text[i + 1:i + 2]
        if nxt in ("%", "_", "-"):
            return i + 2, ("escape", text[i:i + 2])
        if nxt != "{":
            if not nxt:
                raise self.error("macro-expand", "a '%' at the end starts no macro", "7.1",
                                 fix="write %% for a literal percent sign")
            raise self.error("macro-expand", f"'%{nxt}' is not a macro (use %{{letter}}, %%, %_ or %-)", "7.1",
                             fix="write %% for a literal percent sign")
        close = text.find("}", i + 2)
        if close < 0:
            raise self.error("macro-expand", f"macro {text[i:]!r} is not closed with '}}'", "7.1")
        inner = text[i + 2:close]
        if not inner or inner[0].lower() not in _MACRO_LETTERS:
            shown = inner[:1] or "nothing"
            raise self.error("macro-letter", f"'%{{{inner}}}': {shown!r} is not a macro letter (s l o d i p h v)",
                             "7.1")
        letter = inner[0].lower()
        if letter in _EXP_ONLY_LETTERS:
            raise self.error("macro-letter", f"'%{{{inner}}}': the {letter!r} macro is allowed only in explanation "
                             "text, not in a domain or modifier", "7.1")
        j = 1
        while j < len(inner) and inner[j] in _DIGIT:
            j += 1
        if j > 1 and int(inner[1:j]) == 0:
            raise self.error("transformers", f"'%{{{inner}}}': a label count of zero is invalid", "7.3")
        if j < len(inner) and inner[j] in "rR":
            j += 1
        for c in inner[j:]:
            if c not in _DELIMITERS:
                raise self.error("delimiter", f"'%{{{inner}}}': {c!r} is not a transformer or delimiter "
                                 "(digits, r, then . - + , / _ =)", "7.1")
        return close + 1, ("macro", text[i:close + 1])


def malformed(name: str) -> str | None:
    """RFC 7208 §4.3: why *name* cannot be a DNS name (empty label, label over 63, over 253), or None.

    Such a name is never sent: it finds nothing, like a lookup that answers no records.
    """
    name = name[:-1] if name.endswith(".") else name
    labels = name.split(".")
    if any(not label for label in labels):
        return "has an empty label"
    if any(len(label) > 63 for label in labels):
        return "has a label longer than 63 characters"
    if len(name) > 253:
        return "is longer than 253 characters"
    return None


def _numeric_toplabel(domain: str) -> bool:
    try:
        ipaddress.ip_address(domain)
    except ValueError:
        return False
    return True


def parse_record(record: str) -> Record:
    """RFC 7208 §12 ``record``; raises SpfSyntaxError naming the first broken term.

    A valid record's parse is kept (:class:`Record` is immutable): the domains of a
    run share records (``v=spf1 include:amazonses.com ~all``, and the record that
    include leads to), each parsed once. A broken record is parsed, and raises, each time.
    """
    if len(record) <= _CACHED_LENGTH:
        return _parse_cached(record)
    return _parse(record)


@lru_cache(maxsize=_CACHED_RECORDS)
def _parse_cached(record: str) -> Record:
    return _parse(record)


def _parse(record: str) -> Record:
    if not is_spf(record):
        raise SpfSyntaxError(record[:20], "version", 'the record must start with "v=spf1" and a space', section="4.5")
    mechanisms: list[Mechanism] = []
    modifiers: list[Modifier] = []
    seen: set[str] = set()
    for term in record[6:].split(" "):  # terms = *( 1*SP ( directive / modifier ) ); only SP separates
        if not term:
            continue
        bad = next((c for c in term if not "\x21" <= c <= "\x7e"), None)
        if bad is not None:
            raise SpfSyntaxError(term, "terms", f"contains {_char_name(bad)}; terms are visible ASCII separated by "
                                 "spaces", section="4.6.1",
                                 fix="retype the record in plain ASCII" if ord(bad) > 127 else
                                 "separate terms with single spaces only")
        parsed = _TermParser(term).term_()
        if isinstance(parsed, Modifier):
            if parsed.name in ("redirect", "exp"):
                if parsed.name in seen:
                    raise SpfSyntaxError(term, parsed.name, f"{parsed.name}= appears more than once", section="6",
                                         fix=f"keep one {parsed.name}= modifier")
                seen.add(parsed.name)
            modifiers.append(parsed)
        else:
            mechanisms.append(parsed)
    return Record(record, tuple(mechanisms), tuple(modifiers))


def _char_name(c: str) -> str:
    import unicodedata

    return f"U+{ord(c):04X} ({unicodedata.name(c, 'control character')})"


def parse_terms(record: str, domain: str) -> list[tuple[str, str, str | None]]:
    """[(qualifier, name, value)] for mechanisms and (``name=``) modifiers; SpfPermError on bad syntax."""
    parsed = parse_record(record)
    terms: list[tuple[str, str, str | None]] = [(m.qualifier, m.name, m.value) for m in parsed.mechanisms]
    terms += [("", m.name + "=", m.value) for m in parsed.modifiers]
    return terms


# --- evaluation ------------------------------------------------------------------


@dataclass
class Node:
    domain: str
    record: str
    children: list["Node"] = field(default_factory=list)
    all_qualifier: str | None = None
    redirect: str | None = None
    redirect_node: "Node | None" = None

    def tree(self) -> dict[str, Any]:
        out: dict[str, Any] = {"domain": self.domain, "record": abbreviate(self.record, RECORD_SHOWN // 2)}
        if self.children:
            out["includes"] = [c.tree() for c in self.children]
        if self.redirect_node is not None:
            out["redirect"] = self.redirect_node.tree()
        return out

    def domains(self) -> set[str]:
        found = {self.domain}
        for child in self.children + ([self.redirect_node] if self.redirect_node else []):
            found |= child.domains()
        return found


class _Slot:
    __slots__ = ("event", "value")

    def __init__(self) -> None:
        self.event = anyio.Event()
        self.value: Any = None


@dataclass
class Evaluation:
    """One run of one SPF tree: counters, warnings and the once-per-name cache."""

    resolver: Lookup | None = None
    lookups: int = 0
    void: int = 0
    warnings: list[str] = field(default_factory=list)
    asked: int = 0  # distinct DNS questions sent
    _memo: dict[tuple[str, str], _Slot] = field(default_factory=dict)

    async def query(self, name: str, rdtype: str) -> Any:
        """Each (name, type) is asked once per evaluation, however often it appears."""
        key = (name.lower().rstrip("."), rdtype)
        while True:
            slot = self._memo.get(key)
            if slot is None:
                slot = self._memo[key] = _Slot()
                self.asked += 1
                try:
                    slot.value = await self.resolver.query(*key)  # type: ignore[union-attr]
                except BaseException:
                    del self._memo[key]  # cancelled or broken: a later caller asks again
                    slot.event.set()
                    raise
                slot.event.set()
                return slot.value
            await slot.event.wait()
            if slot.value is not None:
                return slot.value

    async def prefetch(self, name: str, rdtype: str) -> None:
        try:
            await self.query(name, rdtype)
        except Exception:  # the evaluation asks again and sees the failure itself
            pass

    def warn(self, text: str) -> None:
        if len(self.warnings) < 20 and text not in self.warnings:
            self.warnings.append(text)

    def count(self, term: str, domain: str) -> None:
        self.lookups += 1
        if self.lookups > LOOKUP_LIMIT:
            raise SpfPermError(f"more than {LOOKUP_LIMIT} DNS lookups (the {LOOKUP_LIMIT + 1}th is {term} in "
                               f"the record of {domain}): receivers stop there with permerror (RFC 7208 §4.6.4)",
                               fix="Remove includes you no longer use, or replace some with ip4:/ip6: ranges.",
                               limit="lookups")

    def count_void(self, term: str, domain: str, target: str) -> None:
        self.void += 1
        self.warn(f"{term} in {domain}'s SPF finds no records at {target} (void lookup)")
        if self.void > VOID_LIMIT:
            raise SpfPermError(f"more than {VOID_LIMIT} void lookups (the {VOID_LIMIT + 1}th is {term} in the record "
                               f"of {domain}): receivers stop there with permerror (RFC 7208 §4.6.4)",
                               fix="Remove a/mx/include terms that point at names without records.", limit="void")


async def fetch_spf(resolver: Lookup, domain: str) -> tuple[str | None, Any]:
    """(the single SPF record or None when missing, the DNS result). Raises on 2+ records."""
    result = await resolver.query(domain, "TXT")
    if result.failed:
        raise SpfLookupError(result)
    records = [r for r in result.records if is_spf(r)] if result.found else []
    if len(records) > 1:
        raise SpfPermError(f"{domain} has {len(records)} SPF records; there must be exactly one (RFC 7208 §4.5)",
                           fix=f"Keep one TXT record at {domain} that starts with v=spf1; merge the others into it.")
    return (records[0] if records else None), result


def _questions(mech: Mechanism, domain: str) -> list[tuple[str, str]]:
    target = mech.domain or domain
    if mech.macros or malformed(target):
        return []
    return {"include": [(target, "TXT")], "a": [(target, "A"), (target, "AAAA")], "mx": [(target, "MX")],
            "exists": [(target, "A")]}.get(mech.name, [])


async def _evaluate(ev: Evaluation, domain: str, record: str, stack: tuple[str, ...]) -> Node:
    try:
        parsed = parse_record(record)
    except SpfSyntaxError as exc:
        exc.details["record_of"] = domain
        raise
    node = Node(domain, record)
    reached: list[Mechanism] = []
    for mech in parsed.mechanisms:
        reached.append(mech)
        if mech.name == "all":
            break
    ignored = parsed.mechanisms[len(reached):]
    if ignored:
        ev.warn(f"{domain}'s SPF has terms after 'all' that are never evaluated: "
                + " ".join(m.text for m in ignored[:5]) + (" …" if len(ignored) > 5 else ""))
    names = [m.name for m in parsed.modifiers]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        ev.warn(f"{domain}'s SPF repeats the modifier(s) {', '.join(n + '=' for n in repeated)}: valid (RFC 7208 §6 "
                "ignores unknown modifiers) but some receivers (pyspf in strict mode) treat it as permerror")
    redirect = parsed.redirect
    if redirect is not None and parsed.has_all:
        ev.warn(f"{domain}'s SPF has 'all', so {redirect.text} is ignored (RFC 7208 §6.1)")
        redirect = None
    # Ask the questions of the next lookups concurrently (only as many as the budget allows).
    budget = max(0, LOOKUP_LIMIT - ev.lookups)
    wanted: list[tuple[str, str]] = []
    for mech in [m for m in reached if m.name in _QUERYING][:budget]:
        wanted += _questions(mech, domain)
    querying = len([m for m in reached if m.name in _QUERYING])
    if redirect is not None and not redirect.macros and not malformed(redirect.value) and querying < budget:
        wanted.append((redirect.value, "TXT"))
    questions = list(dict.fromkeys(wanted))
    if len(questions) <= 1:  # nothing to overlap: the walk asks it first itself
        await _walk(ev, node, reached, redirect, stack)
        return node
    error: BaseException | None = None
    async with anyio.create_task_group() as tg:
        for name, rdtype in questions:
            tg.start_soon(ev.prefetch, name, rdtype)
        try:
            await _walk(ev, node, reached, redirect, stack)
        except (SpfPermError, SpfLookupError) as exc:
            error = exc
        tg.cancel_scope.cancel()
    if error is not None:
        raise error
    return node


async def _walk(ev: Evaluation, node: Node, reached: list[Mechanism], redirect: Modifier | None,
                stack: tuple[str, ...]) -> None:
    domain = node.domain
    for mech in reached:
        if mech.name == "all":
            node.all_qualifier = mech.qualifier
            break
        if mech.name not in _QUERYING:
            continue
        ev.count(mech.text, domain)
        if mech.macros:
            ev.warn(f"{mech.text} in {domain}'s SPF depends on the sender; not followed here")
            continue
        target = mech.domain or domain
        if mech.name == "include":
            node.children.append(await _follow(ev, mech.text, domain, target, stack, "include"))
        elif mech.name == "ptr":
            ev.warn(f"{domain}'s SPF uses 'ptr', which RFC 7208 §5.5 says not to use")
        elif malformed(target):
            ev.warn(f"{mech.text} in {domain}'s SPF: {target!r} {malformed(target)}, so it matches nothing")
            ev.count_void(mech.text, domain, target)
        else:
            answers = [await ev.query(name, rdtype) for name, rdtype in _questions(mech, domain)]
            failed = next((a for a in answers if a.failed), None)
            if failed is not None:
                raise SpfLookupError(failed)
            if not any(a.found for a in answers):
                ev.count_void(mech.text, domain, target)
            elif mech.name == "mx" and len(answers[0].records) > MX_LIMIT:
                raise SpfPermError(f"{mech.text} in the record of {domain}: {target} has {len(answers[0].records)} "
                                   f"MX records, over the {MX_LIMIT} a receiver may look up (RFC 7208 §4.6.4)",
                                   fix=f"Use ip4:/ip6: ranges or a:<host> terms instead of {mech.text}.")
    if redirect is not None:
        ev.count(redirect.text, domain)
        if redirect.macros:
            ev.warn(f"{redirect.text} in {domain}'s SPF depends on the sender; not followed here")
            return
        child = await _follow(ev, redirect.text, domain, redirect.value.rstrip("."), stack, "redirect")
        node.redirect = child.domain
        node.redirect_node = child
        node.all_qualifier = child.all_qualifier


async def _follow(ev: Evaluation, term: str, domain: str, target: str, stack: tuple[str, ...], kind: str) -> Node:
    key = target.lower().rstrip(".")
    if key in stack:
        raise SpfPermError(f"{kind} loop: {' -> '.join(stack + (key,))} (RFC 7208 §4.6.4: a loop can never "
                           "finish within the lookup limit)", fix=f"Remove {term} from the record of {domain}.")
    if malformed(target):
        raise SpfPermError(f"{term} in the record of {domain}: {target!r} {malformed(target)}, so it has no SPF "
                           f"record, which is a permerror (RFC 7208 §4.3)", fix=f"Correct the name in {term}.")
    record, result = await fetch_spf(ev, target)
    if record is None:
        if result.missing:
            ev.void += 1
        section = "5.2" if kind == "include" else "6.1"
        raise SpfPermError(f"{term} in the record of {domain}: {target} has no SPF record, which is a permerror "
                           f"(RFC 7208 §{section})", fix=f"Remove {term} or publish SPF at {target}.")
    return await _evaluate(ev, target, record, stack + (key,))


def _fail(summary: str, remediation: str, **details: Any) -> CheckResult:
    return CheckResult(id=ID, status=Status.FAIL, summary=summary, remediation=remediation, details=details or None)


async def check_layout(resolver: Lookup, layout: MailDnsLayout) -> CheckResult:
    """``dns.spf`` at *layout*'s return-path host; ``skip`` when the layout names none."""
    if not layout.return_path:
        return CheckResult(id=ID, status=Status.SKIP, summary="no return-path host known for this provider layout")
    return await check_spf(resolver, layout.return_path, require_include=layout.spf_include,
                           suggested=layout.spf_suggested)


async def check_spf(resolver: Lookup, domain: str, *, require_include: str | None = None,
                    suggested: str | None = None) -> CheckResult:
    """``dns.spf`` for *domain* (usually the return-path host).

    *require_include*: a domain that must be authorised (e.g. ``amazonses.com``),
    directly or through nested includes. *suggested*: the record to add when missing.
    """
    suggested = suggested or (f"v=spf1 include:{require_include} ~all" if require_include else "v=spf1 ~all")
    ev = Evaluation(resolver)
    if malformed(domain):  # RFC 7208 §4.3: no lookup, the result is "none"
        return _fail(f"no SPF record at {domain}: the name {malformed(domain)} (RFC 7208 §4.3)",
                     "Check the domain: it cannot exist in DNS.", name=domain, valid=False)
    try:
        record, result = await fetch_spf(ev, domain)
    except SpfLookupError as exc:
        return lookup_error(ID, exc.result)
    except SpfPermError as exc:
        return _fail(str(exc), exc.fix or "", name=domain, valid=False)
    if record is None:
        return _fail(f"no SPF record at {domain}", f'Add a TXT record at {domain}: "{suggested}"',
                     name=domain, expected=suggested, valid=False)
    try:
        root = await _evaluate(ev, domain, record, (domain.lower().rstrip("."),))
    except SpfLookupError as exc:
        return lookup_error(ID, exc.result)
    except SpfSyntaxError as exc:
        where = exc.details.get("record_of", domain)
        inner = "" if where == domain else f" (in the record of {where}, reached from {domain})"
        fix = (exc.fix[0].upper() + exc.fix[1:] + "." if exc.fix else "Fix the term so receivers can evaluate it.")
        if where != domain:
            fix += f" If you do not control {where}, remove the term that leads there."
        return _fail(f"SPF at {domain} is invalid{inner}: {exc}", fix, name=domain, record=abbreviate(record, 256),
                     lookups=ev.lookups, void_lookups=ev.void, valid=False, **exc.details)
    except SpfPermError as exc:
        return _fail(f"SPF at {domain} is broken: {exc}", exc.fix or "Fix the record so receivers can evaluate it.",
                     name=domain, record=abbreviate(record, 256), lookups=ev.lookups, void_lookups=ev.void,
                     valid=False, **exc.details)
    details: dict[str, Any] = {"name": domain, "record": record, "lookups": ev.lookups,
                               "void_lookups": ev.void, "valid": True, "tree": root.tree()}
    if ev.warnings:
        details["warnings"] = list(ev.warnings)
    if require_include and not any(_covers(d, require_include) for d in root.domains()):
        return _fail(f"SPF at {domain} does not authorise {require_include}",
                     f'Add include:{require_include} to the record, e.g. "{suggested}"', **details)
    if root.all_qualifier == "+":
        return _fail(f"SPF at {domain} ends in +all: anyone may send as this domain",
                     "Use ~all or -all.", **details)
    if root.all_qualifier is None:
        return CheckResult(id=ID, status=Status.WARN, summary=f"SPF at {domain} has no 'all' term (defaults to neutral)",
                           remediation="End the record with ~all or -all.", details=details)
    if root.all_qualifier == "?":
        return CheckResult(id=ID, status=Status.WARN, summary=f"SPF at {domain} ends in ?all (neutral)",
                           remediation="Use ~all or -all so unauthorised senders are flagged.", details=details)
    extra = f", authorises {require_include}" if require_include else ""
    return CheckResult(id=ID, status=Status.PASS,
                       summary=f"SPF at {domain} is valid ({ev.lookups}/{LOOKUP_LIMIT} lookups{extra})", details=details)


def _covers(domain: str, wanted: str) -> bool:
    domain, wanted = domain.lower().rstrip("."), wanted.lower().rstrip(".")
    return domain == wanted
