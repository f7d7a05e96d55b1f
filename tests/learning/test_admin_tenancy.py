"""Tenant isolation in the Wagtail admin: a trainer or manager of one structure never
sees another structure's people, groups, séances, partners or staff, in our views or
in Wagtail's stock ones (history, usage, search, reports, exports); every structure
choice is one of the user's structures; the superuser's structure form changes its
members only after saying who is added and removed."""

import io
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook
from wagtail.log_actions import log
from wagtail.models import Page

from learning.models import HelpRequest, TrainerNote, XapiCredential
from tests.factories import (
    GroupFactory,
    PartnerFactory,
    ReferralFactory,
    StructureFactory,
    TrainingSessionFactory,
    UserFactory,
    editor,
    learner,
    manager,
    staff_member,
    trainer,
)

pytestmark = pytest.mark.django_db

# Words that only another structure's rows hold: none may reach our trainer's screens.
THEIR_WORDS = [
    "Quokkaville",  # their structure
    "0987654321",  # its help phone
    "Bertrandine",  # their learner
    "Zanzibar",  # their group
    "Zenithsalle",  # their séance's place
    "Zorglub",  # their partner
    "Zazabelle",  # their referent
    "Zygomatique",  # their trainer's note
    "Zoltan",
    "Zimmerberg",  # their trainer
]


@pytest.fixture
def world():
    """Our structure, and another one full of data and history."""

    class World:
        pass

    world = World()
    world.mine = StructureFactory(name="Antenne Nord")
    world.trainer = staff_member(world.mine)
    world.manager = staff_member(world.mine, role=manager)
    world.learner, _ = learner(structure=world.mine, first_name="Aminata")
    world.group = GroupFactory(structure=world.mine, name="Emploi du lundi")
    world.group.learners.add(world.learner)
    world.session = TrainingSessionFactory(group=world.group)
    world.partner = PartnerFactory(structure=world.mine, name="CCAS de Roubaix")
    world.referral = ReferralFactory(learner=world.learner, partner=world.partner)
    world.note = TrainerNote.objects.create(
        learner=world.learner, author=world.trainer, body="<p>Bien.</p>"
    )
    world.help = HelpRequest.objects.create(learner=world.learner)
    world.credential = XapiCredential.objects.create(
        name="Outil Nord", structure=world.mine, key="k0"
    )

    world.theirs = StructureFactory(name="Antenne Quokkaville", help_phone="0987654321")
    world.their_trainer = staff_member(
        world.theirs, username="zoltan@example.org", first_name="Zoltan", last_name="Zimmerberg"
    )
    world.their_learner, _ = learner(structure=world.theirs, first_name="Bertrandine")
    world.their_group = GroupFactory(structure=world.theirs, name="Groupe Zanzibar")
    world.their_group.learners.add(world.their_learner)
    world.their_group.trainers.add(world.their_trainer)
    world.their_session = TrainingSessionFactory(group=world.their_group, place="Zenithsalle")
    world.their_partner = PartnerFactory(structure=world.theirs, name="Partenaire Zorglub")
    world.their_referral = ReferralFactory(
        learner=world.their_learner, partner=world.their_partner, referent_name="Mme Zazabelle"
    )
    world.their_note = TrainerNote.objects.create(
        learner=world.their_learner, author=world.their_trainer, body="<p>Zygomatique</p>"
    )
    world.their_help = HelpRequest.objects.create(learner=world.their_learner)
    world.their_credential = XapiCredential.objects.create(
        name="Outil Zorglub", structure=world.theirs, key="k1"
    )
    # What Wagtail's generic views log when their trainer works.
    for instance in (
        world.theirs,
        world.their_learner,
        world.their_group,
        world.their_session,
        world.their_partner,
        world.their_referral,
        world.their_note,
    ):
        log(instance=instance, action="wagtail.create", user=world.their_trainer)
        log(instance=instance, action="wagtail.edit", user=world.their_trainer)
    return world


def body_text(response):
    """What a person would read in the answer: HTML, CSV, or a spreadsheet's cells."""
    if not hasattr(response, "read_text"):  # a streamed body can be read only once
        response.read_text = _read_text(response)
    return response.read_text


def _read_text(response):
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if "spreadsheetml" in response.get("Content-Type", ""):
        sheet = load_workbook(io.BytesIO(content)).active
        return " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)
    if response.get("Content-Type", "").startswith("application/pdf"):
        from pypdf import PdfReader

        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return unescape(content.decode("utf-8", errors="replace"))


