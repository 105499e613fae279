"""A certificate's ``source_key``: what earned it, one certificate per key. Built and read only here.

A key is ``kind:part:part…``: ``enrollment:42`` (a course), ``path:3:user:8`` (a learning path),
``trainer:7:imesun-gin`` (a certified trainer; reinstated as a re-issue, below), ``manual:5:12:<reference>``
(issued by staff), ``competency:application:9`` (``…:appeal`` after an upheld appeal). A re-issued certificate
adds the generation: ``enrollment:42#2``. Pure functions; imports nothing from Ruta.
"""

from __future__ import annotations


def source_key_build(*parts: object, reissue: int | None = None) -> str:
    """The key of ``parts`` (``source_key_build("enrollment", 42)`` → ``enrollment:42``); with ``reissue``, the key
    of that generation of a re-issued certificate of the same origin."""
    key = ":".join(str(part) for part in parts)
    return key if reissue is None else f"{key}#{reissue}"


def source_key_origin(key: str) -> str:
    """What earned the certificate, without a re-issue's generation: ``enrollment:42#2`` → ``enrollment:42``."""
    return key.split("#")[0]
