"""The trainer space's groups, partners and referrals in the Wagtail admin: what each
role sees and may change, bulk creation of a group's learners with their cards, the
spreadsheet exports, and user text always shown as text."""

import csv
import io
import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from learning import services
from learning.models import Group, Learner, Partner, Referral
from learning.pictures import PICTURES
from tests.conftest import admin_permission_denied
from tests.factories import (
    GroupFactory,
    PartnerFactory,
    ReferralFactory,
    StructureFactory,
    TrainingSessionFactory,
    editor,
    learner,
    manager,
    staff_member,
)

pytestmark = pytest.mark.django_db

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
TEN_NAMES = [
    "Fatou D", "Ali", "Marie-Claire B.", "Jean Pierre", "Zoé",
    "Ibrahim K", "Ana", "Lou", "Nadia", "Éric",
]  # fmt: skip


@pytest.fixture
def world():
    """Two structures, each with a trainer, a learner, a group, a partner, a referral."""

    class World:
        pass

    world = World()
    world.mine, world.theirs = (
        StructureFactory(name="Antenne Nord"),
        StructureFactory(name="Antenne Sud"),
    )
    world.trainer = staff_member(world.mine)
    world.other_trainer = staff_member(world.theirs)
    world.learner, _ = learner(structure=world.mine, first_name="Aminata")
    world.their_learner, _ = learner(structure=world.theirs, first_name="Bertrand")
    world.group = GroupFactory(structure=world.mine, name="Emploi du lundi")
    world.group.learners.add(world.learner)
    world.their_group = GroupFactory(structure=world.theirs, name="Parentalité du jeudi")
    world.their_group.learners.add(world.their_learner)
    world.partner = PartnerFactory(structure=world.mine, name="CCAS de Roubaix")
    world.their_partner = PartnerFactory(structure=world.theirs, name="France Travail Sud")
    world.referral = ReferralFactory(learner=world.learner, partner=world.partner, needs="Besoin A")
    world.their_referral = ReferralFactory(
        learner=world.their_learner, partner=world.their_partner, needs="Besoin B"
    )
    return world


def page_text(response):
    return unescape(response.content.decode())


def listing_rows(response):
    """The text of a Wagtail listing's rows (not its filters)."""
    listing = re.search(r'<table class="listing.*?</table>', response.content.decode(), re.S)
    return unescape(listing.group(0)) if listing else ""


def csv_rows(response):
    content = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(content)))


def xlsx_rows(response):
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- Scoping -----------------------------------------------------------------------


def test_a_trainer_lists_only_the_groups_partners_and_referrals_of_their_structures(client, world):
    client.force_login(world.trainer)

    groups = page_text(client.get("/admin/groupes/"))
    partners = page_text(client.get("/admin/partenaires/"))
    referrals = page_text(client.get("/admin/orientations/"))

    assert "Emploi du lundi" in groups and "Parentalité du jeudi" not in groups
    assert "CCAS de Roubaix" in partners and "France Travail Sud" not in partners
    assert "Aminata" in referrals and "Bertrand" not in referrals
    # The filters don't offer another structure's name either.
    assert "Antenne Sud" not in groups and "France Travail Sud" not in referrals


ROWS_AND_VIEWS = [
    (prefix, attribute, action)
    for prefix, attribute in [
        ("groupes", "their_group"),
        ("partenaires", "their_partner"),
        ("orientations", "their_referral"),
    ]
    for action in ["edit", "history", "usage", "delete"]
] + [("groupes", "their_group", "inspect")]


@pytest.mark.parametrize(("prefix", "attribute", "action"), ROWS_AND_VIEWS)
def test_another_structures_rows_are_not_found(client, world, prefix, attribute, action):
    # A manager holds every right on their own structure's rows: the 404 is the scope.
    client.force_login(staff_member(world.mine, role=manager))
    row = getattr(world, attribute)

    assert client.get(f"/admin/{prefix}/{action}/{row.pk}/").status_code == 404
    assert client.post(f"/admin/{prefix}/{action}/{row.pk}/", {"name": "Pris"}).status_code == 404
    assert type(row).objects.filter(pk=row.pk).exists()


