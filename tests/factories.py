import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from learning.roles import EDITORS, TRAINERS


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.LazyAttribute(lambda user: user.username)
    password = factory.django.Password("a long test password")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


def trainer(**kwargs):
    return UserFactory(role=TRAINERS, **kwargs)


def editor(**kwargs):
    return UserFactory(role=EDITORS, **kwargs)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "learning.Structure"

    name = factory.Sequence(lambda n: f"Antenne {n}")
    help_phone = "01 02 03 04 05"


def learner(*, structure=None, pictures=("soleil", "chat", "coeur"), **kwargs):
    """A learner and their pictures in clear: (learner, pictures)."""
    from learning import services

    return services.learner_create(
        first_name=kwargs.pop("first_name", "Samir"),
        structure=structure or StructureFactory(),
        pictures=list(pictures),
        **kwargs,
    )
