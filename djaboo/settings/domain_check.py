"""Settings → Email → DKIM → Check domain: what the From domain publishes in DNS, judged.

SPF (does it allow the SMTP host's addresses, and how does it end), the DKIM record of the
selector (is it our key), DMARC (policy, alignment with From) and MX; each a ✓ / ⚠ / ✗ with one
sentence of what to change, and the verdict for Gmail's and Yahoo's bulk sender rules (SPF and
DKIM pass, DMARC published, From aligned). Runs in the request: at most CHECK_SECONDS in all
(each query gets what is left), at most MAX_LOOKUPS queries, answers cut to MAX_TXT characters.
The resolver is DNS_RESOLVER ("host" or "host:port"), else the system's.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass, field

import dns.exception
import dns.flags
import dns.message
import dns.rdatatype
import dns.resolver

CHECK_SECONDS = 4.5
MAX_LOOKUPS = 30  # SPF allows 10 DNS-querying terms; the other checks need a handful
MAX_TXT = 4096
MAX_RECORDS = 20
OK, WARN, FAIL = "ok", "warn", "fail"
ACCEPT = "Gmail and Yahoo will accept bulk mail from this domain."
REJECT = "Gmail and Yahoo may reject bulk mail from this domain."


class DnsProblem(Exception):
    """A lookup that neither answered nor said "no such record" (timeout, SERVFAIL)."""


@dataclass
class Finding:
    name: str  # SPF, DKIM, DMARC, MX
    status: str  # ok, warn, fail
    sentence: str
    detail: str = ""  # what was found

    @property
    def mark(self) -> str:
        return {OK: "✓", WARN: "⚠", FAIL: "✗"}[self.status]


@dataclass
class DomainReport:
    domain: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        by_name = {f.name: f.status for f in self.findings}
        return all(by_name.get(n) == OK for n in ("SPF", "DKIM", "DMARC"))

    @property
    def verdict(self) -> str:
        return ACCEPT if self.accepted else REJECT


class Lookup:
    """Bounded DNS queries sharing one deadline."""

    def __init__(self, resolver_address: str | None, seconds: float = CHECK_SECONDS):
        try:
            self.resolver = dns.resolver.Resolver(configure=not resolver_address)
        except dns.resolver.NoResolverConfiguration:  # no /etc/resolv.conf: every query says so
            self.resolver = dns.resolver.Resolver(configure=False)
        if resolver_address:
            host, _, port = (
                resolver_address.rpartition(":")
                if _has_port(resolver_address)
                else (
                    resolver_address,
                    "",
                    "",
                )
            )
            self.resolver.nameservers = [host.strip("[]")]
            self.resolver.port = int(port) if port else 53
        self.resolver.cache = None
        self.deadline = time.monotonic() + seconds
        self.count = 0

    def _query(self, name: str, rdtype: str):
        left = self.deadline - time.monotonic()
        self.count += 1
        if left <= 0.05 or self.count > MAX_LOOKUPS:
            raise DnsProblem("the DNS check ran out of time")
        if not self.resolver.nameservers:
            raise DnsProblem("no DNS server is configured (set DNS_RESOLVER)")
        try:
            answer = self.resolver.resolve(name, rdtype, lifetime=left, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            return []
        except (dns.exception.Timeout, dns.resolver.LifetimeTimeout):
            raise DnsProblem(f"no answer for {name} in time") from None
        except (dns.resolver.NoNameservers, dns.exception.DNSException) as exc:
            raise DnsProblem(f"the DNS lookup of {name} failed ({type(exc).__name__})") from None
        return list(answer)[:MAX_RECORDS] if answer.rrset is not None else []

    def txt(self, name: str) -> list[str]:
        records = []
        for rdata in self._query(name, "TXT"):
            text = b"".join(rdata.strings)[:MAX_TXT]
            records.append(text.decode("utf-8", "replace"))
        return records

    def addresses(self, name: str) -> list[ipaddress._BaseAddress]:
        try:
            return [ipaddress.ip_address(name.strip("[]"))]  # an SMTP host given as an address
        except ValueError:
            pass
        found = []
        for rdtype in ("A", "AAAA"):
            found += [ipaddress.ip_address(r.address) for r in self._query(name, rdtype)]
        return found

    def mx(self, name: str) -> list[tuple[int, str]]:
        return sorted(
            (r.preference, r.exchange.to_text(omit_final_dot=True)) for r in self._query(name, "MX")
        )


def _has_port(address: str) -> bool:
    if address.startswith("["):
        return "]:" in address
    return address.count(":") == 1


def _tags(record: str) -> dict[str, str]:
    tags = {}
    for part in record.split(";"):
        name, eq, value = part.partition("=")
        if eq:
            tags[name.strip().lower()] = "".join(value.split())
    return tags


# --- SPF ------------------------------------------------------------------------------------


def _spf_record(lookup: Lookup, domain: str) -> list[str]:
    return [r for r in lookup.txt(domain) if r.lower().split(" ", 1)[0] == "v=spf1"]


def _spf_allows(lookup: Lookup, domain: str, ips: list, depth: int = 0) -> tuple[set, str]:
    """Which of `ips` the domain's SPF passes, and its final `all` qualifier ("" if none)."""
    if depth > 5:
        return set(), ""
    records = _spf_record(lookup, domain)
    if len(records) != 1:
        return set(), ""
    allowed: set = set()
    ending = ""
    redirect = ""
    for term in records[0].split()[1:50]:
        qualifier = term[0] if term[0] in "+-~?" else "+"
        mech = term[1:] if term[0] in "+-~?" else term
        name, _, arg = mech.partition(":")
        name, _, cidr = name.partition("/")
        name = name.lower()
        if name.startswith("redirect="):
            redirect = mech.split("=", 1)[1]
            continue
        if name == "all":
            ending = qualifier + "all"
            break
        matched: set = set()
        if name in ("ip4", "ip6"):
            try:
                net = ipaddress.ip_network(arg, strict=False)
                matched = {ip for ip in ips if ip.version == net.version and ip in net}
            except ValueError:
                continue
        elif name in ("a", "mx"):
            target = (arg or domain).split("/")[0]
            hosts = [target] if name == "a" else [h for _, h in lookup.mx(target)][:10]
            for host in hosts:
                matched |= {ip for ip in ips if ip in lookup.addresses(host)}
        elif name == "include" and arg:
            matched = _spf_allows(lookup, arg, ips, depth + 1)[0]
        if qualifier == "+":
            allowed |= matched
    if redirect and not ending:
        return _spf_allows(lookup, redirect, ips, depth + 1)
    return allowed, ending