def test_a_manager_of_another_structure_cannot_delete_or_change_a_group(client, world):
    boss = staff_member(world.theirs, role=manager)
    client.force_login(boss)
    assert client.post(f"/admin/groupes/delete/{world.group.pk}/").status_code == 404
    response = client.post(
        f"/admin/groupes/edit/{world.group.pk}/",
        {"name": "Volé", "structure": world.theirs.pk},
    )
    assert response.status_code == 404
    world.group.refresh_from_db()
    assert world.group.name == "Emploi du lundi" and world.group.structure == world.mine


def test_a_manager_deletes_a_group_and_a_partner_a_trainer_cannot(client, world):
    client.force_login(world.trainer)
    assert admin_permission_denied(client.get(f"/admin/groupes/delete/{world.group.pk}/"))
    assert admin_permission_denied(client.post(f"/admin/groupes/delete/{world.group.pk}/"))
    assert admin_permission_denied(client.post(f"/admin/partenaires/delete/{world.partner.pk}/"))
    assert Group.objects.filter(pk=world.group.pk).exists()
    assert Partner.objects.filter(pk=world.partner.pk).exists()

    client.force_login(staff_member(world.mine, role=manager))
    assert client.post(f"/admin/groupes/delete/{world.group.pk}/").status_code == 302
    assert not Group.objects.filter(pk=world.group.pk).exists()
    unused = PartnerFactory(structure=world.mine, name="Association sans orientation")
    assert client.post(f"/admin/partenaires/delete/{unused.pk}/").status_code == 302
    assert not Partner.objects.filter(pk=unused.pk).exists()


def test_a_trainer_reads_partners_but_only_a_manager_adds_them(client, world):
    client.force_login(world.trainer)
    assert client.get("/admin/partenaires/").status_code == 200
    response = client.post(
        "/admin/partenaires/new/", {"name": "Maison X", "kind": "ccas", "structure": world.mine.pk}
    )
    assert admin_permission_denied(response)

    client.force_login(staff_member(world.mine, role=manager))
    refused = client.post(
        "/admin/partenaires/new/",
        {"name": "Maison Y", "kind": "ccas", "structure": world.theirs.pk},
    )
    assert refused.status_code == 200  # the form refuses another structure
    created = client.post(
        "/admin/partenaires/new/", {"name": "Maison Z", "kind": "ccas", "structure": world.mine.pk}
    )
    assert created.status_code == 302
    assert list(
        Partner.objects.filter(name__startswith="Maison").values_list("name", flat=True)
    ) == ["Maison Z"]


def test_a_group_takes_only_the_structures_people(client, world):
    client.force_login(world.trainer)
    form = page_text(client.get("/admin/groupes/new/"))
    assert "Aminata" in form and "Bertrand" not in form
    assert world.other_trainer.username not in form

    tampered = client.post(
        "/admin/groupes/new/",
        {"name": "Mélangé", "structure": world.mine.pk, "learners": [world.their_learner.pk]},
    )
    elsewhere = client.post(
        "/admin/groupes/new/", {"name": "Ailleurs", "structure": world.theirs.pk}
    )

    assert "Sélectionnez un choix valide" in page_text(tampered)
    assert "Sélectionnez un choix valide" in page_text(elsewhere)
    assert not Group.objects.filter(name__in=["Mélangé", "Ailleurs"]).exists()


def test_a_group_of_one_structure_takes_none_of_another_structures_people(client, world):
    world.theirs.members.add(world.trainer)  # a trainer of both structures
    client.force_login(world.trainer)
    response = client.post(
        "/admin/groupes/new/",
        {
            "name": "Mélangé",
            "structure": world.mine.pk,
            "learners": [world.learner.pk, world.their_learner.pk],
            "trainers": [world.trainer.pk, world.other_trainer.pk],
        },
    )
    page = page_text(response)
    assert "Apprenant d'une autre structure : Bertrand." in page
    assert "Ne fait pas partie de cette structure" in page
    assert not Group.objects.filter(name="Mélangé").exists()


