"""Background import: takes the import's id, re-fetches it and calls one service."""

from __future__ import annotations

from celery import shared_task


# Acknowledged on receipt, unlike the other tasks: an import of a large package can outlast the broker's
# visibility timeout (a redelivery while it still runs would import the course twice), and a package that
# makes the worker run out of memory must not be redelivered to kill the next worker too. An import whose
# worker was lost is not retried by itself: after RUTA_IMPORT_STALL_MINUTES without progress its admin page
# offers to start it again (selectors.import_stalled).
@shared_task(bind=True, acks_late=False)
def package_import_run_task(self, package_import_id: int, user_id: int | None = None) -> str:
    from django.contrib.auth import get_user_model

    from .models import PackageImport
    from .services import package_import_run

    record = PackageImport.objects.get(pk=package_import_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None

    def progress(percent: int) -> None:
        if not self.request.called_directly and not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"progress": percent})

    return package_import_run(package_import=record, user=user, progress=progress).status


@shared_task
def package_import_refused_uploads_delete_task() -> int:
    """Daily (``CELERY_BEAT_SCHEDULE``): delete uploads of refused imports still stored (refused before refusals
    deleted them, or a deletion that failed)."""
    from .services import package_import_refused_uploads_delete

    return package_import_refused_uploads_delete()