def check_spf(lookup: Lookup, domain: str, smtp_host: str) -> Finding:
    records = _spf_record(lookup, domain)
    if not records:
        return Finding(
            "SPF",
            FAIL,
            f"Publish a TXT record at {domain} such as "
            f'"v=spf1 a:{smtp_host or "your-mail-server"} -all" naming the servers that send '
            "its mail.",
        )
    if len(records) > 1:
        return Finding(
            "SPF",
            FAIL,
            f"{domain} publishes {len(records)} SPF records; merge them into one.",
            " | ".join(records)[:MAX_TXT],
        )
    record = records[0]
    if not smtp_host:
        return Finding(
            "SPF",
            WARN,
            "Make sure the record names the server that sends this space's mail "
            "(no SMTP host is configured here to check).",
            record,
        )
    ips = lookup.addresses(smtp_host)
    if not ips:
        return Finding(
            "SPF",
            WARN,
            f"The SMTP host {smtp_host} has no address in DNS to check against the record.",
            record,
        )
    allowed, ending = _spf_allows(lookup, domain, ips)
    if not allowed:
        shown = ", ".join(str(ip) for ip in ips[:4])
        return Finding(
            "SPF",
            FAIL,
            f"The record does not allow {smtp_host} ({shown}): add "
            f"a:{smtp_host} or its provider's include: before the all.",
            record,
        )
    if ending in ("-all", "~all"):
        return Finding(
            "SPF", OK, f"Allows {smtp_host}; other servers are refused ({ending}).", record
        )
    return Finding(
        "SPF",
        WARN,
        f"Allows {smtp_host}, but end the record with -all (or ~all) so other "
        "servers cannot send as this domain.",
        record,
    )


# --- DKIM, DMARC, MX ----------------------------------------------------------------------


