"""Transports: one interface (base.Transport), several ways to send."""

from djaboo.mail.trace import Trace
from djaboo.mail.transports.base import Envelope, SendResult, Transport, TransportSettings


def open_transport(settings: TransportSettings, trace: Trace | None = None) -> Transport:
    """The transport for these settings, not yet opened (use it in a `with` block)."""
    if settings.protocol == "smtp":
        from djaboo.mail.transports.smtp import SMTPTransport

        return SMTPTransport(settings, trace)
    from djaboo.mail.transports.pipe import PipeTransport

    return PipeTransport(settings, trace)


__all__ = ["Envelope", "SendResult", "Transport", "TransportSettings", "open_transport"]
