"""Where outgoing webhooks may go: public addresses only, unless ``WEBHOOKS_ALLOW_PRIVATE``.

An admin-registered URL must not turn the server into a probe of its own network (loopback,
private, link-local, multicast, reserved ranges; IPv4 and IPv6, IPv4-mapped IPv6 included).
The URL is checked when it is registered (every address its name resolves to), and the
address actually connected to is checked again at delivery, after DNS, so a name that later
resolves to a private address (DNS rebinding) is refused before a byte of the body is sent.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request

from flask import current_app

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddress(OSError):
    """The webhook target is (or resolved to) an address that is not public."""


def private_allowed() -> bool:
    return bool(current_app.config.get("WEBHOOKS_ALLOW_PRIVATE"))


def why_not_public(address: Address) -> str | None:
    """The kind of non-public address ``address`` is, or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for kind, flag in (
        ("a loopback", address.is_loopback),
        ("an unspecified", address.is_unspecified),
        ("a link-local", address.is_link_local),
        ("a multicast", address.is_multicast),
        ("a reserved", address.is_reserved),
        ("a private", address.is_private),
        ("a non-global", not address.is_global),
    ):
        if flag:
            return kind
    return None


def resolve(host: str, port: int) -> list[Address]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


def refusal(host: str, port: int) -> str | None:
    """Why ``host`` may not receive webhooks, or None. A name that does not resolve now is
    not refused here (the delivery checks the address it finally connects to)."""
    if private_allowed():
        return None
    try:
        addresses = resolve(host, port)
    except (OSError, ValueError, UnicodeError):
        return None
    for address in addresses:
        kind = why_not_public(address)
        if kind:
            return (
                f"{host} is {kind} address ({address}). Webhooks may only go to public "
                "addresses (an administrator can allow private ones with WEBHOOKS_ALLOW_PRIVATE)."
            )
    return None


def _check_peer(connection: http.client.HTTPConnection) -> None:
    if private_allowed():
        return
    peer = ipaddress.ip_address(connection.sock.getpeername()[0].split("%", 1)[0])
    kind = why_not_public(peer)
    if kind:
        connection.close()
        raise BlockedAddress(f"refused: {connection.host} is {kind} address ({peer})")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def connect(self):
        super().connect()
        _check_peer(self)


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self):
        # Connect the plain socket, check where it went, then start TLS on it.
        http.client.HTTPConnection.connect(self)
        _check_peer(self)
        server_hostname = self._tunnel_host or self.host
        self.sock = self._context.wrap_socket(self.sock, server_hostname=server_hostname)


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_GuardedHTTPSConnection, req, context=self._context)


def guarded_opener(*handlers) -> urllib.request.OpenerDirector:
    """An opener that checks each connection's peer address and ignores proxy settings
    (through a proxy the peer would be the proxy, not the target)."""
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _GuardedHTTPHandler, _GuardedHTTPSHandler, *handlers
    )
