"""What a run prepares before its clock starts and what it gives back after it
(issue 12: nothing heavy in the event loop during a run; the process's collector
settings restored)."""

from __future__ import annotations

import gc

import httpx
import respx

from oneinbox_check import check_sync, secrets

KEY = "sk-proj-" + "Wq7Lp3Zx9Rt5Vn1Bc8Md4Kf6Hs2Jg0Ay7Ue3Io" + "{:06d}"


def test_the_keys_are_indexed_before_the_first_request_is_sent() -> None:
    pending_at_request: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        pending_at_request.append(len(secrets._pending))
        return httpx.Response(200, json={"object": "list", "data": []})

    with respx.mock(assert_all_called=False) as mock:
        mock.get(url__regex=r".*").mock(side_effect=answer)
        check_sync([{"name": f"i{n}", "provider": "openai", "api_key": KEY.format(n)} for n in range(5)],
                   endpoints={"openai": "https://api.openai.example"})
    assert pending_at_request and set(pending_at_request) == {0}  # no index built inside the run


def test_a_run_gives_the_collector_its_thresholds_back() -> None:
    before = gc.get_threshold()
    seen: list[tuple[int, ...]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(gc.get_threshold())
        return httpx.Response(200, json={"object": "list", "data": []})

    with respx.mock(assert_all_called=False) as mock:
        mock.get(url__regex=r".*").mock(side_effect=answer)
        check_sync([{"name": "one", "provider": "openai", "api_key": KEY.format(1)}],
                   endpoints={"openai": "https://api.openai.example"})
    assert seen and seen[0][0] >= 10_000  # fewer young collections during the run
    assert gc.get_threshold() == before and not gc.get_freeze_count()