def test_a_trainer_creates_a_group_with_a_parcours_trainers_learners_and_dates(
    client, world, curriculum
):
    from modules.models import ParcoursPage

    parcours = ParcoursPage.objects.live().first()
    colleague = staff_member(world.mine)
    client.force_login(world.trainer)
    response = client.post(
        "/admin/groupes/new/",
        {
            "name": "Initiation mardi",
            "structure": world.mine.pk,
            "parcours": parcours.pk,
            "trainers": [world.trainer.pk, colleague.pk],
            "learners": [world.learner.pk],
            "start_date": "2026-12-01",
            "end_date": "2026-11-01",
        },
    )
    assert "La fin doit venir après le début." in page_text(response)
    response = client.post(
        "/admin/groupes/new/",
        {
            "name": "Initiation mardi",
            "structure": world.mine.pk,
            "parcours": parcours.pk,
            "trainers": [world.trainer.pk, colleague.pk],
            "learners": [world.learner.pk],
            "start_date": "2026-12-01",
            "end_date": "2026-12-15",
        },
    )
    assert response.status_code == 302
    group = Group.objects.get(name="Initiation mardi")
    assert group.parcours_id == parcours.pk
    assert set(group.trainers.all()) == {world.trainer, colleague}
    assert list(group.learners.all()) == [world.learner]
    # The change is in the group's history.
    history = page_text(client.get(f"/admin/groupes/history/{group.pk}/"))
    assert "Initiation mardi" in history


def test_the_group_listing_shows_learner_count_and_next_session(client, world):
    import datetime

    today = datetime.date.today()
    TrainingSessionFactory(group=world.group, date=today - datetime.timedelta(days=7))
    TrainingSessionFactory(
        group=world.group,
        date=today + datetime.timedelta(days=3),
        start_time=datetime.time(14, 0),
        end_time=datetime.time(16, 0),
    )
    TrainingSessionFactory(group=world.group, date=today + datetime.timedelta(days=10))
    more, _ = learner(structure=world.mine, first_name="Chloé")
    world.group.learners.add(more)
    client.force_login(world.trainer)

    listing = page_text(client.get("/admin/groupes/"))

    row = re.search(r"Emploi du lundi.*?</tr>", listing, re.S).group(0)
    assert re.search(r">\s*2\s*<", row), row
    assert f"{today + datetime.timedelta(days=3):%d/%m/%Y} 14:00" in row


def test_the_filters_narrow_referrals_by_partner_and_date(client, world):
    other_partner = PartnerFactory(structure=world.mine, name="Mission locale")
    ReferralFactory(learner=world.learner, partner=other_partner, date="2025-03-01")
    client.force_login(world.trainer)

    by_partner = listing_rows(client.get("/admin/orientations/", {"partner": other_partner.pk}))
    by_date = listing_rows(
        client.get("/admin/orientations/", {"date_from": "2025-01-01", "date_to": "2025-12-31"})
    )
    tampered = page_text(client.get("/admin/orientations/", {"partner": world.their_partner.pk}))

    assert "Mission locale" in by_partner and "CCAS de Roubaix" not in by_partner
    assert "Mission locale" in by_date and "CCAS de Roubaix" not in by_date
    assert "Bertrand" not in tampered and "France Travail Sud" not in tampered


# --- Referrals ------------------------------------------------------------------------


def test_a_referral_needs_a_learner_and_a_partner_of_the_same_structure(client, world):
    world.mine.members.add(world.other_trainer)  # a member of both structures
    client.force_login(world.other_trainer)

    refused = client.post(
        "/admin/orientations/new/",
        {"learner": world.learner.pk, "partner": world.their_partner.pk, "date": "2026-11-02"},
    )
    created = client.post(
        "/admin/orientations/new/",
        {
            "learner": world.learner.pk,
            "partner": world.partner.pk,
            "date": "2026-11-02",
            "referent_name": "M. Dupont",
            "needs": "Faire son CV",
        },
    )

    assert "Choisissez un partenaire de la même structure." in page_text(refused)
    assert created.status_code == 302
    referral = Referral.objects.get(needs="Faire son CV")
    assert referral.created_by == world.other_trainer and referral.partner == world.partner


