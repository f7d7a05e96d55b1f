import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from wagtail.models import Site

from cms.sanitize import clean_html
from learning import services
from learning.models import (
    Attendance,
    HelpRequest,
    Learner,
    LearnerSettings,
    LessonProgress,
    Partner,
    Referral,
    Structure,
    TrainerNote,
    TrainingSession,
)
from learning.models import Group as LearnerGroup
from learning.pictures import picture_labels
from learning.roles import EDITORS, STRUCTURE_MANAGERS, TRAINERS

DEMO_ACCOUNTS = [
    ("editeur@demo.pasapas.local", "Élise", "Éditrice", EDITORS, "rédactrice (contenus)"),
    ("formateur@demo.pasapas.local", "Karim", "Formateur", TRAINERS, "formateur"),
    (
        "responsable@demo.pasapas.local",
        "Nadia",
        "Responsable",
        STRUCTURE_MANAGERS,
        "responsable de structure",
    ),
]

DEMO_GROUP = "Initiation lundi"
DEMO_PARTNERS = [
    ("France Travail Lille Centre", Partner.Kind.FRANCE_TRAVAIL),
    ("CCAS de Lille", Partner.Kind.CCAS),
]
# The group's learners besides Samir: (first name, initial, lessons done, steps seen in
# the next lesson, partner number or None). Samir comes first, with two lessons done.
DEMO_LEARNERS = [
    ("Samir", "B", 2, 1, 0),
    ("Fatou", "D", 1, 2, 0),
    ("Jean-Pierre", "L", 4, 0, 1),
    ("Malika", "H", 3, 3, 0),
    ("Dragan", "P", 0, 2, 1),
    ("Aïcha", "K", 2, 0, None),
    ("Thierry", "M", 0, 1, 0),
    ("Rosa", "G", 0, 0, 1),
]
# Minutes spent per lesson touched, so that the dashboard and the exports show time.
MINUTES_PER_LESSON = 18
DEMO_NOTES = [
    (
        "Fatou",
        TrainerNote.Visibility.TEAM,
        "<p>Fatou est à l'aise avec la souris. Elle veut <strong>écrire à l'école</strong> "
        "de sa fille : proposer le module boîte mail ensuite.</p>",
        True,
    ),
    (
        "Dragan",
        TrainerNote.Visibility.TEAM,
        "<p>Dragan voit mal la flèche : agrandir le pointeur sur son poste.</p>",
        True,
    ),
    (
        "Jean-Pierre",
        TrainerNote.Visibility.AUTHOR,
        "<p>A fini la souris en avance. Lui proposer d'aider son voisin ?</p>",
        False,
    ),
]


