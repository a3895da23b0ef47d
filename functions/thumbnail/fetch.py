"""Fetching one thumbnail without becoming a proxy into private networks.

Per hop: resolve the host once, vet every answer, dial exactly a vetted address, and verify
TLS against the host name (SNI and certificate), so a DNS answer that changes between the
check and the connection (rebinding) is never used. At most two redirects are followed and
each is checked again from scratch. The body is streamed under a size cap and must be an
image whose magic bytes agree with its Content-Type.

Collaborators are passed in (resolver, address policy, connector, TLS context) so tests can
point a host name at a loopback server without any switch existing in production."""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from functions.common.deadline import Deadline
from functions.common.errors import ApiError, BadGateway, GatewayTimeout, NotFound, PayloadTooLarge
from functions.thumbnail import urlpolicy
from functions.thumbnail.addresses import IPAddress, connect_address, is_public, parse_address
from functions.thumbnail.urlpolicy import ThumbnailUrl

HTTPS_PORT = 443
MAX_REDIRECTS = 2
DEFAULT_TIMEOUT_S = 4.0
CHUNK_BYTES = 64 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
REQUEST_HEADERS = {
    "Accept": "image/webp,image/jpeg,image/png,image/gif;q=0.8",
    "Accept-Encoding": "identity",  # compressed bodies would hide the magic bytes
    "User-Agent": "music-poetry-thumbnail/1",
    "Connection": "close",
}

Resolver = Callable[[str], Sequence[str]]
AddressPolicy = Callable[[IPAddress], bool]
Connector = Callable[[IPAddress, int, float], socket.socket]


@dataclass(frozen=True)
class Image:
    content_type: str
    body: bytes