def test_a_trainer_cannot_refer_another_structures_learner(client, world):
    client.force_login(world.trainer)
    response = client.post(
        "/admin/orientations/new/",
        {"learner": world.their_learner.pk, "partner": world.partner.pk, "date": "2026-11-02"},
    )
    assert response.status_code == 200
    assert not Referral.objects.filter(learner=world.their_learner, partner=world.partner).exists()


# --- Exports ---------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["groupes", "orientations", "partenaires"])
def test_exports_hold_only_the_trainers_own_rows(client, world, prefix):
    world.referral.needs = '=HYPERLINK("http://evil")'
    world.referral.save()
    client.force_login(world.trainer)

    as_csv = client.get(f"/admin/{prefix}/", {"export": "csv"})
    as_xlsx = client.get(f"/admin/{prefix}/", {"export": "xlsx"})

    assert as_csv["Content-Disposition"] == f'attachment; filename="{prefix}.csv"'
    assert f'filename="{prefix}.xlsx"' in as_xlsx["Content-Disposition"]
    for rows in (csv_rows(as_csv), xlsx_rows(as_xlsx)):
        assert len(rows) == 2, rows  # the headings and our one row
        text = " ".join(str(cell) for row in rows for cell in row)
        if prefix == "groupes":
            assert rows[0][:2] == ["Groupe", "Structure"]
            assert "Emploi du lundi" in text and "Antenne Nord" in text
            assert "Parentalité du jeudi" not in text and "Antenne Sud" not in text
        elif prefix == "partenaires":
            assert rows[1] == ["CCAS de Roubaix", "CCAS", "Antenne Nord"]
        else:
            assert "Aminata" in text and "CCAS de Roubaix" in text
            assert "Bertrand" not in text and "Besoin B" not in text
    if prefix == "orientations":
        # A formula in the text never runs in a spreadsheet.
        needs = csv_rows(client.get("/admin/orientations/", {"export": "csv"}))[1][-1]
        assert needs == '\'=HYPERLINK("http://evil")'


# --- Bulk creation of a group's learners --------------------------------------------------


def test_ten_names_make_ten_learners_in_the_group_and_one_pdf_of_their_cards(
    client, world, pdf_text
):
    client.force_login(world.trainer)
    url = reverse("group_learners_bulk_create", args=[world.group.pk])
    assert "Prénoms, un par ligne" in page_text(client.get(url))

    response = client.post(url, {"names": "\n".join(TEN_NAMES) + "\n"})

    assert response.status_code == 302
    created = list(world.group.learners.exclude(pk=world.learner.pk).order_by("pk"))
    assert len(created) == 10
    assert [(each.first_name, each.last_initial) for each in created] == [
        ("Fatou", "D"), ("Ali", ""), ("Marie-Claire", "B"), ("Jean Pierre", ""), ("Zoé", ""),
        ("Ibrahim", "K"), ("Ana", ""), ("Lou", ""), ("Nadia", ""), ("Éric", ""),
    ]  # fmt: skip
    assert all(
        each.structure == world.mine and each.created_by == world.trainer for each in created
    )

    # The codes and the pictures, shown to the trainer who created them.
    page = page_text(client.get(response["Location"]))
    assert all(each.display_code in page for each in created)
    shown = sum(page.count(f"{label}</li>") for label in map(str, PICTURES.values()))
    assert shown == 30

    # One PDF of all the cards, with the pictures when ticked.
    ids = [each.pk for each in created]
    pdf = client.get(reverse("learner_cards_pdf"), {"id": ids, "mot_de_passe": "1"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for each in created:
        assert each.first_name in text and each.display_code in text
    assert any(str(label) in text for label in PICTURES.values())


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ("", "Écrivez au moins un prénom"),
        ("\n  \n\n", "Écrivez au moins un prénom"),
        ("\n".join(f"Personne{chr(65 + n % 26)}" for n in range(21)), "20 apprenants au plus"),
        ("Fatou\n" + "A" * 61 + "\nAli", "Ligne 2 : ce prénom est trop long"),
        ("Fatou\n" + XSS[0], "Ligne 2 : écrivez seulement un prénom"),
        ("Fatou\n" + XSS[1], "Ligne 2 : écrivez seulement un prénom"),
        ("Fatou\nAli 3\n06 12 34 56 78", "Ligne 3 : écrivez seulement un prénom"),
    ],
)
def test_bad_lines_create_no_one_and_say_why(client, world, names, message):
    client.force_login(world.trainer)
    before = Learner.objects.count()

    response = client.post(
        reverse("group_learners_bulk_create", args=[world.group.pk]), {"names": names}
    )

    assert response.status_code == 200
    page = page_text(response)
    assert message in page
    assert "Aucun compte n'a été créé" in page or not names.strip()
    assert Learner.objects.count() == before
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_the_bulk_service_is_all_or_nothing():
    structure = StructureFactory()
    group = GroupFactory(structure=structure)
    with pytest.raises(ValidationError):
        services.group_learners_bulk_create(group=group, lines=["Ana", "B" * 80], created_by=None)
    assert not Learner.objects.exists()
    created = services.group_learners_bulk_create(
        group=group, lines="Ana\n\nBen K", created_by=None
    )
    assert [learner.display_name for learner, _pictures in created] == ["Ana", "Ben K."]
    assert all(len(pictures) == 3 for _learner, pictures in created)
    assert group.learners.count() == 2


