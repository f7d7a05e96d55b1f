import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from learning.roles import EDITORS, STRUCTURE_MANAGERS, TRAINERS


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


def manager(**kwargs):
    """A structure manager (responsable d'antenne)."""
    return UserFactory(role=STRUCTURE_MANAGERS, **kwargs)


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


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "learning.Group"

    structure = factory.SubFactory(StructureFactory)
    name = factory.Sequence(lambda n: f"Groupe {n}")
    start_date = factory.LazyFunction(datetime.date.today)


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "learning.TrainingSession"

    group = factory.SubFactory(GroupFactory)
    date = factory.LazyFunction(datetime.date.today)
    start_time = datetime.time(9, 30)
    end_time = datetime.time(12, 0)
    place = "Salle 1"


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "learning.Partner"

    structure = factory.SubFactory(StructureFactory)
    name = factory.Sequence(lambda n: f"CCAS {n}")
    kind = "ccas"


class ReferralFactory(factory.django.DjangoModelFactory):
    """A referral; give `learner=` (its partner is then of the learner's structure)."""

    class Meta:
        model = "learning.Referral"

    partner = factory.SubFactory(
        PartnerFactory, structure=factory.SelfAttribute("..learner.structure")
    )
    referent_name = "Mme Référente"
    referent_contact = "01 11 22 33 44"
    needs = "Créer une adresse e-mail."


def staff_member(structure, role=trainer, **kwargs):
    """A trainer (or `role=manager`) who is a member of `structure`."""
    user = role(**kwargs)
    structure.members.add(user)
    return user


def parcours_with_lessons(*, modules=2, lessons=3, steps=3, title="Parcours de test"):
    """A live parcours of `modules` modules of `lessons` lessons each, built in Python
    (faster than the loader for big curricula): returns the ParcoursPage.

    The pages go under the site's root (the catalogue when `curriculum` is loaded).
    """
    from wagtail.models import Site

    from modules.models import LessonPage, ModuleIndexPage, ModulePage, ParcoursModule, ParcoursPage

    root = Site.objects.get(is_default_site=True).root_page
    slug = f"parcours-{ParcoursPage.objects.count() + 1}"
    index = ModuleIndexPage.objects.first() or root.add_child(
        instance=ModuleIndexPage(title="Tous les modules", slug="tous-les-modules")
    )
    parcours = root.add_child(instance=ParcoursPage(title=title, slug=slug))
    for module_number in range(1, modules + 1):
        module = index.add_child(
            instance=ModulePage(
                title=f"{title} · module {module_number}",
                slug=f"{slug}-module-{module_number}",
                summary="Un module de test.",
            )
        )
        ParcoursModule.objects.create(page=parcours, module=module, sort_order=module_number)
        for lesson_number in range(1, lessons + 1):
            module.add_child(
                instance=LessonPage(
                    title=f"Leçon {module_number}.{lesson_number}",
                    slug=f"lecon-{lesson_number}",
                    steps=[
                        {
                            "type": "step",
                            "value": {
                                "title": f"Étape {number}",
                                "content": [{"type": "text", "value": "<p>Bonjour.</p>"}],
                                "exercise": [],
                            },
                        }
                        for number in range(1, steps + 1)
                    ],
                )
            )
    return parcours


def attendance(session, learner, status="present"):
    """Records a learner's attendance at a session."""
    from learning.models import Attendance

    return Attendance.objects.create(session=session, learner=learner, status=status)
