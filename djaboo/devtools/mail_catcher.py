"""A local SMTP server that accepts everything and keeps each message as an .eml file.

`make run` starts it on 127.0.0.1 so the demo space can send real mail without a mail account:
open the files in any mail client, or read them as text. The envelope (who it was really sent
to, BCC included) is written at the top of each file as X-Catcher-* lines.
"""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from pathlib import Path

_counter = itertools.count(1)


class CatchingHandler:
    def __init__(self, folder: Path, echo=print) -> None:
        self.folder = folder
        self.echo = echo
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path = self.folder / f"{stamp}-{next(_counter):04d}.eml"
        head = (
            f"X-Catcher-Envelope-From: {envelope.mail_from}\r\n"
            f"X-Catcher-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        path.write_bytes(head + envelope.original_content)
        self.echo(f"mail catcher: message for {', '.join(envelope.rcpt_tos)} -> {path}")
        return "250 2.0.0 Caught"


def serve(host: str, port: int, folder: Path) -> None:
    """Run until interrupted (Ctrl+C)."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError as exc:  # aiosmtpd comes with the dev extra, which `make run` installs
        raise SystemExit("The mail catcher needs aiosmtpd: pip install -e '.[dev]'") from exc

    controller = Controller(
        CatchingHandler(folder),
        hostname=host,
        port=port,
        decode_data=False,
        ident="djaboo-mail-catcher",
    )
    controller.start()
    print(f"mail catcher: listening on {host}:{port}, keeping messages in {folder}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
