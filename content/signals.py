"""News that content sends up. Receivers live in upper apps' ``handlers.py``.

``activity_scored``: sent once per recorded (non-duplicate) submission, inside the transaction,
with keyword arguments ``user`` (accounts.User), ``usage_id`` (str: the activity's block id),
``page_id`` (int | None: the Wagtail page holding it), ``score`` (float 0..1), ``passed`` (bool),
``completed`` (bool) and ``attempt`` (the content model row that was recorded), plus ``weight``
(float: the block's weight; 0 for self-reflection). Receivers should accept ``**kwargs``.

Free-text answers send it when a reviewer grades them (not when submitted: they are pending);
self-reflection sends ``score=1.0, passed=True, completed=True, weight=0.0`` when answered.
"""

from django.dispatch import Signal

activity_scored = Signal()
