"""Who is the client, and was the request made over https, when a proxy may stand in front.

X-Forwarded-For and X-Forwarded-Proto are plain request headers: anybody can send them. They
are believed only when the peer that sent the request is one of the configured proxies
(WALKIN_TRUSTED_PROXIES); otherwise rate limits would key on whatever an attacker writes, or,
without trusting the real proxy, every patient would share the proxy's address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _header(scope: Any, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class TrustedProxies:
    def __init__(self, networks: Iterable[str] = ()) -> None:
        self.networks: tuple[IPNetwork, ...] = tuple(
            ipaddress.ip_network(item, strict=False) for item in networks
        )

    def trusts(self, address: str | None) -> bool:
        if not address or not self.networks:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def _peer(self, scope: Any) -> str | None:
        client = scope.get("client")
        return str(client[0]) if client else None

    def client_address(self, scope: Any) -> str:
        """The first address, from the right of X-Forwarded-For, that is not a trusted proxy."""
        peer = self._peer(scope) or "unknown"
        if not self.trusts(peer):
            return peer
        forwarded = _header(scope, b"x-forwarded-for")
        if not forwarded:
            return peer
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self.trusts(hop):
                return hop[:64]
        return hops[0][:64] if hops else peer

    def scheme(self, scope: Any) -> str:
        """http or https as the browser sees it (TLS usually ends at the proxy)."""
        raw = str(scope.get("scheme", "http"))
        own = {"ws": "http", "wss": "https"}.get(raw, raw)
        if self.trusts(self._peer(scope)):
            forwarded = _header(scope, b"x-forwarded-proto")
            if forwarded:
                first = forwarded.split(",")[0].strip().lower()
                if first in {"http", "https"}:
                    return first
        return own
