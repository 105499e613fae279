"""News that content sends up. Receivers live in upper apps' ``handlers.py``.

``activity_scored``: sent once per recorded (non-duplicate) submission, inside the transaction,
with keyword arguments ``user`` (accounts.User), ``usage_id`` (str: the activity's block id),
``page_id`` (int | None: the Wagtail page holding it), ``score`` (float 0..1), ``passed`` (bool),
``completed`` (bool) and ``attempt`` (the content model row that was recorded), plus ``weight``
(float: the block's weight; 0 for self-reflection), ``page`` (the page already read, or None) and
``answer_context`` (what the page's ``begin_activity_answer(user)`` hook returned when the answer began, e.g. the
row it locked; None without that hook). Receivers should accept ``**kwargs``.

Free-text answers send it when a reviewer grades them (not when submitted: they are pending);
self-reflection sends ``score=1.0, passed=True, completed=True, weight=0.0`` when answered.
"""

from django.dispatch import Signal

activity_scored = Signal()
