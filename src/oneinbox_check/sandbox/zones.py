"""DNS data shared by the sandbox and the tests: DKIM public keys generated for the
sandbox, and hostile SPF trees. Each provider's sending domains are in its fake
(``fakes/<provider>.py``); ``scenario.zone_records()`` collects them."""

from __future__ import annotations

KEY_2048 = ("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsWdI/RyvkdBMbKzKnsc33BFGbL1nr+HrPXAoSpaS/Lp9kiMJ22gMi/a1Mv7cuvLv"
            "x4Zjf7h2Aa/ajcE/fTcGLVYnFAbwKuVCNfM3CBGuxCu+YS6u6yUdrPVEXKYKFTo1qMgNio1Namy/mPSEXtpKyaz20Z+kUC5LqG7hHMMT5pTGbUUE"
            "FHkmck9+BAvKkscVjDNnD1yBDEaYcV9iUG9APCphr2MWOYKChbqidGZbqLv6/cDSsPgODXU61EH0H05KhQEwzbJVuBc0S7I0ximXRBbuFijeH5pV"
            "N3BVg+ze/uBiT53hpoOubH830mAoDSP6mdymINdDEWp6TpojdVxgbQIDAQAB")
KEY_1024 = ("MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDGt8TgBzgbmNdpLrXv8HhZOoWhVjKUZ/S7yBgXzi3d0qMkE/0yWWhe/C+od75+swF4Y+0f"
            "Tx5EsVrLBJwLbw7srbeBPqSdu1Z8sLRoggkY4XZ9NAcud+8VpXpzbUPGW5778SmGdFiacCX5ko3d6rLrTCGYiui3/J3cXsGtYtPNwwIDAQAB")
KEY_512 = ("MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAL2lnYQ9xuq9OFyI2StrhCnIUhCxZ9G8sp+kzbntbs+9XKG9NWl4/4HjvKIsVJmhJyRTVi5wcyCY"
           "0JH9egTcVDUCAwEAAQ==")


# --- hostile SPF trees (issue 8 item 6): what a receiver must stop early on -------------

def spf_doubling_tree(root: str, levels: int = 19) -> dict[str, dict[str, list[str]]]:
    """``levels`` records, each including the next twice: 2**levels paths from ``levels`` names."""
    zones: dict[str, dict[str, list[str]]] = {}
    for level in range(levels):
        name = root if level == 0 else f"l{level}.{root}"
        nxt = f"l{level + 1}.{root}"
        body = f"include:{nxt} include:{nxt} " if level + 1 < levels else ""
        zones[name] = {"TXT": [f"v=spf1 {body}ip4:192.0.2.{level % 250}/32 ~all"]}
    return zones


def spf_chain(root: str, length: int) -> dict[str, dict[str, list[str]]]:
    """An include chain ``root → c1.root → … → c<length>.root``."""
    zones: dict[str, dict[str, list[str]]] = {}
    for i in range(length + 1):
        name = root if i == 0 else f"c{i}.{root}"
        body = f"include:c{i + 1}.{root} " if i < length else ""
        zones[name] = {"TXT": [f"v=spf1 {body}~all"]}
    return zones


def endless_spf_chain(suffix: str):  # type: ignore[no-untyped-def]
    """A ``ZoneData`` generator: ``n<N>.<suffix>`` includes ``n<N+1>.<suffix>``, for ever."""
    suffix = suffix.lower().rstrip(".")

    def generate(name: str, rdtype: str) -> list[str] | None:
        head, _, rest = name.partition(".")
        if rest != suffix or not head.startswith("n") or not head[1:].isdigit():
            return None
        return [f"v=spf1 include:n{int(head[1:]) + 1}.{suffix} ~all"] if rdtype == "TXT" else []

    return generate


def spf_wide(root: str, width: int) -> tuple[dict[str, dict[str, list[str]]], list[str]]:
    """``root`` includes ``w0.root`` … ``w<width-1>.root`` side by side; returns (zones, the included names)."""
    names = [f"w{i}.{root}" for i in range(width)]
    zones: dict[str, dict[str, list[str]]] = {root: {"TXT": ["v=spf1 " + " ".join(f"include:{n}" for n in names)
                                                              + " -all"]}}
    for i, name in enumerate(names):
        zones[name] = {"TXT": [f"v=spf1 ip4:198.51.100.{i % 250}/32 -all"]}
    return zones, names
