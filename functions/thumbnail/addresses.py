"""Which resolved addresses the proxy may connect to: public unicast only, IPv4 and IPv6 alike.

The tables follow the IANA special-purpose registries instead of relying on `ipaddress`
alone, whose flags differ between Python versions (3.11 calls `::ffff:127.0.0.1` neither
loopback nor private, `fec0::/10` and `64:ff9b::/96` global, and 192.0.0.0/24 partly global)."""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv6Address, ip_network

IPAddress = IPv4Address | IPv6Address

_DENIED_V4 = tuple(
    ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network", includes the unspecified address
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",  # private (RFC 1918)
        "100.64.0.0/10",  # carrier-grade NAT shared space (RFC 6598)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, includes the EC2/Lambda metadata service 169.254.169.254
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",
        "198.51.100.0/24",
        "203.0.113.0/24",  # documentation
        "192.88.99.0/24",  # deprecated 6to4 relay anycast
        "198.18.0.0/15",  # benchmarking
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, includes broadcast 255.255.255.255
    )
)
_DENIED_V6 = tuple(
    ip_network(n)
    for n in (
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, includes Teredo 2001::/32
        "2001:db8::/32",
        "3fff::/20",  # documentation
        "2002::/16",  # 6to4: embeds an arbitrary IPv4 address
        "5f00::/16",  # SRv6 SIDs
        "fc00::/7",  # unique local, includes AWS's fd00:ec2::254 metadata endpoint
        "fe80::/10",
        "fec0::/10",  # link-local, deprecated site-local
        "ff00::/8",  # multicast
    )
)
_GLOBAL_UNICAST_V6 = ip_network("2000::/3")  # the only IPv6 block IANA allocates for unicast
_NAT64 = ip_network("64:ff9b::/96")  # well-known NAT64 prefix: the last 32 bits are an IPv4 address


def parse_address(text: str) -> IPAddress:
    """An address as a resolver returns it (`"93.184.216.34"`, `"2606:2800::1"`, `"fe80::1%eth0"`)."""
    return ipaddress.ip_address(text)


def embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (IPv4-mapped or NAT64), if any."""
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in _NAT64:
            return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    """True only for a public unicast address that is safe to connect to.

    Refuses loopback, private, link-local (cloud metadata), CGNAT, multicast, reserved,
    unspecified and documentation ranges, in IPv4 and IPv6, and judges an IPv4-mapped or
    NAT64 address by the IPv4 address inside it."""
    inner = embedded_ipv4(address)
    if inner is not None:
        return is_public(inner)
    if isinstance(address, IPv6Address):
        if address.scope_id or address not in _GLOBAL_UNICAST_V6:
            return False
        denied = _DENIED_V6
    else:
        denied = _DENIED_V4
    if any(address in net for net in denied):
        return False
    # Belt and braces: whatever this Python version also knows to be non-global stays refused.
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
    )


def connect_address(address: IPAddress) -> IPAddress:
    """The address to dial: an IPv4-mapped IPv6 address is dialled as plain IPv4."""
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
