"""Users, their optional profile, consent records, institutions and role memberships.

Owns personal data. Must not import from content, courses, certification or reports.
"""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person using Ruta. E-mail and phone are both optional; at least a username always exists."""

    email = models.EmailField(_("correo electrónico"), blank=True)
    phone = models.CharField(
        _("teléfono móvil"),
        max_length=20,
        blank=True,
        null=True,
        unique=True,
        help_text=_("En formato internacional, por ejemplo +51 987 654 321."),
    )
    phone_verified = models.BooleanField(_("teléfono verificado"), default=False)
    deletion_requested_at = models.DateTimeField(_("eliminación solicitada el"), null=True, blank=True)
    password_is_temporary = models.BooleanField(
        _("contraseña temporal"),
        default=False,
        help_text=_("La puso un facilitador; se pide cambiarla al entrar."),
    )
    # Who may help whom is explicit: a trainer may reset a password only for an account their institution
    # created and whose owner has never signed in on their own (see ``permissions.can_reset_password_for``).
    created_by = models.ForeignKey(
        "self",
        verbose_name=_("cuenta creada por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_institution = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("cuenta creada por la institución"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Vacío si la persona creó su propia cuenta."),
    )
    # Notices are written in the language of the person who reads them, never in the sender's (a trainer with her
    # screen in English still writes to a participant in Spanish). Kept in step with the header's language switch
    # and the language active when the person signs in (``services.user_language_set``).
    language = models.CharField(
        _("idioma"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("El idioma en que te escribimos los avisos y correos. Cambia con el selector de idioma."),
    )
    signed_in_on_own_at = models.DateTimeField(
        _("entró por su cuenta el"),
        null=True,
        blank=True,
        help_text=_(
            "La primera vez que la persona creó o cambió su contraseña ella misma, o entró con una contraseña "
            "que no era temporal. Desde entonces nadie del equipo puede ponerle una contraseña temporal."
        ),
    )

    class Meta:
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")

    @property
    def certificate_name(self) -> str:
        """The name printed on certificates (accents and two surnames kept); empty, never the username, when the
        person has not written one (sign-up and the profile page require it; older accounts may lack it)."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def printed_name(self) -> str:
        """The name shown on screens: the certificate name, or the username when there is none."""
        return self.certificate_name or self.username

    @property
    def phone_display(self) -> str:
        """The phone in international format with spaces (``+51 987 654 321``), or empty."""
        if not self.phone:
            return ""
        try:
            number = phonenumbers.parse(self.phone, None)
        except phonenumbers.NumberParseException:
            return self.phone
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

    def save(self, *args, **kwargs):
        if self.phone == "":
            self.phone = None
        super().save(*args, **kwargs)


class Profile(models.Model):
    """Optional, sensitive data used only in aggregated reports. Never shown publicly or on certificates."""

    class Sex(models.TextChoices):
        FEMALE = "F", _("Mujer")
        MALE = "M", _("Hombre")
        OTHER = "O", _("Otra identidad")
        NOT_STATED = "", _("Prefiero no decirlo")

    class MigratoryStatus(models.TextChoices):
        NATIONAL = "national", _("Nacional del país de residencia")
        REGULAR = "regular", _("Migrante con situación regular")
        IN_PROCESS = "in_process", _("Regularización en trámite")
        ASYLUM = "asylum", _("Solicitante de refugio")
        REFUGEE = "refugee", _("Refugiada o refugiado reconocido")
        IRREGULAR = "irregular", _("Situación irregular")
        NOT_STATED = "", _("Prefiero no decirlo")

    class DocumentType(models.TextChoices):
        CE = "ce", _("Carné de extranjería")
        PTP = "ptp", _("PTP (Permiso Temporal de Permanencia)")
        CPP = "cpp", _("CPP (Carné de Permiso Temporal de Permanencia)")
        ASYLUM_CARD = "asylum_card", _("Carné de solicitante de refugio")
        CEDULA = "cedula", _("Cédula de identidad / DNI")
        PASSPORT = "passport", _("Pasaporte")
        NONE = "none", _("Ninguno / en trámite")
        NOT_STATED = "", _("Prefiero no decirlo")

    class Disability(models.TextChoices):
        YES = "yes", _("Sí")
        NO = "no", _("No")
        NOT_STATED = "", _("Prefiero no decirlo")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    sex = models.CharField(
        _("sexo / género"),
        max_length=1,
        choices=Sex.choices,
        blank=True,
        help_text=_("Opcional. Solo se usa para contar cuántas mujeres y hombres participan."),
    )
    birth_year = models.PositiveSmallIntegerField(
        _("año de nacimiento"),
        null=True,
        blank=True,
        help_text=_("Opcional. Solo se usa para agrupar por edades (por ejemplo, 18 a 24 años)."),
    )
    nationality = models.CharField(
        _("nacionalidad"),
        max_length=2,
        blank=True,
        help_text=_("Opcional. Código de país (VE, PE, EC, CO...). Nunca se muestra públicamente."),
    )
    country = models.CharField(_("país de residencia"), max_length=2, blank=True, help_text=_("Opcional."))
    region = models.CharField(_("región / provincia"), max_length=100, blank=True, help_text=_("Opcional."))
    city = models.CharField(_("ciudad"), max_length=100, blank=True, help_text=_("Opcional."))
    migratory_status = models.CharField(
        _("situación migratoria"),
        max_length=20,
        choices=MigratoryStatus.choices,
        blank=True,
        help_text=_("Opcional y confidencial. Solo aparece en cifras agregadas, nunca con tu nombre."),
    )
    id_document_type = models.CharField(
        _("tipo de documento de identidad"),
        max_length=20,
        choices=DocumentType.choices,
        blank=True,
        help_text=_("Opcional. No pedimos el número. Puedes elegir «Ninguno / en trámite»."),
    )
    disability = models.CharField(
        _("discapacidad"),
        max_length=3,
        choices=Disability.choices,
        blank=True,
        help_text=_("Opcional. Nos ayuda a mejorar la accesibilidad."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("perfil")
        verbose_name_plural = _("perfiles")

    def __str__(self) -> str:
        return str(self.user)


class ConsentRecord(models.Model):
    """What a person agreed to (or withdrew), when, and which version of the text they saw."""

    class Purpose(models.TextChoices):
        TERMS = "terms", _("Condiciones de uso y aviso de privacidad")
        REPORTING = "reporting", _("Uso de mis datos opcionales en informes agregados")
        EMPLOYER_SHARING = "employer_sharing", _("Compartir mis resultados con empleadores aliados")
        REGISTRY = "registry", _("Aparecer en el registro público de facilitadores certificados")
        COHORT_CONTACT = "cohort_contact", _("Compartir mi celular y mi correo con el equipo de mis grupos")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("finalidad"), max_length=30, choices=Purpose.choices)
    granted = models.BooleanField(_("otorgado"), default=True)
    text_version = models.CharField(_("versión del texto"), max_length=20)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrado por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Vacío cuando la persona decidió ella misma; si no, quien anotó lo que la persona dijo."),
    )
    created_at = models.DateTimeField(_("fecha"), auto_now_add=True)

    class Meta:
        verbose_name = _("consentimiento")
        verbose_name_plural = _("consentimientos")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "purpose", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.purpose} · {self.granted}"


