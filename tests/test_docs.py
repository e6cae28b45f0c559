"""The provider facts table (docs/providers.md) is generated from the probes'
``facts`` declarations: every provider declares them, the committed file is the
generator's output, and the declared request is the one the probe really sends."""

from __future__ import annotations

import base64
import inspect
import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import respx

from oneinbox_check import check, docs
from oneinbox_check.probes.probe import Probe
from oneinbox_check.probes.registry import load_registry
from oneinbox_check.probes.facts import Call, ProviderFacts
from tests.helpers import ROOT
from tests.probes.rows import NO_ROWS, keys, metadata, row

BASE = "http://127.0.0.1:7"
LOOPBACK = {"127.0.0.1", "::1"}
PROBES = docs.builtin_probes()


def test_every_registered_provider_declares_its_facts() -> None:
    registry = load_registry()
    missing = [p for p in registry.providers if not isinstance(registry.get(p).facts, ProviderFacts)]
    assert not missing, f"providers without facts (add `facts = ProviderFacts(...)` to the probe): {missing}"


def test_every_declared_request_names_an_endpoint_of_its_probe() -> None:
    for probe in PROBES:
        assert probe.facts is not None
        for call in (probe.facts.request, *probe.facts.also):
            assert call.endpoint is None or call.endpoint in probe.endpoints, (probe, call)


def test_committed_docs_equal_the_generated_text() -> None:
    committed = (ROOT / "docs" / "providers.md").read_text(encoding="utf-8")
    assert committed == docs.render(), "docs/providers.md is stale: run `python -m oneinbox_check.docs`"


def test_docs_cover_every_builtin_provider() -> None:
    text = docs.render()
    for provider in load_registry().providers:
        assert f"`{provider}`" in text


def test_rendering_refuses_a_probe_without_facts() -> None:
    class Bare(Probe):
        providers = ("bare",)

    with pytest.raises(ValueError, match="bare"):
        docs.render([*PROBES, Bare()])


def _template(path: str) -> re.Pattern[str]:
    """``/Accounts/{AccountSid}.json`` → a regex with one path segment per ``{…}``."""
    parts = re.split(r"\{[^}]*\}", path)
    return re.compile("[^/]+".join(re.escape(p) for p in parts))


def _fixed(items: tuple[str, ...], sep: str) -> dict[str, str]:
    """The declared names with a fixed value (``<…>`` values vary and are not compared)."""
    pairs = (item.partition(sep) for item in items)
    return {name.strip(): value.strip() for name, _, value in pairs if not value.strip().startswith("<")}


def _metadata(probe: Probe, provider: str) -> dict:
    """The metadata of *provider*'s rows; for a probe whose URL comes from the metadata (no endpoint: custom)
    its ``LEAK_METADATA`` row pointed at :data:`BASE`, so the probe is driven on loopback only."""
    if probe.facts is not None and probe.facts.request.endpoint is None:
        at_base = row(provider, "LEAK_METADATA")
        assert at_base is not NO_ROWS, f"{provider}: add LEAK_METADATA to tests/probes/test_{provider}.py"
        return at_base(BASE)
    return metadata(provider)


def _url_field(call: Call) -> str:
    """The metadata field a request without an endpoint goes to: its whole path is ``{field}``."""
    field = re.fullmatch(r"\{(\w+)\}", call.path)
    assert field, f"a request without an endpoint must declare its path as one metadata field: {call.path}"
    return field.group(1)


def _expected_url(call: Call, meta: dict) -> tuple[str, re.Pattern[str]]:
    if call.endpoint is None:  # the URL comes from the integration (custom): ws → http
        url = urlsplit(meta[_url_field(call)])
        assert url.hostname in LOOPBACK, f"the test would leave loopback: {url.geturl()}"
        scheme = "https" if url.scheme in ("wss", "https") else "http"
        return f"{scheme}://{url.netloc}", re.compile(re.escape(url.path))
    return f"{BASE}/{call.endpoint}", _template(call.path)


def _credential(word: str, meta: dict, key: str) -> str | None:
    """One declared credential source: ``the key``/``<key>`` → the key, ``metadata.X``/``<metadata.X>`` → that
    metadata value; None for a word that names no source."""
    word = word.strip()
    if word.startswith("<") and word.endswith(">"):
        word = word[1:-1].strip()
    if word in ("key", "the key"):
        return key
    if word.startswith("metadata."):
        return str(meta[word.removeprefix("metadata.")])
    return None


