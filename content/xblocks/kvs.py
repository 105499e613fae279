"""The runtime's key-value store.

Learner-scoped fields (``Scope.user_state``, ``preferences``, ``user_info``) live in ``XBlockState`` rows;
content- and settings-scoped fields are read from the authored StreamField block value and are read-only
(authors change them in the Wagtail editor, never through an XBlock). Anonymous learners get memory only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from xblock.fields import Scope, UserScope
from xblock.runtime import KeyValueStore

from content.models import XBlockState
from lms.accounts.permissions import signed_in_user

if TYPE_CHECKING:
    from lms.accounts.permissions import AnyUser

AUTHORED_SCOPES = (Scope.content, Scope.settings)


def _scope_name(scope: Any) -> str:
    return str(scope.name if hasattr(scope, "name") else scope)


class DjangoKeyValueStore(KeyValueStore):
    """Reads and writes one learner's XBlock state; preloads whole activities in one query."""

    def __init__(self, *, user: AnyUser) -> None:
        self.user = signed_in_user(user)
        self._authored: dict[str, dict[str, Any]] = {}
        self._cache: dict[tuple[str, str, str], Any] = {}
        self._loaded: set[str] = set()

    def forget(self) -> None:
        """Drop what was read or written (e.g. in a transaction that rolled back): the next read asks again."""
        self._cache.clear()
        self._loaded.clear()

    # --- authored (content/settings) values -------------------------------------------------------
    def add_authored(self, usage_id: str, fields: dict[str, Any]) -> None:
        self._authored[usage_id] = fields

    # --- learner state ---------------------------------------------------------------------------
    def preload(self, block_scope_ids: Iterable[str]) -> None:
        """Load the learner's rows for these block scope ids at once (one query for a whole page)."""
        wanted = [bid for bid in block_scope_ids if bid not in self._loaded]
        if not wanted:
            return
        self._loaded.update(wanted)
        if self.user is None:
            return
        for row in XBlockState.objects.filter(user=self.user, block_scope_id__in=wanted):
            self._cache[(row.scope, row.block_scope_id, row.field_name)] = row.value

    def _state_key(self, key: KeyValueStore.Key) -> tuple[str, str, str]:
        if key.scope.user != UserScope.ONE:
            raise KeyError(key.field_name)  # user-independent state is not stored by this runtime
        return (_scope_name(key.scope), str(key.block_scope_id or ""), key.field_name)

    def get(self, key: KeyValueStore.Key) -> Any:
        if key.scope in AUTHORED_SCOPES:
            authored = self._authored.get(str(key.block_scope_id), {})
            if key.field_name not in authored or authored[key.field_name] is None:
                raise KeyError(key.field_name)
            return authored[key.field_name]
        state_key = self._state_key(key)
        self.preload([state_key[1]])
        if state_key not in self._cache:
            raise KeyError(key.field_name)
        return self._cache[state_key]

    def set(self, key: KeyValueStore.Key, value: Any) -> None:
        self.set_many({key: value})

    def set_many(self, update_dict: dict[KeyValueStore.Key, Any]) -> None:
        rows = []
        for key, value in update_dict.items():
            if key.scope in AUTHORED_SCOPES:
                raise TypeError(f"{key.field_name} is authored in the page editor and read-only here")
            state_key = self._state_key(key)
            self._cache[state_key] = value
            if self.user is not None:
                rows.append(
                    XBlockState(
                        user=self.user,
                        scope=state_key[0],
                        block_scope_id=state_key[1],
                        field_name=state_key[2],
                        value=value,
                    )
                )
        if rows:
            XBlockState.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["user", "block_scope_id", "scope", "field_name"],
                update_fields=["value", "modified"],
            )

    def delete(self, key: KeyValueStore.Key) -> None:
        state_key = self._state_key(key)
        self._cache.pop(state_key, None)
        if self.user is not None:
            XBlockState.objects.filter(
                user=self.user, scope=state_key[0], block_scope_id=state_key[1], field_name=state_key[2]
            ).delete()

    def has(self, key: KeyValueStore.Key) -> bool:
        try:
            self.get(key)
        except KeyError:
            return False
        return True
