"""Test support for the thumbnail proxy: a loopback TLS image server with a trustme
certificate, the collaborators that point allowlisted names at it, and a recorder of every
socket connect and name lookup the process makes (optionally refusing all but loopback)."""

from __future__ import annotations

import errno
import os
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address, ip_address
from pathlib import Path

import pytest
import trustme

from functions.thumbnail import addresses, fetch

JPEG = (Path(__file__).resolve().parent.parent / "fixtures" / "thumbnail.jpg").read_bytes()
LOOPBACK = IPv4Address("127.0.0.1")
CERT_HOSTS = ("i.ytimg.com", *(f"i{n}.ytimg.com" for n in range(1, 10)), "img.youtube.com")


@pytest.fixture(autouse=True)
def nothing_left_in_tmp(monkeypatch):
    """Import into a test module: every temporary file made during a test (trustme's key files
    included) lands in a watched directory, which must be empty again when the test ends."""
    with tempfile.TemporaryDirectory(prefix="thumbnail-test-") as watched:
        monkeypatch.setattr(tempfile, "tempdir", watched)
        yield
        assert os.listdir(watched) == []


@dataclass
class Reply:
    status: int = 200
    headers: dict = field(default_factory=lambda: {"Content-Type": "image/jpeg"})
    body: bytes = JPEG
    chunked: bool = False  # send with Transfer-Encoding: chunked instead of Content-Length
    hold: bool = False  # send nothing until the test ends (timeouts)
    drip: bool = False  # send the body one byte at a time until the test ends (deadline)


class TlsUpstream:
    """HTTPS on 127.0.0.1:<port> with a certificate for `hosts` from a test-only CA.
    Replies are chosen by request path; every request's Host, path and SNI name is recorded."""

    def __init__(self, hosts=CERT_HOSTS):
        self.ca = trustme.CA()
        self.routes: dict[str, Reply] = {}
        self.requests: list[dict] = []
        self.sni: list[str | None] = []
        self.released = threading.Event()
        server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert(*hosts).configure_cert(server_tls)
        server_tls.sni_callback = lambda sock, name, ctx: self.sni.append(name)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                outer.requests.append(
                    {"path": self.path, "host": self.headers.get("Host"), "headers": dict(self.headers)}
                )
                reply = outer.routes.get(self.path, Reply(404, {"Content-Type": "text/plain"}, b"no such path"))
                if reply.hold:
                    outer.released.wait(30)
                    return
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header(
                    "Transfer-Encoding" if reply.chunked else "Content-Length",
                    "chunked" if reply.chunked else str(len(reply.body)),
                )
                self.send_header("Connection", "close")
                self.end_headers()
                if reply.drip:
                    for byte in reply.body:
                        if outer.released.wait(0.05):
                            return
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                elif reply.chunked:
                    for start in range(0, len(reply.body), 4096):
                        part = reply.body[start : start + 4096]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self.wfile.write(reply.body)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self):  # handshake in the handler thread, not the accept loop
                raw, address = self.socket.accept()
                return server_tls.wrap_socket(raw, server_side=True, do_handshake_on_connect=False), address

            def handle_error(self, request, client_address):  # refused handshakes are expected
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def client_tls(self) -> ssl.SSLContext:
        """A client context that trusts only this test CA (the injected trust store)."""
        context = ssl.create_default_context(cadata=self.ca.cert_pem.bytes().decode())
        return context

    def fetcher(
        self, *, dns: dict[str, list[str]], policy=None, tls=None, timeout_s: float = 2.0, lookups: list | None = None
    ) -> fetch.Fetcher:
        """A Fetcher whose resolver answers from `dns`, whose address policy admits exactly
        127.0.0.1 (unless `policy` says otherwise) and whose connector dials the vetted
        address on this server's port, because a test cannot listen on 443."""

        def resolve(host: str) -> list[str]:
            if lookups is not None:
                lookups.append(host)
            if host not in dns:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return dns[host]

        return fetch.Fetcher(
            resolve=resolve,
            address_allowed=policy or only_loopback,
            connect=self.connect,
            tls=tls or self.client_tls(),
            timeout_s=timeout_s,
        )

    def connect(self, address, port, timeout):
        """The test connector: the vetted address, on this server's port instead of 443."""
        assert port == fetch.HTTPS_PORT
        return fetch.open_socket(address, self.port, timeout)

    def close(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def only_loopback(address) -> bool:
    """The test address policy: 127.0.0.1 and nothing else."""
    return address == LOOPBACK


def loopback_or_public(address) -> bool:
    """127.0.0.1 for the test server, otherwise the production rule (for redirect hops)."""
    return address == LOOPBACK or addresses.is_public(address)


def _is_loopback(host) -> bool:
    if host is None or host in ("localhost", b"localhost"):  # None: the wildcard, never a lookup
        return True
    try:
        return ip_address((host.decode() if isinstance(host, bytes) else str(host)).split("%")[0]).is_loopback
    except ValueError:
        return False


class ConnectRecorder:
    """Records socket connects and name lookups made anywhere in the process.

    With `loopback_only`, a lookup of any name but localhost and a connect to any address but
    loopback are refused (gaierror / ENETUNREACH) and listed in `refused`: the code under test
    may turn the error into a 5xx, so the test must assert `refused` is empty."""

    def __init__(self, monkeypatch, *, loopback_only: bool = False):
        self.connects: list[tuple] = []
        self.lookups: list[str] = []
        self.refused: list[tuple[str, object]] = []
        real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
        real_getaddrinfo = socket.getaddrinfo
        recorder = self

        def vet_connect(sock, address):
            recorder.connects.append(tuple(address)[:2])
            if loopback_only and sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
                recorder.refused.append(("connect", tuple(address)[:2]))
                raise OSError(errno.ENETUNREACH, f"off-loopback connect to {address[0]} refused by the test")

        def connect(sock, address):
            vet_connect(sock, address)
            return real_connect(sock, address)

        def connect_ex(sock, address):
            vet_connect(sock, address)
            return real_connect_ex(sock, address)

        def getaddrinfo(host, *args, **kwargs):
            recorder.lookups.append(host)
            if loopback_only and not _is_loopback(host):
                recorder.refused.append(("lookup", host))
                raise socket.gaierror(socket.EAI_NONAME, f"lookup of {host} refused by the test (off loopback)")
            return real_getaddrinfo(host, *args, **kwargs)

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def name_lookups(self) -> list[str]:
        """Lookups of names (numeric hosts do not reach DNS)."""
        out = []
        for host in self.lookups:
            try:
                addresses.parse_address(str(host))
            except ValueError:
                out.append(host)
        return out
