"""``custom`` LLM: no key to verify (it is optional), but a ``custom_websocket_url``
whose host must resolve and whose WebSocket opening handshake must succeed.

The handshake is the RFC 6455 HTTP/1.1 Upgrade request sent through the run's
HTTP client (so it works on asyncio and trio alike and shares its timeouts).
Safety first (SPEC §8, §13): the host is resolved once, every address is
judged by the address rule (no link-local / cloud-metadata target), and the
request goes to the checked address itself (the URL carries the IP; ``Host``
and, for ``wss://``, the TLS server name stay the host's), so a second,
different resolution cannot redirect it. Credentials (the key, or user-info
in the URL) never travel over ``ws://`` to anything but loopback.

A pass needs what RFC 6455 §4.1 (client side, steps 1–6) requires of the
reply: ``101``, ``Upgrade: websocket``, ``Connection: upgrade``, the right
``Sec-WebSocket-Accept``, and no subprotocol or extension the client did not
ask for. Answers that prove nothing about the server — an HTML page (a WAF,
a captive portal), a 2xx instead of 101, a 400 (the server may want a
subprotocol or another header), 5xx — are ``error``, not ``fail``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from urllib.parse import unquote, urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict

from ..endpoints import is_loopback
from ..models import CheckResult, Status
from ..net import addresses
from ..net.outcomes import Failure, Reply
from ..net.replies import error_message, json_object
from ..secrets import Secret, wrap
from ._verdicts import undetermined
from .facts import Call, ProviderFacts
from .probe import Probe, ProbeContext

ID = "custom.websocket"
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class CustomMetadata(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)  # probes read metadata, never change it
    custom_websocket_url: str


def _shown(parts) -> str:
    """The URL as it may be shown: without user-info."""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


class CustomProbe(Probe):
    facts = ProviderFacts(
        request=Call("GET", None, "{custom_websocket_url}",
                     "`Authorization: Bearer <key>` when a key is given, else Basic from the URL's user-info; "
                     "neither over ws:// except to loopback",
                     headers=("Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13",
                              "Sec-WebSocket-Key: <random>")),
        valid="101 with `Upgrade: websocket`, `Connection: Upgrade`, the right `Sec-WebSocket-Accept` and no "
              "subprotocol or extension the client did not ask for (RFC 6455 §4.1).",
        invalid="a URL that is not ws:// or wss://; a 101 lacking any of those; a JSON 401/403 (the server "
                "refused the handshake); 404/405 (no "
                "WebSocket at this URL); 426 (version 13 refused); a host without A/AAAA records; a "
                "link-local or cloud-metadata address; credentials over ws:// to a non-loopback host.",
        indeterminate="an HTML page (a WAF, a proxy, a captive portal); 400 (a subprotocol or header may be "
                      "required); a 2xx instead of 101; 5xx and other statuses; a DNS failure; a transport "
                      "failure.",
        sources=("RFC 6455 §4.1 (https://www.rfc-editor.org/rfc/rfc6455#section-4.1)",),
    )
    providers = ("custom",)
    title = "custom LLM"
    check_ids = (ID,)
    key_required = False
    metadata_model = CustomMetadata
    top_level_metadata = ("custom_websocket_url",)  # OneInbox takes it at the top level of the body too

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        url = ctx.metadata.custom_websocket_url.strip()
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            parts, port = None, None
        if parts is None or parts.scheme not in ("ws", "wss") or not parts.hostname:
            shown = _shown(parts) if parts is not None else "(not a URL)"
            return [ctx.result(ID, Status.FAIL, f"custom_websocket_url must be a ws:// or wss:// URL, got {shown!r}",
                               "Use the WebSocket URL of your LLM server, e.g. wss://llm.example.com/ws.")]
        host = parts.hostname
        user = unquote(parts.username) if parts.username else ""
        password = Secret(unquote(parts.password)) if parts.password else None  # registered: never shown
        if user:
            Secret(user)
        resolved = await _resolve(ctx, host)
        if isinstance(resolved, CheckResult):
            return [resolved]
        for address in resolved:
            refused = addresses.refusal(address)
            if refused:
                return [ctx.result(ID, Status.FAIL, f"refused to contact {host}: {refused}",
                                   "Use the public address of your LLM server; the checker (and OneInbox) "
                                   "never connect to link-local or cloud-metadata addresses.", address=str(address))]
        target = resolved[0]
        credentials = bool(ctx.key) or bool(user or password)
        if credentials and parts.scheme == "ws" and not is_loopback(str(target)):
            return [ctx.result(ID, Status.FAIL, f"credentials would be sent in clear text over ws:// to {host}",
                               "Use wss:// for a server that needs a key.")]
        nonce = base64.b64encode(os.urandom(16)).decode()
        default_port = 443 if parts.scheme == "wss" else 80
        name_in_host = f"[{host}]" if ":" in host else host
        headers: dict[str, object] = {
            "Host": name_in_host if port in (None, default_port) else f"{name_in_host}:{port}",
            "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": nonce,
        }
        auth = None
        if ctx.key:
            headers["Authorization"] = wrap(ctx.key, "Bearer {}")
        elif user or password:
            auth = (user, password or Secret("", _register_it=False))
        scheme = "https" if parts.scheme == "wss" else "http"
        literal = f"[{target}]" if target.version == 6 else str(target)
        netloc = literal if port is None else f"{literal}:{port}"
        # connect to the checked address; TLS names (and verifies) the host itself
        extensions = {"sni_hostname": host} if scheme == "https" and addresses.parse(host) is None else None
        pinned = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
        outcome = await ctx.http.request("GET", pinned, headers=headers, auth=auth, idempotent=False,
                                         extensions=extensions)
        if isinstance(outcome, Failure):
            return [undetermined(ctx, ID, outcome, "WebSocket handshake")]
        return [_judge(ctx, outcome, nonce, host)]


async def _resolve(ctx: ProbeContext, host: str) -> list[addresses.IPAddress] | CheckResult:
    """The addresses to judge and connect to, A before AAAA; or the result saying why there are none."""
    literal = addresses.parse(host)
    if literal is not None:
        return [literal]
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761: always loopback, never asked
        return [addresses.parse("127.0.0.1")]  # type: ignore[list-item]
    answers = [await ctx.dns.query(host, t) for t in ("A", "AAAA")]
    found = [a for answer in answers if answer.found for a in map(addresses.parse, answer.records) if a is not None]
    if found:
        return found
    if all(a.missing for a in answers):
        return ctx.result(ID, Status.FAIL, f"host {host} does not resolve (no A/AAAA record)",
                          "Fix the host name or add its DNS record.")
    failed = next((a for a in answers if a.failed), None)
    reason = (failed.reason or failed.outcome) if failed else "no address in the answer"
    return ctx.result(ID, Status.ERROR, f"could not resolve {host}: {reason}", "Retry later, or check --nameserver.")


def _tokens(value: str) -> set[str]:
    return {t.strip().lower() for t in value.split(",") if t.strip()}


def _judge(ctx: ProbeContext, reply: Reply, nonce: str, host: str) -> CheckResult:
    status = reply.status
    body = reply.body.lstrip()[:1]
    if status == 101:
        problem = _handshake_problem(reply, nonce)
        if problem is None:
            return ctx.result(ID, Status.PASS, f"WebSocket handshake with {host} succeeded")
        return ctx.result(ID, Status.FAIL, f"the server answered 101 but {problem}",
                          "The endpoint is not a conforming WebSocket server (RFC 6455 §4.1), "
                          "or a proxy in between rewrote its answer.", http_status=status)
    if body == b"<":  # an HTML page: a firewall, a proxy or a captive portal speaking, not the server
        return ctx.result(ID, Status.ERROR, f"HTTP {status} with an HTML page instead of a WebSocket handshake "
                          "(a firewall, proxy or captive portal?)",
                          "Check the URL from the network OneInbox uses; retry later.", http_status=status)
    if status in (401, 403) and json_object(reply) is not None:
        msg = error_message(json_object(reply))
        return ctx.result(ID, Status.FAIL, f"the server refused the handshake (HTTP {status}"
                          + (f": {msg})" if msg else ")"), "Check the key the server expects.", http_status=status)
    if status in (404, 405):
        return ctx.result(ID, Status.FAIL, f"no WebSocket at this URL (HTTP {status} instead of 101)",
                          "Check the path: it must be the WebSocket endpoint, not the HTTP API.", http_status=status)
    if status == 426:
        wanted = reply.headers.get("sec-websocket-version")
        return ctx.result(ID, Status.FAIL, "the server refused WebSocket version 13 (HTTP 426"
                          + (f", it wants {wanted})" if wanted else ")"),
                          "The server must speak RFC 6455 (version 13).", http_status=status)
    if status == 400:
        return ctx.result(ID, Status.ERROR, "the server rejected the handshake request (HTTP 400): it may require "
                          "a subprotocol, an Origin or another header",
                          "Check what the server needs to accept a WebSocket connection.", http_status=status)
    if 200 <= status < 300:
        return ctx.result(ID, Status.ERROR, f"HTTP {status} instead of 101 Switching Protocols (a captive portal, "
                          "a proxy that does not pass WebSocket upgrades, or a plain HTTP endpoint?)",
                          "Check the URL and any proxy in between; retry from the network OneInbox uses.",
                          http_status=status)
    return undetermined(ctx, ID, reply, "WebSocket handshake")


def _handshake_problem(reply: Reply, nonce: str) -> str | None:
    """What RFC 6455 §4.1 makes the client reject in a 101 reply, or ``None``."""
    headers = reply.headers
    if "websocket" not in _tokens(headers.get("upgrade", "")):
        return "without 'Upgrade: websocket'"
    if "upgrade" not in _tokens(headers.get("connection", "")):
        return "without 'Connection: Upgrade'"
    expected = base64.b64encode(hashlib.sha1((nonce + _GUID).encode()).digest()).decode()
    if headers.get("sec-websocket-accept", "").strip() != expected:
        return "with a wrong Sec-WebSocket-Accept"
    if headers.get("sec-websocket-extensions"):
        return "with an extension the client did not ask for"
    if headers.get("sec-websocket-protocol"):
        return "with a subprotocol the client did not ask for"
    return None