def check_dkim(lookup: Lookup, key) -> Finding:
    """`key`: the space's DkimKey or None."""
    if key is None:
        return Finding("DKIM", WARN, "Generate a key above and publish its record.")
    records = [r for r in lookup.txt(key.record_name) if "p=" in r]
    if not records:
        return Finding("DKIM", FAIL, f"Publish the TXT record shown above at {key.record_name}.")
    published = _tags(records[0]).get("p", "")
    if published != key.public_key:
        return Finding(
            "DKIM",
            FAIL,
            f"The record at {key.record_name} is not this key: replace it with "
            "the one shown above.",
            records[0][:200],
        )
    if not key.signing:
        return Finding("DKIM", WARN, "The record matches: turn on Sign outgoing emails.")
    if key.algorithm == "ed25519":
        return Finding(
            "DKIM",
            WARN,
            "Gmail and Yahoo do not verify Ed25519 signatures yet: generate an "
            "RSA 2048 key (another selector) for them.",
        )
    return Finding("DKIM", OK, f"Published at {key.record_name}, and emails are signed.")


def dkim_record_problem(lookup: Lookup, key) -> str | None:
    """None when the selector's record is published and is this key; else why not."""
    try:
        finding = check_dkim(lookup, key)
    except DnsProblem as exc:
        return f"the record could not be looked up ({exc}). Try again in a moment."
    return None if finding.status != FAIL else finding.sentence


def _dmarc(lookup: Lookup, domain: str) -> tuple[str, str]:
    """The DMARC record that applies (the domain's, else its parent's) and where it was."""
    labels = domain.split(".")
    for candidate in [domain] + ([".".join(labels[-2:])] if len(labels) > 2 else []):
        records = [r for r in lookup.txt(f"_dmarc.{candidate}") if r.startswith("v=DMARC1")]
        if records:
            return records[0], candidate
    return "", ""


def check_dmarc(lookup: Lookup, domain: str, key) -> Finding:
    record, where = _dmarc(lookup, domain)
    if not record:
        return Finding(
            "DMARC",
            FAIL,
            f'Publish a TXT record at _dmarc.{domain}: "v=DMARC1; p=none; '
            f'rua=mailto:dmarc@{domain}" (Gmail and Yahoo require one for bulk mail).',
        )
    tags = _tags(record)
    policy = tags.get("p", "").lower()
    if policy not in ("none", "quarantine", "reject"):
        return Finding(
            "DMARC",
            FAIL,
            f"The record at _dmarc.{where} has no valid p= policy: "
            "set p=none, quarantine or reject.",
            record,
        )
    strict = tags.get("adkim", "r").lower() == "s"
    if key is not None and strict and key.domain != domain:
        return Finding(
            "DMARC",
            WARN,
            f"adkim=s needs the signature's domain to be {domain} "
            f"exactly; the key signs as {key.domain}.",
            record,
        )
    if policy == "none":
        return Finding(
            "DMARC",
            OK,
            "Policy p=none: accepted; once reports look clean, consider p=quarantine.",
            record,
        )
    return Finding(
        "DMARC",
        OK,
        f"Policy p={policy}, and From is aligned with {'the signature' if key else 'the sender'}.",
        record,
    )


def check_mx(lookup: Lookup, domain: str) -> Finding:
    exchangers = lookup.mx(domain)
    if not exchangers or all(host in ("", ".") for _, host in exchangers):
        return Finding(
            "MX",
            WARN,
            f"Add an MX record to {domain} so replies and bounces to its address can be delivered.",
        )
    shown = ", ".join(host for _, host in exchangers[:3])
    return Finding("MX", OK, f"Mail to {domain} is received by {shown}.")


def check_domain(domain: str, smtp_host: str, key, resolver_address: str | None) -> DomainReport:
    """The four findings for the From domain; a lookup that fails is a ⚠ saying so."""
    lookup = Lookup(resolver_address)
    report = DomainReport(domain)
    checks = (
        ("SPF", lambda: check_spf(lookup, domain, smtp_host)),
        ("DKIM", lambda: check_dkim(lookup, key)),
        ("DMARC", lambda: check_dmarc(lookup, domain, key)),
        ("MX", lambda: check_mx(lookup, domain)),
    )
    for name, run in checks:
        try:
            report.findings.append(run())
        except DnsProblem as exc:
            report.findings.append(
                Finding(name, WARN, f"Could not check: {exc}. Try again, or check DNS_RESOLVER.")
            )
    return report
