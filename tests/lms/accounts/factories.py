import factory
from factory.django import DjangoModelFactory

from lms.accounts.models import Institution, Membership, Profile, Role, User


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"persona{n}")
    first_name = factory.Faker("first_name", locale="es")
    last_name = factory.Faker("last_name", locale="es")
    email = ""
    password = factory.PostGenerationMethodCall("set_password", "clave-segura-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProfileFactory(DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)


class InstitutionFactory(DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Institución {n}")
    acronym = factory.Sequence(lambda n: f"INST{n}")
    slug = factory.Sequence(lambda n: f"inst-{n}")
    type = Institution.Type.NGO
    country = "PE"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = Role.PARTICIPANT


def staff_with(*perms: tuple[str, str], **kwargs) -> User:
    """A staff member (not a superuser) whose only rights are ``perms`` (app label, codename), through a group."""
    from django.contrib.auth.models import Group, Permission

    user = UserFactory(is_staff=True, **kwargs)
    group = Group.objects.create(name=f"Equipo {user.username}")
    for app_label, codename in perms:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    user.groups.add(group)
    return user
