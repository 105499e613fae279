"""Ruta's own XBlock runtime (a thin adapter over the ``xblock`` core library) and activity XBlocks.

- ``kvs``: the key-value store: learner-scoped fields in ``content.models.XBlockState``, content/settings
  fields from the authored StreamField block value.
- ``runtime``: ``RutaRuntime``: handler URLs through Django, ``publish`` to a recorder supplied by
  ``content.services``.
- ``activities``: our activity XBlocks (no XModule shims).
- ``rendering``: rendering an activity block in a page for ``request.user``.

Must not import courses or certification.
"""
