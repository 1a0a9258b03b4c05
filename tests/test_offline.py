"""The test suite runs offline: notebooks and subprocesses cannot reach the network."""

import os
import socket
import subprocess
import sys

import pytest


def test_this_process_cannot_reach_the_network():
    with pytest.raises(OSError, match="network disabled"):
        socket.create_connection(("93.184.216.34", 80), timeout=1)
    with pytest.raises(OSError, match="network disabled"):
        socket.getaddrinfo("example.com", 443)


@pytest.mark.parametrize("host", [b"93.184.216.34", bytearray(b"93.184.216.34"), b"example.com"])
def test_a_bytes_host_is_refused_too(host):
    """socket.connect takes a bytes host as well as a str: the guard decodes it instead of letting it through."""
    with socket.socket() as sock, pytest.raises(OSError, match="network disabled"):
        sock.settimeout(1)
        sock.connect((host, 80))
    with socket.socket() as sock, pytest.raises(OSError, match="network disabled"):
        sock.connect_ex((host, 80))


def test_a_datagram_to_another_machine_is_refused_and_loopback_still_works():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        with pytest.raises(OSError, match="network disabled"):
            sock.sendto(b"x", ("93.184.216.34", 53))
        assert sock.sendto(b"x", ("127.0.0.1", 9)) == 1


def test_a_bytes_loopback_host_still_connects():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.socket() as client:
            client.settimeout(1)
            client.connect((b"127.0.0.1", server.getsockname()[1]))


def test_subprocesses_inherit_the_guard_and_loopback_still_works():
    code = (
        "import socket\n"
        "server = socket.socket(); server.bind(('127.0.0.1', 0)); server.listen()\n"
        "socket.create_connection(server.getsockname(), timeout=1).close()\n"
        "try:\n    socket.create_connection(('8.8.8.8', 53), timeout=1)\n"
        "except OSError as error:\n    print(error)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True)
    assert "network disabled" in out.stdout
