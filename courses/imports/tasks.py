"""Background import: takes the import's id, re-fetches it and calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, acks_late=True)
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