def leaked_words(response):
    text = body_text(response)
    return [word for word in THEIR_WORDS if word in text]


# --- Every admin URL, with their ids ---------------------------------------------------

# Never requested: they sign out, fail on purpose, or are the anonymous pages.
SKIPPED = {
    "wagtailadmin_logout",
    "wagtailadmin_error_test",
    "wagtailadmin_login",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
}


def admin_patterns():
    """(name, kwarg names) of every named admin URL (the resolver's own list)."""

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, list(pattern.pattern.regex.groupindex)

    seen = set()
    for name, kwargs in walk(get_resolver().url_patterns):
        if name in seen or name in SKIPPED:
            continue
        seen.add(name)
        try:
            path = reverse(name, kwargs=dict.fromkeys(kwargs, "1"))
        except Exception:  # noqa: BLE001 — patterns whose kwargs are not plain ids
            path = None
        if path is None or path.startswith("/admin/"):
            yield name, kwargs


def objects_of(world, side):
    """The objects of one side ("theirs" or "ours"), by viewset namespace or view name."""
    prefix = "their_" if side == "theirs" else ""
    get = lambda name: getattr(world, prefix + name)  # noqa: E731
    learner = get("learner")
    return {
        "learners": learner,
        "structures": world.theirs if side == "theirs" else world.mine,
        "trainer_groups": get("group"),
        "training_sessions": get("session"),
        "referrals": get("referral"),
        "partners": get("partner"),
        "xapi_credentials": get("credential"),
        "wagtailusers_users": get("trainer"),
        "learner": learner,
        "group": get("group"),
        "session": get("session"),
        "help": get("help"),
        "note": get("note"),
    }


def url_for(name, kwargs, objects):
    prefix = name.split(":")[0]
    target = objects.get(prefix) or objects.get(name.split("_")[0])
    page = Page.objects.filter(depth=2).first() or Page.get_first_root_node()
    values = {
        "pk": target.pk if target is not None else page.pk,
        "note_pk": objects["note"].pk,
        "learner_pk": objects["learner"].pk,
        "session_id": 1,
        "app_label": "learning",
        "model_name": "learner",
        "object_id": objects["learner"].pk,
        "content_type_app_name": "learning",
        "content_type_model_name": "learner",
        "app_name": "learning",
        "action": "delete",
        "action_name": "approve",
    }
    kwargs_values = {}
    for kwarg in kwargs:
        if kwarg in values:
            kwargs_values[kwarg] = values[kwarg]
        elif kwarg.endswith("_id") or kwarg.endswith("_pk"):
            kwargs_values[kwarg] = page.pk
        else:
            kwargs_values[kwarg] = "1"
    try:
        return reverse(name, kwargs=kwargs_values)
    except Exception:  # noqa: BLE001 — e.g. a regex that wants "live" or "latest"
        return None


def requests_to_try(world):
    """Each URL with the other structure's ids and with ours (our forms list choices)."""
    sides = [objects_of(world, "theirs"), objects_of(world, "ours")]
    for name, kwargs in admin_patterns():
        urls = {url_for(name, kwargs, objects) for objects in sides} - {None}
        yield from sorted(urls)
        if not kwargs and urls:  # listings, reports, searches: their exports, searches too
            (url,) = urls
            yield f"{url}?export=csv"
            yield f"{url}?export=xlsx"
            # The start of a word: a search box that repeats the query leaks nothing.
            yield f"{url}?q=Bertrand"
            yield f"{url}?q=Zanzi"


@pytest.mark.parametrize("role", ["trainer", "manager"])
def test_no_admin_url_shows_another_structures_data(client, world, role):
    """Every admin URL (the resolver's list) with the other structure's ids, plus every
    listing's CSV, XLSX and search: none shows a word of the other structure."""
    client.force_login(getattr(world, role))
    client.raise_request_exception = False
    leaks, errors, tried = [], [], 0
    for url in requests_to_try(world):
        tried += 1
        response = client.get(url)
        if response.status_code >= 500:
            errors.append(url)
            continue
        found = leaked_words(response)
        if found:
            leaks.append((url, response.status_code, found))
    assert tried > 150
    assert leaks == [], "\n".join(map(str, leaks))
    assert errors == []


