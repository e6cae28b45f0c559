"""The probe contract: :class:`Probe` (what a provider declares and checks) and
:class:`ProbeContext` (what one run of it gets).

A probe knows one provider (or several sharing one key, like ``openai`` and
``whisper``) and declares everything about it: key format and mask prefixes,
endpoints and their rate limits, the metadata model and the fields OneInbox
also takes at the top level, its typed options and its live checks.
``run(ctx)`` returns results — determinate ones only when the provider's answer
is documented, ``error`` for everything else (the tri-state rule: not-200 is
not "invalid"; see :mod:`._verdicts`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from ..checks.keyformat import KeyFormat, Signature, check_key
from ..models import CheckResult, Integration, Status, Tool
from ..secrets import Secret
from .facts import ProviderFacts

if TYPE_CHECKING:
    from ..net.dns import Resolver
    from ..net.http import HttpClient

T = TypeVar("T", int, float, str)


class NoMetadata(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)  # probes read metadata, never change it


@dataclass(frozen=True)
class EnvNames:
    """How a provider's key (and metadata) is usually named in an environment: the names its
    own SDK or quick-start reads. ``check --from-env`` and ``init`` read these declarations."""

    key: str  # the key's variable, e.g. OPENAI_API_KEY
    required: Mapping[str, str] = field(default_factory=dict)  # metadata field -> variable, always referred to
    optional: Mapping[str, str] = field(default_factory=dict)  # metadata field -> variable, when set


@dataclass(frozen=True)
class Option(Generic[T]):
    """A typed option a probe declares: the library takes it as ``probe_options[name]``,
    the CLI as ``--name-with-dashes`` (generated from this declaration)."""

    name: str  # the probe_options key, e.g. "calcom_days"
    type: type[T]
    default: T
    help: str  # the CLI help line, as users read it
    low: T | None = None
    high: T | None = None
    what: str = "a value"  # the value's noun phrase in error messages ("a whole number of days")
    metavar: str = "N"

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def parse(self, value: Any) -> T:
        """*value* (command-line text or a library value) as the declared type within its bounds.

        Raises ``ValueError`` with a message fit for the command line."""
        if isinstance(value, str):
            try:
                parsed = self.type(value)
            except ValueError:
                raise ValueError(f"{value!r} is not {self.what}") from None
        elif isinstance(value, bool) or not isinstance(value, (int, float) if self.type is float else self.type):
            raise ValueError(f"{value!r} is not {self.what}")
        else:
            parsed = self.type(value)
        if (self.low is not None and parsed < self.low) or (self.high is not None and parsed > self.high):
            raise ValueError(f"must be {self.low:g} or more" if self.high is None else
                             f"must be between {self.low:g} and {self.high:g}")
        return parsed


@dataclass
class ProbeContext:
    """What a probe gets for one integration. Built by :meth:`Probe.context` (the runner calls it)."""

    probe: "Probe"
    integration: Integration
    metadata: Any
    key: Secret | None
    tools: list[Tool]
    http: "HttpClient"
    dns: "Resolver"
    endpoints: Mapping[str, str]
    options: Mapping[str, Any] = field(default_factory=dict)  # validated probe options, by name
    started: float = field(default_factory=time.perf_counter)

    @property
    def title(self) -> str:
        """The provider's name as people write it ("Cal.com"): the subject of verdict summaries."""
        return self.probe.title or self.integration.provider

    def option(self, option: Option[T]) -> T:
        """The run's value of a declared *option* (its default when not given)."""
        value = self.options.get(option.name)
        return option.default if value is None else option.type(value)

    def url(self, endpoint: str, path: str = "") -> str:
        """``endpoint`` base URL (after overrides) joined with *path*."""
        return self.endpoints[endpoint].rstrip("/") + path

    def elapsed_ms(self) -> int:
        return int((time.perf_counter() - self.started) * 1000)

    def result(self, id: str, status: Status, summary: str, remediation: str | None = None, /,
               **details: Any) -> CheckResult:
        return CheckResult(id=id, status=status, summary=summary, remediation=remediation,
                           details=details or None, duration_ms=self.elapsed_ms())

    def skipped(self, ids: Sequence[str], reason: str, remediation: str | None = None) -> list[CheckResult]:
        return [self.result(i, Status.SKIP, reason, remediation) for i in ids]


class Probe:
    """Base class of every provider probe. Subclasses set the class attributes and ``run``."""

    providers: ClassVar[tuple[str, ...]] = ()
    title: ClassVar[str] = ""
    endpoints: ClassVar[Mapping[str, str]] = {}  # endpoint name -> default base URL (--endpoint NAME=URL)
    rate_limits: ClassVar[Mapping[str, float]] = {}  # endpoint name -> documented requests per second
    check_ids: ClassVar[tuple[str, ...]] = ("key.auth",)
    key_format: ClassVar[KeyFormat | None] = None
    key_required: ClassVar[bool] = True
    mask_prefixes: ClassVar[tuple[str, ...]] = ()  # public key prefixes the mask keeps ("re_…a1b2")
    signatures: ClassVar[tuple[tuple[str, str], ...]] = ()  # (regex, label) identifying this provider's keys
    metadata_model: ClassVar[type[BaseModel]] = NoMetadata
    top_level_metadata: ClassVar[tuple[str, ...]] = ()  # metadata fields OneInbox also takes at top level
    options: ClassVar[tuple[Option[Any], ...]] = ()
    environment: ClassVar[Mapping[str, EnvNames]] = {}  # provider -> its conventional variable names
    tool_types: ClassVar[tuple[str, ...]] = ()
    facts: ClassVar[ProviderFacts | None] = None  # what it asks and how it reads the answer (docs/providers.md)

    def format_check(self, provider: str, key: str, metadata: Any, signatures: Sequence[Signature]) -> CheckResult:
        """``key.format`` for *key*; override to add provider rules, calling super()."""
        return check_key(key, provider, self.key_format, same_key_providers=self.providers,
                         signatures=signatures, display=self.title or provider)

    def context(self, **fields: Any) -> ProbeContext:
        """The context of one run of this probe (the runner builds it here: it knows no probe type)."""
        return ProbeContext(probe=self, **fields)

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {','.join(self.providers)}>"
