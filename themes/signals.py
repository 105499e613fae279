"""Signals that themes sends for upper apps (themes imports nothing above it).

- ``language_chosen(sender=None, request=<HttpRequest>, language=<code>)``: sent by the header's language switch
  (``views.language``) when a visitor picks a language Ruta offers. ``lms.accounts`` remembers it for a signed-in
  person, so that notices reach them in it.
"""

from django.dispatch import Signal

language_chosen = Signal()
