"""SMTP client engines behind one small synchronous interface (see base.SMTPClient)."""

from djaboo.mail.transports.clients.base import SMTPClient


def make_client(engine: str, timeout: float, local_hostname: str | None) -> SMTPClient:
    if engine == "alternative":
        from djaboo.mail.transports.clients.alternative import AioSMTPClient

        return AioSMTPClient(timeout, local_hostname)
    from djaboo.mail.transports.clients.standard import StdlibSMTPClient

    return StdlibSMTPClient(timeout, local_hostname)
