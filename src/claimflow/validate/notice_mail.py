"""A notice as an e-mail ready to send: multipart, plain text and HTML.

Contract: `notice_email(notice)` takes a rendered `Notice` and returns an
`email.message.EmailMessage` (no I/O): ``multipart/alternative`` with the
notice's text and its HTML, ``Subject`` in the notice's language, ``From``
the desk (``notices.sender`` at ``notices.reply_to``), ``Reply-To``
``notices.reply_to`` and ``Content-Language``. The participant's address is
not known to a claim: ``To`` is set only when given, else left to the
sending system, which finds the participant by ``X-Claimflow-Participant``.
The bytes are the same on every run (the MIME boundary is a digest of the
content), so writing a notice again leaves its file as it was.
"""

from __future__ import annotations

import hashlib
import html
from email.message import EmailMessage
from email.utils import formataddr

from claimflow.validate.notices import Notice


def notice_email(notice: Notice, to: str | None = None) -> EmailMessage:
    """The notice as a ``multipart/alternative`` e-mail (text, then HTML).

    Args:
        notice: a rendered notice.
        to: the participant's address, when the caller knows it.

    Returns:
        The message; ``bytes(message)`` is the ``.eml`` file.

    Example: ``notice_email(notice)["Reply-To"] == "rewards@acme-tools.example"``
    """
    message = EmailMessage()
    message["Subject"] = notice.subject or notice.text.split("\n", 1)[0]
    if notice.reply_to:
        message["From"] = formataddr((notice.sender or "", notice.reply_to))
        message["Reply-To"] = notice.reply_to
    if to:
        message["To"] = to
    if notice.participant_id:
        message["X-Claimflow-Participant"] = notice.participant_id
    message["X-Claimflow-Claims"] = " ".join(notice.claim_ids)
    message.set_content(notice.text, charset="utf-8")
    message.add_alternative(notice.html or _as_html(notice), subtype="html")
    # after the parts are made: making them moves Content-* headers into the
    # first part
    message["Content-Language"] = notice.language
    digest = hashlib.sha256(
        f"{notice.text}\0{notice.html}".encode(errors="surrogatepass")
    ).hexdigest()[:32]
    message.set_boundary(f"==claimflow-{digest}==")
    return message


def _as_html(notice: Notice) -> str:
    """An HTML page of a notice that has text only (its paragraphs, escaped)."""
    paragraphs = "\n".join(
        f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>"
        for block in notice.text.strip().split("\n\n")
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(notice.language)}">\n'
        '<head><meta charset="utf-8"></head>\n'
        f'<body style="font-family: Arial, sans-serif; white-space: pre-wrap;">\n'
        f"{paragraphs}\n</body>\n</html>\n"
    )
