"""The demo's mail catcher really receives mail and keeps each message under the instance folder."""

import smtplib
from email import message_from_bytes, policy
from email.message import EmailMessage

from djaboo.devtools.mail_catcher import CatchingHandler
from tests.fixtures.smtp import FixtureController


def test_catcher_keeps_each_message_with_its_envelope(tmp_path, network_guard):
    lines = []
    controller = FixtureController(
        CatchingHandler(tmp_path / "caught", echo=lines.append), decode_data=False
    )
    controller.start()
    try:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "a@demo.example", "b@example.org", "Invoice"
        msg.set_content("Hello")
        with smtplib.SMTP("127.0.0.1", controller.port, timeout=5) as client:
            client.send_message(msg, to_addrs=["b@example.org", "hidden@example.org"])
    finally:
        controller.stop()
    [saved] = sorted((tmp_path / "caught").glob("*.eml"))
    parsed = message_from_bytes(saved.read_bytes(), policy=policy.default)
    assert parsed["Subject"] == "Invoice"
    assert parsed["X-Catcher-Envelope-To"] == "b@example.org, hidden@example.org"
    assert str(saved) in lines[0]