class Institution(models.Model):
    """A tenant: ministry, employment service, training institute, university, NGO, company or agency."""

    class Type(models.TextChoices):
        MINISTRY = "ministry", _("Ministerio o gobierno")
        EMPLOYMENT_SERVICE = "employment_service", _("Servicio público de empleo")
        TRAINING_INSTITUTE = "training_institute", _("Instituto de formación profesional")
        UNIVERSITY = "university", _("Universidad")
        NGO = "ngo", _("ONG / sociedad civil")
        COMPANY = "company", _("Cámara o empresa")
        INTERNATIONAL = "international", _("Organismo internacional")

    name = models.CharField(_("nombre"), max_length=200)
    acronym = models.CharField(_("sigla"), max_length=30, blank=True)
    slug = models.SlugField(_("identificador"), max_length=60, unique=True)
    type = models.CharField(_("tipo"), max_length=30, choices=Type.choices)
    country = models.CharField(_("país"), max_length=2, blank=True, help_text=_("Código ISO, p. ej. PE, EC."))
    is_active = models.BooleanField(_("activa"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("institución")
        verbose_name_plural = _("instituciones")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.acronym or self.name


class Role(models.TextChoices):
    PARTICIPANT = "participant", _("Participante")
    TRAINER = "trainer", _("Facilitador·a")
    MASTER_TRAINER = "master_trainer", _("Master trainer")
    EVALUATOR = "evaluator", _("Evaluador·a")
    INSTITUTION_ADMIN = "institution_admin", _("Administración de la institución")
    ME_OFFICER = "me_officer", _("Oficial de monitoreo y evaluación")
    PROGRAMME_MANAGER = "programme_manager", _("Gestión de programa")
    DONOR_VIEWER = "donor_viewer", _("Cooperante (solo lectura)")
    DATA_STEWARD = "data_steward", _("Custodia de datos")


class Membership(models.Model):
    """A person's role in one institution. One person may hold several roles in several institutions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("persona"), on_delete=models.CASCADE, related_name="memberships"
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("institución"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rol"), max_length=30, choices=Role.choices)
    scope = models.CharField(
        _("ámbito"),
        max_length=60,
        blank=True,
        help_text=_("Opcional: limita el rol, p. ej. la fuente de financiamiento de un cooperante (USAID, Asdi)."),
    )
    created_at = models.DateTimeField(_("fecha"), auto_now_add=True)

    class Meta:
        verbose_name = _("membresía")
        verbose_name_plural = _("membresías")
        constraints = [
            models.UniqueConstraint(fields=["user", "institution", "role"], name="unique_membership_role"),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.institution}"


class HelperPasswordReset(models.Model):
    """A record that a trainer or admin set a temporary password for a participant (who, for whom, when)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="password_resets_done",
        verbose_name=_("realizado por"),
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="password_resets_received",
        verbose_name=_("para"),
    )
    created_at = models.DateTimeField(_("fecha"), auto_now_add=True)

    class Meta:
        verbose_name = _("restablecimiento de contraseña asistido")
        verbose_name_plural = _("restablecimientos de contraseña asistidos")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor} → {self.target} · {self.created_at:%Y-%m-%d %H:%M}"
