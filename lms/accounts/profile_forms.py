"""The optional profile form: every field may be left empty, and each says why it is asked."""

from django import forms

from .models import Profile


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = [
            "sex",
            "birth_year",
            "nationality",
            "country",
            "region",
            "city",
            "migratory_status",
            "id_document_type",
            "disability",
        ]
