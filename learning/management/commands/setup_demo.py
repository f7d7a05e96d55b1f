import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from learning import services
from learning.models import Learner, LearnerSettings, Structure
from learning.pictures import picture_labels
from learning.roles import EDITORS, TRAINERS

DEMO_ACCOUNTS = [
    ("editeur@demo.pasapas.local", "Élise", "Éditrice", EDITORS, "rédactrice (contenus)"),
    ("formateur@demo.pasapas.local", "Karim", "Formateur", TRAINERS, "formateur"),
]


class Command(BaseCommand):
    help = "Create the demo accounts (development only) and print their credentials."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args, url, **options):
        if not settings.DEBUG:
            raise CommandError("Demo accounts are for a development site only (DEBUG is off).")
        User = get_user_model()
        self.stdout.write(self.style.SUCCESS(f"\nPas à pas is ready: {url}/\n"))
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
            if group_name == TRAINERS:
                trainer = user
        structure, _created = Structure.objects.get_or_create(
            name="Antenne de démonstration", defaults={"help_phone": "01 23 45 67 89"}
        )
        structure.members.add(trainer)
        self.demo_learner(structure, trainer, url)
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
            site_settings.signup_structure = structure
            site_settings.save()
        self.stdout.write(
            f"  {'apprenant':<24} {url}/connexion/  code : {learner.display_code}  "
            f"images : {', '.join(picture_labels(pictures))}"
        )
