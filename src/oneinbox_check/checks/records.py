"""Record text as dashboards and DNS show it: quoting, host names, long values."""

from __future__ import annotations


def unquote(value: str) -> str:
    """Provider dashboards show TXT values quoted; DNS answers are not."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value.replace('" "', "")


def same_host(a: str, b: str) -> bool:
    return a.strip().rstrip(".").lower() == b.strip().rstrip(".").lower()


def abbreviate(value: str, keep: int = 12) -> str:
    return value if len(value) <= 2 * keep + 1 else f"{value[:keep]}…{value[-keep:]}"
