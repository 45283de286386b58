"""Sendmail and Mail: hand the message to a local sendmail-compatible program through a pipe.

Sendmail — the operator's SENDMAIL_COMMAND (default `/usr/sbin/sendmail -i`) with `-f <From>`,
           so bounces come back to the space's address.
Mail     — the system's default mailer (MAIL_COMMAND, the same sendmail interface PHP's mail()
           uses), which chooses the envelope sender itself.

The commands come from the operator's configuration, never from the settings form: a command
line typed in a web page would be remote code execution.

The recipients are always the envelope's, passed after `--` (so an address starting with '-'
is never read as an option), and never read from the headers: with `-t` a program takes them
from To/Cc/Bcc, and how it then treats recipients also named on the command line differs
(Postfix adds them, sendmail and Exim drop them), so a BCC address that happened to appear in
a header could be silently lost while we logged "sent". A `-t` in the configured command (the
old default) is therefore left out of what we run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

from djaboo.mail.errors import ConfigurationError, PermanentError, TransientError
from djaboo.mail.texts import N_, Line
from djaboo.mail.transports.base import Envelope, SendResult, Transport

EX_TEMPFAIL = 75
# Options that make a sendmail-compatible program read the recipients from the headers.
_READ_HEADERS = frozenset(("-t", "--read-recipients"))
_BUNDLED_T = {"-ti": "-i", "-it": "-i"}
_SERVER_REPLY = re.compile(r"\b([245])(\d\d)[ -]")


class PipeTransport(Transport):
    def open(self) -> None:
        executable = self.command[0]
        path = shutil.which(executable)
        if not path or not os.access(path, os.X_OK):
            self.trace.add("Sendmail", False, N_("%(program)s not found"), program=executable)
            raise ConfigurationError(
                N_("The mail program %(program)s is not installed on this server."),
                params={"program": executable},
                hint=N_(
                    "Choose SMTP, or ask the operator to install a sendmail-compatible program "
                    "(or set DJABOO_SENDMAIL_COMMAND)."
                ),
            )
        self.trace.add(
            "Sendmail", True, N_("will run: %(command)s"), command=" ".join(self.command)
        )

    def close(self) -> None:
        pass

    @property
    def command(self) -> tuple[str, ...]:
        """The configured command, less any option that reads recipients from the headers."""
        s = self.settings
        configured = s.mail_command if s.protocol == "mail" else s.sendmail_command
        kept = [_BUNDLED_T.get(arg, arg) for arg in configured]
        return tuple(arg for arg in kept if arg not in _READ_HEADERS)

    def check(self, sender: str, recipients: tuple[str, ...]) -> SendResult:
        self.open()  # all that can be checked without sending: the program is there
        return SendResult(accepted=list(recipients))

    def command_line(self, envelope: Envelope) -> list[str]:
        """What is run for envelope: the command, `-f <sender>` (Sendmail), `--` and the
        envelope recipients (validated addr-specs)."""
        argv = list(self.command)
        if self.settings.protocol == "sendmail":
            argv += ["-f", envelope.sender]
        return [*argv, "--", *envelope.recipients]

    def send(self, envelope: Envelope) -> SendResult:
        self.open()
        argv = self.command_line(envelope)
        try:
            # argv is the operator's configured command plus validated addresses; no shell.
            done = subprocess.run(  # noqa: S603
                argv,
                input=envelope.message,
                capture_output=True,
                timeout=self.settings.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise TransientError(
                N_("%(program)s did not finish within %(seconds)s seconds."),
                params={"program": argv[0], "seconds": f"{self.settings.timeout:g}"},
            ) from None
        except OSError as exc:
            raise ConfigurationError(
                N_("%(program)s could not be started: %(error)s."),
                params={"program": argv[0], "error": str(exc)},
            ) from None
        stderr = done.stderr.decode("utf-8", "replace").strip()
        if done.returncode == 0:
            self.trace.add(
                "Sendmail", True, N_("%(program)s accepted the message"), program=argv[0]
            )
            return SendResult(accepted=list(envelope.recipients), reply="accepted by " + argv[0])
        self.trace.add("Sendmail", False, f"exit {done.returncode}: {stderr}")
        raise _classify(argv[0], done.returncode, stderr)


def _classify(program: str, returncode: int, stderr: str):
    """Exit codes do not separate 4xx from 5xx (msmtp: 69 for both), so read the server's code."""
    text = Line(N_("%(program)s failed (exit %(code)s)."), {"program": program, "code": returncode})
    match = _SERVER_REPLY.search(stderr)
    if match:
        code = int(match.group(1) + match.group(2))
        cls = TransientError if match.group(1) == "4" else PermanentError
        return cls(text, smtp_code=code, server_reply=stderr)
    if returncode == EX_TEMPFAIL:
        return TransientError(text, server_reply=stderr, hint=N_("We will try again."))
    return PermanentError(text, server_reply=stderr)