class Command(BaseCommand):
    help = "Create the demo accounts and data (development only) and print the credentials."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args, url, **options):
        if not settings.DEBUG:
            raise CommandError("Demo accounts are for a development site only (DEBUG is off).")
        User = get_user_model()
        self.stdout.write(self.style.SUCCESS(f"\nPas à pas is ready: {url}/\n"))
        staff = {}
        for email, first_name, last_name, group_name, role in DEMO_ACCOUNTS:
            # A new password at every run: nothing guessable is ever left in a database.
            password = secrets.token_urlsafe(9)
            user, _created = User.objects.get_or_create(
                username=email,
                defaults={"email": email, "first_name": first_name, "last_name": last_name},
            )
            user.set_password(password)
            user.is_active = True
            user.save()
            user.groups.add(Group.objects.get(name=group_name))
            self.stdout.write(
                f"  {role:<24} {url}/admin/  identifiant : {email}  mot de passe : {password}"
            )
            staff[group_name] = user
        trainer, manager = staff[TRAINERS], staff[STRUCTURE_MANAGERS]
        structure, _created = Structure.objects.get_or_create(
            name="Antenne de démonstration", defaults={"help_phone": "01 23 45 67 89"}
        )
        structure.members.add(trainer, manager)
        self.demo_learner(structure, trainer, url)
        self.demo_group(structure, trainer)
        self.stdout.write("")

    def demo_learner(self, structure, trainer, url):
        learner = Learner.objects.filter(structure=structure, first_name="Samir").first()
        if learner is None:
            learner, pictures = services.learner_create(
                first_name="Samir", last_initial="B", structure=structure, created_by=trainer
            )
        else:
            pictures = services.learner_password_reset(learner=learner)
        site_settings = LearnerSettings.for_site(Site.objects.get(is_default_site=True))
        if site_settings.signup_structure_id is None:
            # The demo shows self sign-up ("Créer un compte"); a real site decides in
            # Paramètres > Connexion des apprenants.
            site_settings.signup_structure = structure
            site_settings.self_signup = True
            site_settings.save()
        self.stdout.write(
            f"  {'apprenant':<24} {url}/connexion/  code : {learner.display_code}  "
            f"images : {', '.join(picture_labels(pictures))}"
        )

    @transaction.atomic
    def demo_group(self, structure, trainer):
        """A living group: 8 learners at different places in the Initiation parcours,
        referrals, a past session with attendance, the next one, notes, a raised hand.

        Every piece is looked up before it is made: a second run adds nothing.
        """
        from modules.models import ModulePage, ParcoursPage

        partners = [
            Partner.objects.get_or_create(structure=structure, name=name, defaults={"kind": kind})[
                0
            ]
            for name, kind in DEMO_PARTNERS
        ]
        parcours = ParcoursPage.objects.live().filter(source_key="parcours-initiation").first()
        group, _created = LearnerGroup.objects.get_or_create(
            structure=structure,
            name=DEMO_GROUP,
            defaults={"parcours": parcours, "start_date": timezone.localdate()},
        )
        group.trainers.add(trainer)

        lessons = []
        if parcours is not None:
            modules = [
                link.module
                for link in parcours.parcours_modules.select_related("module").order_by(
                    "sort_order"
                )
                if link.module.live
            ]
            ModulePage.annotate_lessons(modules)
            lessons = [lesson for module in modules for lesson in module.lessons]

        learners = []
        for first_name, initial, done, seen, partner in DEMO_LEARNERS:
            learner = Learner.objects.filter(
                structure=structure, first_name=first_name, last_initial=initial
            ).first()
            if learner is None:
                learner, _pictures = services.learner_create(
                    first_name=first_name,
                    last_initial=initial,
                    structure=structure,
                    created_by=trainer,
                )
            learners.append(learner)
            if partner is not None:
                Referral.objects.get_or_create(
                    learner=learner,
                    partner=partners[partner],
                    defaults={
                        "referent_name": "Mme Lambert",
                        "needs": "Prendre en main l'ordinateur pour les démarches.",
                        "created_by": trainer,
                    },
                )
            if lessons and not LessonProgress.objects.filter(learner=learner.user).exists():
                self.demo_progress(learner, lessons, done=done, seen=seen)
        group.learners.add(*learners)

        if lessons and group.current_lesson_id is None:
            group.current_lesson = lessons[min(1, len(lessons) - 1)]
            group.current_lesson_set_at = timezone.now()
            group.save(update_fields=["current_lesson", "current_lesson_set_at"])
        self.demo_sessions(group, learners, trainer)
        self.demo_notes(group, learners, trainer)
        by_name = {learner.first_name: learner for learner in learners}
        if not HelpRequest.objects.filter(learner__in=learners, resolved_at__isnull=True).exists():
            HelpRequest.objects.create(
                learner=by_name["Fatou"],
                group=group,
                lesson=group.current_lesson,
                step_number=3 if group.current_lesson else None,
            )
        self.stdout.write(
            f"  {'groupe':<24} « {group.name} » : {group.learners.count()} personnes, "
            f"{group.sessions.count()} séances"
        )

    def demo_progress(self, learner, lessons, *, done, seen):
        """Through the services, as if the learner had clicked: steps seen, answers given
        (one wrong answer before the right one, now and then)."""
        user = learner.user
        for number, lesson in enumerate(lessons[: done + (1 if seen else 0)]):
            last_step = lesson.step_count if number < done else min(seen, lesson.step_count)
            for step in range(1, last_step + 1):
                exercise = lesson.exercise_of(step)
                if exercise is None or "options" not in exercise.value:
                    # No exercise, or not a quiz: seeing the step is what the demo can do.
                    services.lesson_step_view(user=user, lesson=lesson, step_number=step)
                    continue
                right = [
                    index
                    for index, option in enumerate(exercise.value["options"])
                    if option["correct"]
                ]
                wrong = [
                    index for index in range(len(exercise.value["options"])) if index not in right
                ]
                answers = [right]
                if (number + step + len(learner.first_name)) % 3 == 0 and wrong:
                    answers.insert(0, wrong[:1])
                for answer in answers:
                    services.exercise_attempt_submit(
                        user=user,
                        lesson=lesson,
                        step_number=step,
                        exercise=exercise,
                        answer=answer,
                        grade=exercise.block.grade(exercise.value, answer),
                    )
        # Time spent: the heartbeat counts real seconds only; a demo has none to count.
        LessonProgress.objects.filter(learner=user).update(
            time_spent_s=F("time_spent_s") + MINUTES_PER_LESSON * 60
        )

    def demo_sessions(self, group, learners, trainer):
        today = timezone.localdate()
        past = group.sessions.filter(date__lt=today).first()
        if past is None:
            past = TrainingSession.objects.create(
                group=group,
                date=today - datetime.timedelta(days=7),
                start_time=datetime.time(9, 30),
                end_time=datetime.time(12, 0),
                place="Salle informatique",
            )
        statuses = [Attendance.Status.PRESENT] * len(learners)
        statuses[-2:] = [Attendance.Status.LATE, Attendance.Status.ABSENT]
        for learner, status in zip(learners, statuses, strict=True):
            Attendance.objects.get_or_create(
                session=past, learner=learner, defaults={"status": status, "recorded_by": trainer}
            )
        if not group.sessions.filter(date__gte=today).exists():
            upcoming = TrainingSession.objects.create(
                group=group,
                date=today + datetime.timedelta(days=7),
                start_time=datetime.time(9, 30),
                end_time=datetime.time(12, 0),
                place="Salle informatique",
            )
            if group.current_lesson is not None:
                upcoming.planned_lessons.add(group.current_lesson)

    def demo_notes(self, group, learners, trainer):
        if TrainerNote.objects.filter(learner__in=learners, author=trainer).exists():
            return
        by_name = {learner.first_name: learner for learner in learners}
        past = group.sessions.filter(date__lt=timezone.localdate()).first()
        for first_name, visibility, body, about_session in DEMO_NOTES:
            TrainerNote.objects.create(
                learner=by_name[first_name],
                author=trainer,
                body=clean_html(body),
                visibility=visibility,
                session=past if about_session else None,
            )
