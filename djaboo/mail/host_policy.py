"""Which SMTP hosts the app may connect to: the operator's policy, checked after DNS resolution.

By default loopback, link-local (cloud metadata at 169.254.169.254), unspecified, multicast and
reserved addresses are refused, so the settings page cannot be used to probe the server's own
network. `public-only` also refuses private ranges. The allow-list (hosts or CIDRs) makes
exceptions, e.g. 127.0.0.1 for tests and the local demo mail catcher.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field

from djaboo.mail.errors import ConfigurationError, TransientError
from djaboo.mail.texts import N_

POLICIES = ("default", "public-only")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class HostPolicy:
    mode: str = "default"
    allowed: tuple[str, ...] = field(default_factory=tuple)  # host names and CIDRs

    def __post_init__(self) -> None:
        if self.mode not in POLICIES:
            raise ValueError(f"SMTP_HOST_POLICY must be one of {', '.join(POLICIES)}")
        for entry in self.allowed:
            if not _is_network(entry) and not entry.strip():
                raise ValueError("SMTP_ALLOWED_HOSTS has an empty entry")

    def allows_name(self, host: str) -> bool:
        return host.lower().rstrip(".") in {
            a.lower().rstrip(".") for a in self.allowed if not _is_network(a)
        }

    def allows_address(self, address: IPAddress) -> bool:
        for entry in self.allowed:
            if _is_network(entry) and address in ipaddress.ip_network(entry, strict=False):
                return True
        return False

    def refusal(self, address: IPAddress) -> str | None:
        """Why this address may not be used, or None when it may."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if self.allows_address(address):
            return None
        for test, reason in (
            ("is_loopback", "a loopback address (this server itself)"),
            ("is_link_local", "a link-local address (such as the cloud metadata service)"),
            ("is_unspecified", "an unspecified address"),
            ("is_multicast", "a multicast address"),
            ("is_reserved", "a reserved address"),
        ):
            if getattr(address, test):
                return reason
        if self.mode == "public-only" and not address.is_global:
            return "a private network address, which this installation does not allow"
        return None


def _is_network(entry: str) -> bool:
    try:
        ipaddress.ip_network(entry.strip(), strict=False)
    except ValueError:
        return False
    return True


def parse_allowed_hosts(value) -> tuple[str, ...]:
    """Accept a list or a comma/space separated string (as environment variables give it)."""
    if not value:
        return ()
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    return tuple(str(v).strip() for v in value if str(v).strip())


def resolve(host: str, port: int) -> list[IPAddress]:
    """All addresses of host, IP literals included; raises a typed error when it cannot."""
    literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return [ipaddress.ip_address(literal)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(literal, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in (socket.EAI_AGAIN,):
            raise TransientError(
                N_("The name %(host)s could not be looked up right now (DNS did not answer)."),
                params={"host": host},
                hint=N_("Try again in a moment."),
            ) from None
        raise ConfigurationError(
            N_("The SMTP Host %(host)s does not exist in DNS."),
            params={"host": host},
            hint=N_("Check the spelling of the SMTP Host."),
        ) from None
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def permitted_addresses(host: str, port: int, policy: HostPolicy) -> list[IPAddress]:
    """Resolve once and keep only addresses the policy allows; refuse when none is left.

    The caller connects to these very addresses (never re-resolving the name), so a DNS answer
    that changes between the check and the connection cannot redirect us (DNS rebinding).
    """
    addresses = resolve(host, port)
    if policy.allows_name(host):
        return addresses
    allowed, reasons = [], []
    for address in addresses:
        reason = policy.refusal(address)
        if reason:
            reasons.append(f"{address} is {reason}")
        else:
            allowed.append(address)
    if not allowed:
        raise ConfigurationError(
            N_("The SMTP Host %(host)s is not allowed: %(reasons)s."),
            params={"host": host, "reasons": "; ".join(reasons)},
            hint=N_(
                "Use your mail provider's public SMTP server name. Operators can allow an "
                "internal relay with DJABOO_SMTP_ALLOWED_HOSTS."
            ),
        )
    return allowed
