"""Signals that lms.accounts sends so that upper apps can add to, or clean up after, a person's account.

- ``user_data_requested(sender=User, user=<User>)``: sent while building a person's data export
  ("Descargar mis datos"). Each receiver returns a ``dict`` whose keys become top-level sections of the
  JSON document (for example ``{"enrollments": [...]}``). Values must be JSON-serialisable (strings,
  numbers, booleans, lists, dicts; dates as ISO strings). Receivers must return only the person's own data.
- ``account_deleted(sender=User, user_id=<int>)``: sent inside the deletion transaction, after the account
  has been anonymised. Receivers delete or anonymise what their app holds about that person
  (certificates are kept but must not reveal more than the public fields).
- ``password_reset_by_helper(sender=User, reset=<HelperPasswordReset>)``: sent inside the transaction in which
  a trainer or admin set a temporary password for someone. Receivers tell the person (courses.cohorts sends an
  in-app notification, e-mailed when the person has an address).
"""

from django.dispatch import Signal

user_data_requested = Signal()
account_deleted = Signal()
password_reset_by_helper = Signal()
