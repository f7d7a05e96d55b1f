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
