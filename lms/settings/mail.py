"""The e-mail backend of production when ``EMAIL_URL`` is not set (lms/settings/production.py).

Ruta works without e-mail (most participants sign up with a phone), so a site may run without an SMTP server. Then
nothing is sent and nothing of the message is written anywhere: the console backend would print every e-mail,
password-reset links included, into the server log. One line per message says that it was not sent, with neither
the address nor the contents.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

logger = logging.getLogger("ruta.mail")


class NoEmailBackend(BaseEmailBackend):
    """Sends nothing; logs only how many recipients each unsent message had."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            count = len(message.recipients())
            logger.warning(
                "An e-mail to %d recipient%s was not sent: EMAIL_URL is not set.", count, "" if count == 1 else "s"
            )
        return 0
