"""Django admin for enrolments (pages are edited in the Wagtail admin)."""

from django.contrib import admin

from .models import Enrollment, LessonProgress


class LessonProgressInline(admin.TabularInline):
    model = LessonProgress
    extra = 0
    fields = ["lesson", "status", "score", "completed_at"]
    readonly_fields = ["lesson", "status", "score", "completed_at"]
    can_delete = False


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "status", "progress", "score", "enrolled_at", "completed_at", "source"]
    list_filter = ["status", "source"]
    search_fields = ["user__username", "course__title", "course__code"]
    raw_id_fields = ["user", "course", "last_lesson"]
    # Completion is set once by courses.services.progress_record (it sends course_completed): never by hand.
    readonly_fields = ["progress", "score", "enrolled_at", "last_activity_at", "completed_at"]
    inlines = [LessonProgressInline]