def test_our_own_data_is_still_there(client, world):
    """The sweep above is not passing because every page is empty."""
    client.force_login(world.trainer)
    assert "Aminata" in body_text(client.get(reverse("learners:index")))
    assert "Emploi du lundi" in body_text(client.get(reverse("trainer_groups:index")))


# --- Site history ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["trainer", "manager"])
@pytest.mark.parametrize("suffix", ["", "?export=csv", "?export=xlsx"])
def test_the_site_history_is_refused_to_a_trainer_and_a_manager(client, world, role, suffix):
    client.force_login(getattr(world, role))
    for name in ("wagtailadmin_reports:site_history", "wagtailadmin_reports:site_history_results"):
        response = client.get(reverse(name) + suffix)
        assert response.status_code in (302, 403)
        assert leaked_words(response) == []


def test_the_site_history_is_not_in_a_managers_menu(client, world):
    client.force_login(world.manager)
    response = client.get(reverse("wagtailadmin_home"))
    assert reverse("wagtailadmin_reports:site_history") not in response.content.decode()


def test_an_editor_reads_the_site_history_of_pages_without_anyone_of_a_structure(client, world):
    page = Page.get_first_root_node().add_child(
        instance=Page(title="Page Tournesol", slug="tournesol")
    )
    author = editor()
    log(instance=page, action="wagtail.create", user=author)
    client.force_login(author)
    url = reverse("wagtailadmin_reports:site_history")
    for suffix in ("", "?export=csv", "?export=xlsx"):
        response = client.get(url + suffix)
        assert response.status_code == 200
        assert "Tournesol" in body_text(response)
        assert leaked_words(response) == []


def test_a_superuser_still_reads_the_whole_site_history(client, world):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get(reverse("wagtailadmin_reports:site_history"))
    assert response.status_code == 200
    assert "Zanzibar" in body_text(response)
    csv_export = client.get(reverse("wagtailadmin_reports:site_history") + "?export=csv")
    assert "Bertrandine" in body_text(csv_export)


def test_pinging_the_edit_session_of_another_structures_learner_is_not_found(client, world):
    """Wagtail's "who else is editing" ping would name their trainer."""
    client.force_login(world.trainer)
    url = reverse(
        "wagtailadmin_editing_sessions:ping",
        args=["learning", "learner", world.their_learner.pk, 0],
    )
    response = client.post(url)
    assert response.status_code == 404
    assert leaked_words(response) == []


# --- Structure choices (item 3) ------------------------------------------------------------


def test_the_learner_form_offers_only_the_users_structures(client, world):
    client.force_login(world.trainer)
    response = client.get(reverse("learners:edit", args=[world.learner.pk]))
    assert response.status_code == 200
    assert "Antenne Nord" in body_text(response)
    assert "Quokkaville" not in body_text(response)


def _learner_post(learner, structure):
    return {
        "first_name": learner.first_name,
        "last_initial": learner.last_initial,
        "structure": structure.pk,
        "language": learner.language,
    }