def system_resolve(host: str) -> list[str]:
    """Every address the system resolver gives for `host`, in its order, without duplicates."""
    infos = socket.getaddrinfo(host, HTTPS_PORT, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def open_socket(address: IPAddress, port: int, timeout: float) -> socket.socket:
    """Dial exactly `address`; it is numeric, so no name lookup can happen here."""
    sock = socket.socket(socket.AF_INET6 if address.version == 6 else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((str(address), port))
    except BaseException:
        sock.close()
        raise
    return sock


def default_tls() -> ssl.SSLContext:
    """The system trust store, certificates and host names verified, TLS 1.2 or newer."""
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def sniff(head: bytes) -> str | None:
    """The image type the magic bytes say, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP over a socket we opened and vetted ourselves; it never dials on its own."""

    default_port = HTTPS_PORT  # so the Host header is the bare host name

    def connect(self):
        raise ConnectionError("a pinned connection does not reconnect")


class Fetcher:
    """Fetches thumbnails. The defaults are the production collaborators."""

    def __init__(
        self,
        *,
        resolve: Resolver = system_resolve,
        address_allowed: AddressPolicy = is_public,
        connect: Connector = open_socket,
        tls: ssl.SSLContext | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ):
        tls = tls or default_tls()
        if not tls.check_hostname or tls.verify_mode != ssl.CERT_REQUIRED:
            raise ValueError("the TLS context must verify certificates and host names")
        self._resolve, self._allowed, self._connect, self._tls = resolve, address_allowed, connect, tls
        self._timeout_s = timeout_s

    def fetch(
        self,
        url: ThumbnailUrl,
        *,
        allowed_hosts: Iterable[str],
        max_bytes: int,
        deadline: Deadline,
        max_redirects: int = MAX_REDIRECTS,
    ) -> Image:
        max_redirects = max(0, min(max_redirects, MAX_REDIRECTS))
        try:
            for hop in range(max_redirects + 1):
                sock, response = self._request(url, deadline)
                try:
                    if response.status not in REDIRECT_STATUSES:
                        return self._read_image(sock, response, max_bytes, deadline)
                    if hop == max_redirects:
                        break
                    url = _next_hop(url, response.getheader("Location"), allowed_hosts)
                finally:
                    response.close()
                    sock.close()
        except ApiError:
            raise
        except TimeoutError:
            raise GatewayTimeout(
                "The thumbnail host did not answer in time", "Try again in a moment", reason="upstream_timeout"
            ) from None
        except ssl.SSLCertVerificationError as exc:
            raise BadGateway(
                "The thumbnail host's certificate was not accepted", exc.verify_message, reason="upstream_tls"
            ) from None
        except (OSError, http.client.HTTPException):
            raise BadGateway(
                "The thumbnail host could not be reached or broke off", "Try again in a moment", reason="upstream"
            ) from None
        raise BadGateway(
            "The thumbnail host redirected too many times",
            f"At most {max_redirects} redirects are followed",
            reason="redirects",
        )

    def _lookup(self, host: str, deadline: Deadline) -> list[str]:
        """The resolver's answers, within the deadline. getaddrinfo has no timeout of its own
        (the system resolver retries for up to ~10 s, the function's whole timeout), so it runs
        in a daemon thread and the request answers 504 JSON if it is not back in time."""
        answers: list[str] = []

        def run() -> None:
            try:
                answers.extend(self._resolve(host))  # the only name lookup for this hop
            except OSError:
                pass

        lookup = threading.Thread(target=run, name="thumbnail-dns", daemon=True)
        lookup.start()
        lookup.join(self._timeout(deadline, "resolving the thumbnail host"))
        if lookup.is_alive():
            raise GatewayTimeout(
                "The thumbnail host did not answer in time", "Its name lookup (DNS) took too long", reason="dns_timeout"
            )
        return answers

    def _vetted_addresses(self, host: str, deadline: Deadline) -> list[IPAddress]:
        answers = self._lookup(host, deadline)
        if not answers:
            raise BadGateway("The thumbnail host could not be resolved", "Its name has no address (DNS)", reason="dns")
        vetted = []
        for text in answers:
            try:
                address = parse_address(text)
            except ValueError:
                raise BadGateway(
                    "The thumbnail host resolved to something that is not an address",
                    "Its DNS answer was not an IP address",
                    reason="dns",
                ) from None
            # One refused answer refuses the host: a public answer next to a private one is a rebinding trick.
            if not self._allowed(address):
                raise BadGateway(
                    "The thumbnail host resolves to a forbidden address",
                    "Only public addresses are contacted",
                    reason="forbidden_address",
                )
            vetted.append(connect_address(address))
        return sorted(vetted, key=lambda a: a.version)  # IPv4 first: Lambda outside a VPC has no IPv6

    def _timeout(self, deadline: Deadline, step: str) -> float:
        return min(self._timeout_s, deadline.require(0.1, step))

    def _request(self, url: ThumbnailUrl, deadline: Deadline):
        addresses = self._vetted_addresses(url.host, deadline)
        failure: OSError | None = None
        for address in addresses:
            timeout = self._timeout(deadline, "connecting to the thumbnail host")
            try:
                raw = self._connect(address, HTTPS_PORT, timeout)
            except OSError as exc:  # unreachable or refused: try the next vetted address
                failure = exc
                continue
            conn = _PinnedConnection(url.host, timeout=timeout)
            try:
                # SNI and certificate check against the host name, on the socket to the vetted address.
                sock = conn.sock = self._tls.wrap_socket(raw, server_hostname=url.host)
                conn.request("GET", url.target, headers=REQUEST_HEADERS)
                # The response keeps reading from `sock` after the connection object lets go of it
                # (it does so at once for "Connection: close"), so the caller holds on to `sock`.
                return sock, conn.getresponse()
            except BaseException:
                conn.close()
                raw.close()
                raise
        raise failure or BadGateway("The thumbnail host has no address to connect to", "Its DNS answer was empty")

    def _read_image(
        self, sock: ssl.SSLSocket, response: http.client.HTTPResponse, max_bytes: int, deadline: Deadline
    ) -> Image:
        status = response.status
        if status in (404, 410):
            raise NotFound("The thumbnail does not exist", f"The thumbnail host answered {status}")
        if status != 200:
            raise BadGateway("The thumbnail host answered with an error", f"The thumbnail host answered {status}")
        if (response.getheader("Content-Encoding") or "identity").strip().lower() != "identity":
            raise BadGateway("The thumbnail host sent a compressed body", "Only uncompressed images are relayed")
        declared = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        if declared not in IMAGE_TYPES:
            raise BadGateway(
                "The thumbnail host did not send an image",
                f"Content-Type {declared[:80] or 'missing'} is not one of {', '.join(IMAGE_TYPES)}",
            )
        too_large = PayloadTooLarge("The thumbnail is too large", f"The limit is {max_bytes} bytes")
        if response.length is not None and response.length > max_bytes:
            raise too_large
        chunks, total = [], 0
        while True:
            # read1 returns after one socket read, so a slow drip cannot outlive the deadline.
            sock.settimeout(self._timeout(deadline, "reading the thumbnail"))
            chunk = response.read1(CHUNK_BYTES)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise too_large
            chunks.append(chunk)
        body = b"".join(chunks)
        if sniff(body[:16]) != declared:
            raise BadGateway("The thumbnail's bytes do not match its Content-Type", f"Declared {declared}")
        return Image(content_type=declared, body=body)


def _next_hop(current: ThumbnailUrl, location: str | None, allowed_hosts: Iterable[str]) -> ThumbnailUrl:
    """The redirect target, put through the same URL policy as the caller's URL."""
    if not location:
        raise BadGateway(
            "The thumbnail host redirected without a Location", "A redirect must say where to", reason="redirects"
        )
    # Only a path is joined by hand; anything else must pass as an absolute URL. No urljoin:
    # it quietly drops tabs and newlines, which would let the policy see a different URL.
    target = f"https://{current.host}{location}" if location.startswith("/") and location[1:2] != "/" else location
    try:
        return urlpolicy.parse(target, allowed_hosts=allowed_hosts)
    except ApiError as exc:
        raise BadGateway(
            "The thumbnail host redirected to a URL that is not allowed", exc.message, reason="redirects"
        ) from None
