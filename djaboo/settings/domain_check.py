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

from djaboo.i18n import _
from djaboo.mail.texts import N_

CHECK_SECONDS = 4.5
MAX_LOOKUPS = 30  # SPF allows 10 DNS-querying terms; the other checks need a handful
MAX_TXT = 4096
MAX_RECORDS = 20
OK, WARN, FAIL = "ok", "warn", "fail"
ACCEPT = N_("Gmail and Yahoo will accept bulk mail from this domain.")  # translated when shown
REJECT = N_("Gmail and Yahoo may reject bulk mail from this domain.")


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
        return _(ACCEPT if self.accepted else REJECT)


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
            raise DnsProblem(_("the DNS check ran out of time"))
        if not self.resolver.nameservers:
            raise DnsProblem(_("no DNS server is configured (set DNS_RESOLVER)"))
        try:
            answer = self.resolver.resolve(name, rdtype, lifetime=left, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            return []
        except (dns.exception.Timeout, dns.resolver.LifetimeTimeout):
            raise DnsProblem(_("no answer for %(name)s in time", name=name)) from None
        except (dns.resolver.NoNameservers, dns.exception.DNSException) as exc:
            raise DnsProblem(
                _(
                    "the DNS lookup of %(name)s failed (%(error)s)",
                    name=name,
                    error=type(exc).__name__,
                )
            ) from None
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
            _(
                'Publish a TXT record at %(domain)s such as "%(record)s" naming the servers '
                "that send its mail.",
                domain=domain,
                record=f"v=spf1 a:{smtp_host or 'your-mail-server'} -all",
            ),
        )
    if len(records) > 1:
        return Finding(
            "SPF",
            FAIL,
            _(
                "%(domain)s publishes %(count)s SPF records; merge them into one.",
                domain=domain,
                count=len(records),
            ),
            " | ".join(records)[:MAX_TXT],
        )
    record = records[0]
    if not smtp_host:
        return Finding(
            "SPF",
            WARN,
            _(
                "Make sure the record names the server that sends this space's mail "
                "(no SMTP host is configured here to check)."
            ),
            record,
        )
    ips = lookup.addresses(smtp_host)
    if not ips:
        return Finding(
            "SPF",
            WARN,
            _(
                "The SMTP host %(host)s has no address in DNS to check against the record.",
                host=smtp_host,
            ),
            record,
        )
    allowed, ending = _spf_allows(lookup, domain, ips)
    if not allowed:
        shown = ", ".join(str(ip) for ip in ips[:4])
        return Finding(
            "SPF",
            FAIL,
            _(
                "The record does not allow %(host)s (%(addresses)s): add a:%(host)s or its "
                "provider's include: before the all.",
                host=smtp_host,
                addresses=shown,
            ),
            record,
        )
    if ending in ("-all", "~all"):
        return Finding(
            "SPF",
            OK,
            _(
                "Allows %(host)s; other servers are refused (%(ending)s).",
                host=smtp_host,
                ending=ending,
            ),
            record,
        )
    return Finding(
        "SPF",
        WARN,
        _(
            "Allows %(host)s, but end the record with -all (or ~all) so other servers cannot "
            "send as this domain.",
            host=smtp_host,
        ),
        record,
    )


# --- DKIM, DMARC, MX ----------------------------------------------------------------------


def check_dkim(lookup: Lookup, key) -> Finding:
    """`key`: the space's DkimKey or None."""
    if key is None:
        return Finding("DKIM", WARN, _("Generate a key above and publish its record."))
    records = [r for r in lookup.txt(key.record_name) if "p=" in r]
    if not records:
        return Finding(
            "DKIM",
            FAIL,
            _("Publish the TXT record shown above at %(name)s.", name=key.record_name),
        )
    published = _tags(records[0]).get("p", "")
    if published != key.public_key:
        return Finding(
            "DKIM",
            FAIL,
            _(
                "The record at %(name)s is not this key: replace it with the one shown above.",
                name=key.record_name,
            ),
            records[0][:200],
        )
    if not key.signing:
        return Finding("DKIM", WARN, _("The record matches: turn on Sign outgoing emails."))
    if key.algorithm == "ed25519":
        return Finding(
            "DKIM",
            WARN,
            _(
                "Gmail and Yahoo do not verify Ed25519 signatures yet: generate an "
                "RSA 2048 key (another selector) for them."
            ),
        )
    return Finding(
        "DKIM",
        OK,
        _("Published at %(name)s, and emails are signed.", name=key.record_name),
    )


def dkim_record_problem(lookup: Lookup, key) -> str | None:
    """None when the selector's record is published and is this key; else why not."""
    try:
        finding = check_dkim(lookup, key)
    except DnsProblem as exc:
        return _("the record could not be looked up (%(error)s). Try again in a moment.", error=exc)
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
            _(
                'Publish a TXT record at %(name)s: "%(record)s" (Gmail and Yahoo require one '
                "for bulk mail).",
                name=f"_dmarc.{domain}",
                record=f"v=DMARC1; p=none; rua=mailto:dmarc@{domain}",
            ),
        )
    tags = _tags(record)
    policy = tags.get("p", "").lower()
    if policy not in ("none", "quarantine", "reject"):
        return Finding(
            "DMARC",
            FAIL,
            _(
                "The record at %(name)s has no valid p= policy: set p=none, quarantine or reject.",
                name=f"_dmarc.{where}",
            ),
            record,
        )
    strict = tags.get("adkim", "r").lower() == "s"
    if key is not None and strict and key.domain != domain:
        return Finding(
            "DMARC",
            WARN,
            _(
                "adkim=s needs the signature's domain to be %(domain)s exactly; the key signs "
                "as %(key_domain)s.",
                domain=domain,
                key_domain=key.domain,
            ),
            record,
        )
    if policy == "none":
        return Finding(
            "DMARC",
            OK,
            _("Policy p=none: accepted; once reports look clean, consider p=quarantine."),
            record,
        )
    return Finding(
        "DMARC",
        OK,
        _("Policy p=%(policy)s, and From is aligned with the signature.", policy=policy)
        if key
        else _("Policy p=%(policy)s, and From is aligned with the sender.", policy=policy),
        record,
    )


def check_mx(lookup: Lookup, domain: str) -> Finding:
    exchangers = lookup.mx(domain)
    if not exchangers or all(host in ("", ".") for _, host in exchangers):
        return Finding(
            "MX",
            WARN,
            _(
                "Add an MX record to %(domain)s so replies and bounces to its address can be "
                "delivered.",
                domain=domain,
            ),
        )
    shown = ", ".join(host for _, host in exchangers[:3])
    return Finding(
        "MX", OK, _("Mail to %(domain)s is received by %(hosts)s.", domain=domain, hosts=shown)
    )


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
                Finding(
                    name,
                    WARN,
                    _("Could not check: %(error)s. Try again, or check DNS_RESOLVER.", error=exc),
                )
            )
    return report
