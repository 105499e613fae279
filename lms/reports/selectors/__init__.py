"""Read models for reports, one module per family; import from the family module, not from here.

* ``universes`` — what a set of facts is and how each source reaches it; ``roles`` — who sees which universe;
  ``filters`` — ``Filters``, ``Scope`` and the filter choices;
* ``enrolment``, ``certificates``, ``attendance`` — raw figures per source, counted per person by
  ``aggregation``; ``indicators`` — the indicator definitions and every figure of a scope;
* ``disaggregation`` (indicators by one dimension, people by two), ``gender_quota``, ``competency`` —
  suppressed tables built from ``tables``;
* ``participants`` — the row-level list and the requests for it.

Reports is the top layer: these modules read every app and write nothing. Every table that leaves them has
passed through ``lms.reports.suppression``.
"""