def test_a_trainer_cannot_move_a_learner_into_another_structure(client, world):
    client.force_login(world.trainer)
    response = client.post(
        reverse("learners:edit", args=[world.learner.pk]),
        _learner_post(world.learner, world.theirs),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["structure"]
    world.learner.refresh_from_db()
    assert world.learner.structure == world.mine


def test_a_move_between_two_of_the_trainers_structures_keeps_the_learner_in_sight(client, world):
    second = StructureFactory(name="Médiathèque Est")
    second.members.add(world.trainer)
    client.force_login(world.trainer)
    response = client.post(
        reverse("learners:edit", args=[world.learner.pk]), _learner_post(world.learner, second)
    )
    assert response.status_code == 302
    world.learner.refresh_from_db()
    assert world.learner.structure == second
    assert client.get(reverse("learners:edit", args=[world.learner.pk])).status_code == 200
    assert client.get(reverse("learner_file", args=[world.learner.pk])).status_code == 200
    assert "Aminata" in body_text(client.get(reverse("learners:index")))


def test_the_learner_list_filter_offers_only_the_users_structures(client, world):
    client.force_login(world.trainer)
    response = client.get(reverse("learners:index"))
    assert "Antenne Nord" in body_text(response)
    assert "Quokkaville" not in body_text(response)
    # Filtering on another structure's id shows nothing of it, and no error page.
    response = client.get(reverse("learners:index"), {"structure": world.theirs.pk})
    assert response.status_code == 200
    assert leaked_words(response) == []


def test_a_manager_lists_only_their_structures(client, world):
    client.force_login(world.manager)
    response = client.get(reverse("structures:index"))
    assert response.status_code == 200
    assert "Antenne Nord" in body_text(response)
    assert leaked_words(response) == []


@pytest.mark.parametrize(
    "viewset, data",
    [
        ("trainer_groups", {"name": "Nouveau groupe"}),
        ("partners", {"name": "Nouveau partenaire", "kind": "ccas"}),
    ],
)
def test_a_form_refuses_another_structure_with_a_message(client, world, viewset, data):
    client.force_login(world.manager)
    response = client.post(reverse(f"{viewset}:add"), {**data, "structure": world.theirs.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["structure"]


def test_a_sessions_group_and_a_referrals_learner_are_the_users_own(client, world):
    client.force_login(world.trainer)
    response = client.post(
        reverse("training_sessions:add"),
        {"group": world.their_group.pk, "date": "2030-01-07", "start_time": "09:00",
         "end_time": "12:00", "place": "Salle"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["group"]
    response = client.post(
        reverse("referrals:add"),
        {"learner": world.their_learner.pk, "partner": world.partner.pk, "date": "2030-01-07"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["learner"]


# --- The superuser's structure members (item 13) ------------------------------------------


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root@example.org", is_superuser=True))
    return client


def _structure_post(structure, members, **extra):
    return {
        "name": structure.name,
        "kind": structure.kind,
        "help_phone": structure.help_phone,
        "members": [member.pk for member in members],
        **extra,
    }


def test_the_structure_form_offers_staff_but_no_learner_account(superuser_client, world):
    outsider_trainer = trainer(username="nadia@example.org", first_name="Nadia")
    response = superuser_client.get(reverse("structures:edit", args=[world.mine.pk]))
    form = response.context["form"]
    offered = set(form.fields["members"].queryset)
    assert {world.trainer, world.manager, outsider_trainer} <= offered
    assert world.learner.user not in offered
    assert world.their_learner.user not in offered
    offered_ids = [user.pk for user in offered]
    assert not get_user_model().objects.filter(pk__in=offered_ids, learner__isnull=False)
    # A box to find someone by name.
    assert 'type="search"' in response.content.decode()


def test_removing_members_without_confirming_removes_no_one(superuser_client, world):
    url = reverse("structures:edit", args=[world.mine.pk])
    response = superuser_client.post(url, _structure_post(world.mine, []))
    assert response.status_code == 200
    assert set(world.mine.members.all()) == {world.trainer, world.manager}


def test_the_confirmation_lists_who_is_added_and_removed_then_saves(superuser_client, world):
    newcomer = trainer(username="nadia@example.org", first_name="Nadia", last_name="Benali")
    world.manager.first_name, world.manager.last_name = "Paul", "Durand"
    world.manager.save()
    url = reverse("structures:edit", args=[world.mine.pk])
    data = _structure_post(world.mine, [world.trainer, newcomer])
    response = superuser_client.post(url, data)
    text = body_text(response)
    assert "Ajoutés : Nadia Benali" in text
    assert "Retirés : Paul Durand" in text
    assert set(world.mine.members.all()) == {world.trainer, world.manager}
    confirmation = response.context["form"]["members_change"].value()
    response = superuser_client.post(url, {**data, "members_change": confirmation})
    assert response.status_code == 302
    assert set(world.mine.members.all()) == {world.trainer, newcomer}


def test_a_confirmation_for_other_changes_does_not_count(superuser_client, world):
    url = reverse("structures:edit", args=[world.mine.pk])
    first = superuser_client.post(url, _structure_post(world.mine, [world.trainer]))
    confirmation = first.context["form"]["members_change"].value()
    response = superuser_client.post(
        url, _structure_post(world.mine, [], members_change=confirmation)
    )
    assert response.status_code == 200
    assert set(world.mine.members.all()) == {world.trainer, world.manager}


def test_saving_a_structure_without_changing_its_members_needs_no_confirmation(
    superuser_client, world
):
    url = reverse("structures:edit", args=[world.mine.pk])
    data = _structure_post(world.mine, [world.trainer, world.manager], help_phone="01 99 99 99 99")
    assert superuser_client.post(url, data).status_code == 302
    world.mine.refresh_from_db()
    assert world.mine.help_phone == "01 99 99 99 99"
