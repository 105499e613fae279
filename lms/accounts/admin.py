from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ConsentRecord, HelperPasswordReset, Institution, Membership, Profile, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Ruta", {"fields": ("phone", "phone_verified", "password_is_temporary", "deletion_requested_at")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "phone", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email", "phone")


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "acronym", "type", "country", "is_active")
    prepopulated_fields = {"slug": ("acronym",)}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "institution", "role", "scope")
    list_filter = ("role", "institution")
    raw_id_fields = ("user",)


@admin.register(HelperPasswordReset)
class HelperPasswordResetAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "target")
    raw_id_fields = ("actor", "target")
    readonly_fields = ("actor", "target", "created_at")


admin.site.register(Profile)
admin.site.register(ConsentRecord)
