from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from courses.page_permissions import COURSE_EDITOR_ROLES
from lms.accounts.models import Institution
from lms.accounts.permissions import institutions_with_role

MAX_UPLOAD_MB = 512


class PackageUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Paquete"),
        help_text=_("SCORM 1.2 o 2004 (.zip), H5P (.h5p), curso de Open edX (.tar.gz) o paquete Ruta (.zip)."),
    )
    into = forms.ModelChoiceField(
        queryset=Page.objects.none(),
        required=False,
        label=_("Importar dentro de"),
        help_text=_("Opcional: un programa, un curso o un módulo. Si lo deja vacío se crea un curso en borrador."),
    )
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.none(),
        required=False,
        label=_("Institución"),
        help_text=_("El curso importado pertenece a esta institución: sus administradores lo adaptan y lo publican."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from courses.models import CoursePage, ModulePage, ProgrammePage
        from courses.page_permissions import pages_within_reach

        self.user = user

        ids = [
            *ProgrammePage.objects.values_list("pk", flat=True),
            *CoursePage.objects.values_list("pk", flat=True),
            *ModulePage.objects.values_list("pk", flat=True),
        ]
        pages = Page.objects.filter(pk__in=ids).order_by("path")
        self.fields["into"].queryset = pages
        self.own_institution = None
        field = self.fields["institution"]
        field.label_from_instance = lambda institution: institution.name
        if user is None or user.is_superuser or user.is_staff:
            field.queryset = Institution.objects.filter(is_active=True).order_by("name")  # any, or none
            return
        theirs = list(institutions_with_role(user, COURSE_EDITOR_ROLES).order_by("name"))
        if theirs:  # acting for institutions: other institutions' courses are not even named to them
            self.fields["into"].queryset = pages_within_reach(user, pages)
        if len(theirs) == 1:
            self.own_institution = theirs[0]  # imported for the one institution they act for: nothing to choose
            del self.fields["institution"]
        elif theirs:
            field.queryset = Institution.objects.filter(pk__in=[i.pk for i in theirs]).order_by("name")
            field.required = True
        else:
            del self.fields["institution"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(_("El archivo pesa más de %(mb)s MB.") % {"mb": MAX_UPLOAD_MB})
        return upload

    def clean_into(self):
        from courses.page_permissions import may_change_course_page

        into = self.cleaned_data.get("into")
        if (
            into is not None
            and self.user is not None
            and (
                not into.permissions_for_user(self.user).can_add_subpage()
                or not may_change_course_page(self.user, into)
            )
        ):
            message = _("No tiene permiso para añadir páginas dentro de «%(t)s».") % {"t": into.title}
            raise forms.ValidationError(message)
        return into

    def clean(self):
        cleaned = super().clean()
        if "institution" not in self.fields:
            cleaned["institution"] = self.own_institution
        return cleaned


class CourseExportForm(forms.Form):
    adapted_by = forms.CharField(
        label=_("Adaptado por"),
        max_length=200,
        required=False,
        help_text=_("La institución que adaptó esta versión, si es una adaptación."),
    )
    version = forms.CharField(
        label=_("Versión"),
        max_length=60,
        required=False,
        help_text=_("Si indica una versión nueva, el paquete guarda la anterior como su origen."),
    )
    change_note = forms.CharField(
        label=_("Qué cambió"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
