"""Receivers of lower apps' signals: one line each, calling a service or selector."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from courses.imports.signals import course_package_exporting, course_package_imported
from courses.signals import course_completed
from lms import pagecache
from lms.accounts.signals import account_deleted, user_data_requested

from .models import Certificate, CertificateProgramme
from .packaging import programmes_for_package, programmes_from_package
from .selectors import certificate_data_export
from .services import certificates_issue_for_completion, certificates_withdraw_for_deleted_holder


@receiver(course_completed, dispatch_uid="certification.on_course_completed")
def on_course_completed(sender, enrollment, **kwargs):
    certificates_issue_for_completion(enrollment=enrollment)


@receiver(user_data_requested, dispatch_uid="certification.on_user_data_requested")
def on_user_data_requested(sender, *, user, **kwargs):
    return {"certificates": certificate_data_export(user=user), **_notices_and_trainer_paths(user)}


@receiver(account_deleted, dispatch_uid="certification.on_account_deleted")
def on_account_deleted(sender, *, user_id, **kwargs):
    certificates_withdraw_for_deleted_holder(user_id=user_id)


def _notices_and_trainer_paths(user):
    """The person's certificate notices and trainer-qualification paths, for their data export.

    Kept here, next to the receiver, because certification.selectors and certification.trainers are edited by
    others at the moment; move into their selectors when convenient.
    """
    from .trainers.models import MasterTrainer, TrainerPath

    def iso(value):
        return value.isoformat() if value else None

    paths = TrainerPath.objects.filter(trainer=user).select_related("track").prefetch_related("observations", "events")
    return {
        "certificate_notices": [
            {"message": n.message, "created_at": iso(n.created_at), "read_at": iso(n.read_at)}
            for n in user.certificate_notices.order_by("created_at", "pk")
        ],
        "master_trainer": [
            {"methodology": m.methodology, "active": m.active, "granted_at": iso(m.granted_at)}
            for m in MasterTrainer.objects.filter(user=user).order_by("pk")
        ],
        "trainer_paths": [
            {
                "track": path.track.name,
                "state": path.state,
                "status_reason": path.status_reason,
                "certified_at": iso(path.certified_at),
                "created_at": iso(path.created_at),
                "observations": [
                    {"items": o.items, "comments": o.comments, "recommended": o.recommended, "at": iso(o.created_at)}
                    for o in path.observations.all()
                ],
                "events": [
                    {"from": e.from_state, "to": e.to_state, "note": e.note, "at": iso(e.created_at)}
                    for e in path.events.all()
                ],
            }
            for path in paths.order_by("pk")
        ],
    }


@receiver(course_package_exporting, dispatch_uid="certification.on_course_package_exporting")
def on_course_package_exporting(sender, *, course, add_image, **kwargs):
    return {"certificate_programmes": programmes_for_package(course=course, add_image=add_image)}


@receiver(course_package_imported, dispatch_uid="certification.on_course_package_imported")
def on_course_package_imported(sender, *, course, extra, image, user, note, **kwargs):
    programmes_from_package(
        course=course, programmes=extra.get("certificate_programmes"), image=image, user=user, note=note
    )


# Verification answers kept for anonymous visitors (lms/pagecache.py): any change to a certificate (issue,
# revocation, replacement) or to the programme it names shows on the next request.
@receiver(post_save, sender=Certificate, dispatch_uid="certification.pagecache.certificate_saved")
@receiver(post_delete, sender=Certificate, dispatch_uid="certification.pagecache.certificate_deleted")
@receiver(post_save, sender=CertificateProgramme, dispatch_uid="certification.pagecache.programme_saved")
def on_certificate_changed(sender, **kwargs):
    pagecache.bump("certificates")
