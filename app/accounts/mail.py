"""Email from accounts over SMTP (standard library), or, in development with no MAIL_SERVER, the development outbox:
the link written to the 'betscore.outbox' log, the only log line allowed to carry one. Production with no MAIL_SERVER
sends nothing and says so."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app

OUTBOX = "betscore.outbox"
outbox = logging.getLogger(OUTBOX)
log = logging.getLogger("betscore.mail")


class MailUnavailable(RuntimeError):
    """This server cannot send email now: not configured (production), or the SMTP server refused or is down."""


def smtp_configured() -> bool:
    return bool(current_app.config["MAIL_SERVER"])


def send(to: str, subject: str, body: str, link: str) -> None:
    """Send `body` (which holds `link`) to one address. No log line names the address or the link (but the outbox)."""
    settings = current_app.config
    if not settings["MAIL_SERVER"]:
        if settings["ENV_NAME"] == "production":
            raise MailUnavailable("MAIL_SERVER is not set: this server sends no email, and logs no link in production")
        outbox.info("development outbox: %s: %s", subject, link)
        return
    message = EmailMessage()
    message["From"] = settings["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(settings["MAIL_SERVER"], settings["MAIL_PORT"], timeout=10) as smtp:
            if settings["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if settings["MAIL_USERNAME"]:
                smtp.login(settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        # The exception's text can name the recipient: only its kind is logged.
        log.warning("sending %r failed: %s", subject, type(exc).__name__)
        raise MailUnavailable("the mail server did not take the message") from exc
