from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

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

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from courses.models import CoursePage, ModulePage, ProgrammePage

        self.user = user

        ids = [
            *ProgrammePage.objects.values_list("pk", flat=True),
            *CoursePage.objects.values_list("pk", flat=True),
            *ModulePage.objects.values_list("pk", flat=True),
        ]
        self.fields["into"].queryset = Page.objects.filter(pk__in=ids).order_by("path")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(_("El archivo pesa más de %(mb)s MB.") % {"mb": MAX_UPLOAD_MB})
        return upload

    def clean_into(self):
        into = self.cleaned_data.get("into")
        if into is not None and self.user is not None and not into.permissions_for_user(self.user).can_add_subpage():
            message = _("No tiene permiso para añadir páginas dentro de «%(t)s».") % {"t": into.title}
            raise forms.ValidationError(message)
        return into


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