def _basic_credentials(auth: str, meta: dict, key: str) -> tuple[str, str]:
    """The user and password an ``HTTP Basic `User:Password` (user source, password source)`` declaration
    names: with the parenthesised sources (twilio: ``(metadata.account_sid, the key)``) each part is read
    from its source; without them a part is a source when written ``<…>`` (``<key>``, ``<metadata.X>``)
    and a literal otherwise (mailgun-style ``api:<key>``: the user ``api``)."""
    found = re.search(r"`([^`:]*):([^`]*)`(?:\s*\(([^)]*)\))?", auth)
    assert found, f"an HTTP Basic declaration names `user:password`: {auth}"
    user, password, sources = found.groups()
    if sources is not None:
        words = sources.split(",")
        assert len(words) == 2, f"the sources name the user and the password, in that order: {auth}"
        resolved = [_credential(w, meta, key) for w in words]
        assert None not in resolved, f"a source is neither `the key` nor `metadata.X`: {auth}"
        return resolved[0], resolved[1]  # type: ignore[return-value]
    parts = [_credential(p, meta, key) if p.strip().startswith("<") else p.strip() for p in (user, password)]
    assert None not in parts, f"a <…> part is neither <key> nor <metadata.X>: {auth}"
    return parts[0], parts[1]  # type: ignore[return-value]


def _check_auth(call: Call, request: httpx.Request, key: str, meta: dict) -> None:
    if call.auth.startswith("HTTP Basic"):
        scheme, _, token = request.headers["authorization"].partition(" ")
        assert scheme == "Basic", request.headers["authorization"]
        user, _, password = base64.b64decode(token).decode().partition(":")
        assert (user, password) == _basic_credentials(call.auth, meta, key), call.auth
        return
    name, _, value = re.search(r"`([^`]+)`", call.auth).group(1).partition(":")  # type: ignore[union-attr]
    assert request.headers.get(name.strip()) == value.strip().replace("<key>", key), call.auth


def test_basic_credentials_read_the_declared_sources() -> None:
    meta = {"account_sid": "AC" + "0" * 32}
    twilio = "HTTP Basic `AccountSid:AuthToken` (metadata.account_sid, the key)"
    assert _basic_credentials(twilio, meta, "tok") == (meta["account_sid"], "tok")
    assert _basic_credentials("HTTP Basic `api:<key>`", {}, "tok") == ("api", "tok")
    assert _basic_credentials("HTTP Basic `<metadata.account_sid>:<key>`", meta, "tok") == (meta["account_sid"], "tok")


@pytest.mark.anyio
@pytest.mark.parametrize("probe", PROBES, ids=[p.providers[0] for p in PROBES])
async def test_declared_request_is_the_first_one_the_probe_sends(probe: Probe) -> None:
    """Drive the probe once (every answer a 503) and compare its first request with ``facts.request``."""
    provider = probe.providers[0]
    assert probe.facts is not None
    call = probe.facts.request
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503)

    key, meta = keys().get(provider), _metadata(probe, provider)
    assert key is not None, f"{provider}: add KEY to tests/probes/test_{provider}.py"
    entry = {"name": provider, "provider": provider, "api_key": key, "metadata": meta}
    with respx.mock(assert_all_called=False) as mock:
        mock.route().mock(side_effect=record)
        await check([entry], endpoints={name: f"{BASE}/{name}" for name in probe.endpoints}, retries=0, timeout=2)
    assert seen, f"{provider}: the probe sent no request"
    first = seen[0]
    base, path = _expected_url(call, meta)
    url = str(first.url.copy_with(query=None))
    assert first.method == call.method
    assert url.startswith(base) and path.fullmatch(url[len(base):]), (url, call.path)
    declared = _fixed(call.query, "=")
    sent = dict(first.url.params)
    assert {n: sent.get(n) for n in declared} == declared
    assert set(sent) <= {item.partition("=")[0] for item in call.query}, f"undeclared query parameters: {sent}"
    for name, value in _fixed(call.headers, ":").items():
        assert first.headers.get(name) == value, name
    _check_auth(call, first, key, meta)


def _normalised(text: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", text)


@pytest.mark.parametrize("probe", [p for p in PROBES if p.facts and p.facts.also],
                         ids=[p.providers[0] for p in PROBES if p.facts and p.facts.also])
def test_further_requests_are_made_in_the_probe_module(probe: Probe) -> None:
    """A weaker check for the deep checks' requests: each declared path is requested in the probe's source."""
    assert probe.facts is not None
    module = inspect.getmodule(type(probe))
    code = [f for f in vars(module).values() if inspect.isfunction(f) and f.__module__ == module.__name__]
    code += [f for f in vars(type(probe)).values() if inspect.isfunction(f)]  # not the facts declaration itself
    source = _normalised("\n".join(inspect.getsource(f) for f in code))
    for call in probe.facts.also:
        assert f'"{_normalised(call.path)}"' in source, call.path


def test_check_flag_fails_on_a_stale_file_and_passes_on_a_fresh_one(tmp_path: Path, capsys) -> None:
    out = tmp_path / "docs" / "providers.md"
    assert docs.main(["--output", str(out), "--check"]) == 1
    assert docs.main(["--output", str(out)]) == 0
    assert docs.main(["--output", str(out), "--check"]) == 0
    out.write_text(out.read_text() + "hand edit\n")
    assert docs.main(["--output", str(out), "--check"]) == 1
    assert "stale" in capsys.readouterr().err