def test_bulk_creation_is_for_the_groups_of_ones_structures_and_with_the_right(client, world):
    url = reverse("group_learners_bulk_create", args=[world.their_group.pk])
    client.force_login(world.trainer)
    assert client.get(url).status_code == 404
    assert client.post(url, {"names": "Intrus"}).status_code == 404
    assert not Learner.objects.filter(first_name="Intrus").exists()

    content_editor = editor()
    world.mine.members.add(content_editor)
    client.force_login(content_editor)
    own = reverse("group_learners_bulk_create", args=[world.group.pk])
    assert admin_permission_denied(client.post(own, {"names": "Intrus"}))
    assert not Learner.objects.filter(first_name="Intrus").exists()


def test_the_new_learners_page_shows_only_the_groups_learners(client, world):
    client.force_login(world.trainer)
    url = reverse("group_learners_created", args=[world.group.pk])
    page = page_text(client.get(url, {"id": [world.learner.pk, world.their_learner.pk]}))
    assert "Aminata" in page and "Bertrand" not in page
    assert world.their_learner.display_code not in page


# --- User text is shown as text -------------------------------------------------------------


@pytest.mark.parametrize("payload", XSS)
def test_group_names_and_referral_needs_are_escaped_everywhere(client, world, payload):
    world.group.name = payload
    world.group.save()
    world.referral.needs = payload
    world.referral.referent_name = payload
    world.referral.save()
    client.force_login(world.trainer)

    pages = [
        client.get("/admin/groupes/"),
        client.get(f"/admin/groupes/edit/{world.group.pk}/"),
        client.get(f"/admin/groupes/inspect/{world.group.pk}/"),
        client.get(reverse("group_learners_bulk_create", args=[world.group.pk])),
        client.get("/admin/orientations/"),
        client.get(f"/admin/orientations/edit/{world.referral.pk}/"),
    ]

    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert payload not in html
        assert escape(payload) in html


def test_the_group_page_leads_to_its_dashboard_progress_table_and_attestations(client, world):
    client.force_login(world.trainer)
    html = client.get(f"/admin/groupes/inspect/{world.group.pk}/").content.decode()

    links = [
        reverse("group_dashboard", args=[world.group.pk]),
        reverse("group_export", args=[world.group.pk]),
        reverse("group_attestations", args=[world.group.pk]),
    ]
    for url in links:
        assert f'href="{url}"' in html
        assert client.get(url).status_code == 200
