"""No network beyond this machine, for every Python the test suite starts.

conftest.py puts this folder first on PYTHONPATH, so the notebook kernels of `make nbval` (and any
other subprocess of the tests) import this module at start-up: the whole course then runs with the
network disabled, and a cell that tries to download fails loudly. Loopback (the kernel's own
connections) still works.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import _socket  # where socket.socket's connect and connect_ex are defined

_LOCAL_NAMES = {"localhost", "ip6-localhost", ""}
_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
_sendto = socket.socket.sendto


def _is_local(host: object) -> bool:
    """Whether `host` is this machine: a loopback name or address (str or bytes), or None; any other type is not."""
    if host is None:  # getaddrinfo(None, port): the wildcard or loopback address, never a lookup
        return True
    if isinstance(host, bytes | bytearray):  # socket accepts a bytes host as well as a str
        host = bytes(host).decode("ascii", errors="replace")
    if not isinstance(host, str):
        return False
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:  # a host name other than localhost
        return False


def _refuse(address: object) -> NoReturn:
    raise OSError(f"network disabled by the course's tests (tests/offline): refused to reach {address!r}")


# `address` is socket's own `_Address` (a tuple for AF_INET and AF_INET6, a path or buffer otherwise).
def _guarded_connect(self: _socket.socket, address: Any) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
        _refuse(address)
    return _connect(self, address)


def _guarded_connect_ex(self: _socket.socket, address: Any) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
        _refuse(address)
    return _connect_ex(self, address)


def _guarded_sendto(self: _socket.socket, data: Any, *args: Any) -> int:
    address = args[-1]  # sendto(data, address) or sendto(data, flags, address)
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
        _refuse(address)
    return _sendto(self, data, *args)


def _guarded_getaddrinfo(host: bytes | str | None, *args: Any, **kwargs: Any) -> list[Any]:
    if not _is_local(host):
        _refuse(host)
    return _getaddrinfo(host, *args, **kwargs)


# Patching the methods is the point (method-assign); mypy still checks the guards' signatures against socket's.
socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = _guarded_getaddrinfo
socket.socket.sendto = _guarded_sendto  # type: ignore[method-assign]  # UDP needs no connect
