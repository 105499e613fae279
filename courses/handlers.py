"""Receivers of lower apps' signals: one line each, calling a service."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from content.signals import activity_scored
from lms import pagecache
from lms.accounts.signals import user_data_requested
from themes.models import ThemeSettings

from . import selectors, services


@receiver(activity_scored, dispatch_uid="courses.on_activity_scored")
def on_activity_scored(sender, *, user, page_id=None, page=None, answer_context=None, **kwargs):
    services.progress_record(user=user, lesson_id=page_id, lesson=page, enrollment=answer_context)


@receiver(user_data_requested, dispatch_uid="courses.on_user_data_requested")
def on_user_data_requested(sender, *, user, **kwargs):
    return selectors.learner_data_export(user=user)


# Public pages kept for anonymous visitors (lms/pagecache.py) are dropped when what they show changes.
@receiver(page_published, dispatch_uid="courses.pagecache.published")
@receiver(page_unpublished, dispatch_uid="courses.pagecache.unpublished")
@receiver(post_page_move, dispatch_uid="courses.pagecache.moved")
@receiver(post_save, sender=Site, dispatch_uid="courses.pagecache.site_saved")
@receiver(post_save, sender=PageViewRestriction, dispatch_uid="courses.pagecache.restriction_saved")
@receiver(post_delete, sender=PageViewRestriction, dispatch_uid="courses.pagecache.restriction_deleted")
@receiver(post_delete, sender=Site, dispatch_uid="courses.pagecache.site_deleted")
def on_public_pages_changed(sender, **kwargs):
    pagecache.bump_pages()


@receiver(post_save, dispatch_uid="courses.pagecache.page_saved")
@receiver(post_delete, dispatch_uid="courses.pagecache.page_deleted")
def on_page_saved_or_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):  # any save: a publish, a draft, a change made in code
        pagecache.bump_pages()


@receiver(post_save, sender=ThemeSettings, dispatch_uid="courses.pagecache.theme_saved")
def on_theme_saved(sender, created=False, **kwargs):
    if not created:  # Wagtail creates a site's default theme row the first time a page reads it: nothing changed
        pagecache.bump_everything()
