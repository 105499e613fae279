"""Read-mostly Django admin views of submissions (support staff); learners' state is not edited by hand."""

from django.contrib import admin

from content.models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("user", "usage_id", "block_type", "attempt_number", "status", "score", "passed", "created_at")
    list_filter = ("status", "block_type", "passed")
    search_fields = ("user__username", "usage_id")
    raw_id_fields = ("user", "page", "grader")
    readonly_fields = [field.name for field in Submission._meta.fields]

    def has_add_permission(self, request):
        return False
