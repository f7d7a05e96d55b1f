"""The structure report for funders and the group export: the figures on a small
hand-built structure, the CSV and XLSX files, scoping, permissions, query counts,
escaping and spreadsheet formulas."""

import csv
import datetime
import io
import re
from html import unescape
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from learning import reports
from learning.models import (
    Attendance,
    ExerciseAttempt,
    Learner,
    LessonProgress,
    Referral,
    Structure,
)
from modules.loader import load_curriculum
from modules.models import LessonPage
from tests.conftest import MINIMAL_CONTENT
from tests.factories import (
    GroupFactory,
    PartnerFactory,
    TrainingSessionFactory,
    UserFactory,
    learner,
    manager,
    trainer,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
REPORT = "/admin/rapport/"
FIRST_HALF_2025 = {"start": "2025-01-01", "end": "2025-06-30"}

# A second module and a parcours that needs both: a parcours is done when its last module is.
MORE_CONTENT = {
    "modules/clavier/module.md": """
        ---
        key: module-clavier
        title: Le clavier
        slug: clavier
        summary: Taper des lettres.
        objectives:
          - Taper
        competences: ["5.2"]
        ---
        """,
    "modules/clavier/01-taper.md": """
        ---
        key: lecon-taper
        title: Taper
        slug: taper
        minutes: 10
        ---
        ## Les lettres

        Appuyez sur une lettre.

        ## Bravo

        Vous savez taper.
        """,
    "parcours/2-complet.md": """
        ---
        key: parcours-complet
        title: Complet
        kind: initiation
        target_hours: 4
        modules:
          - module-souris
          - module-clavier
        ---
        Deux modules.
        """,
}


def at(year, month, day, hour=12, minute=0):
    """A moment in the site's time zone (Paris)."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def make_learner(structure, first_name, created_at, last_initial=""):
    someone, _pictures = learner(
        structure=structure, first_name=first_name, last_initial=last_initial
    )
    Learner.objects.filter(pk=someone.pk).update(created_at=created_at)
    someone.refresh_from_db()
    return someone


def progress(someone, key, *, started, seen, completed=None, fraction=0.5, seconds=0):
    row = LessonProgress.objects.create(
        learner=someone.user,
        lesson=LessonPage.objects.filter(source_key=key).first(),
        lesson_key=key,
        progress=1.0 if completed else fraction,
        status="completed" if completed else "started",
        time_spent_s=seconds,
    )
    LessonProgress.objects.filter(pk=row.pk).update(
        started_at=started, last_seen_at=seen, completed_at=completed
    )
    return row


def attempt(row, created_at, number=1):
    made = ExerciseAttempt.objects.create(
        progress=row, block_id="b", attempt_number=number, answer=[0], correct=1.0, passed=True
    )
    ExerciseAttempt.objects.filter(pk=made.pk).update(created_at=created_at)


def attend(session, someone, status):
    Attendance.objects.create(session=session, learner=someone, status=status)


@pytest.fixture
def content(wagtail_root, content_dir):
    load_curriculum(content_dir({**MINIMAL_CONTENT, **MORE_CONTENT}))


@pytest.fixture
def world(content):
    """Structure A with six learners, two partners, one group, three sessions; and a
    structure B next door whose figures must never show in A's report."""
    a = Structure.objects.create(name="Antenne A")
    b = Structure.objects.create(name="Antenne B")
    france_travail = PartnerFactory(structure=a, name="France Travail Nord", kind="france-travail")
    ccas = PartnerFactory(structure=a, name="CCAS Centre", kind="ccas")
    other_partner = PartnerFactory(structure=b, name="CCAS de B", kind="ccas")

    ana = make_learner(a, "Ana", at(2024, 12, 15), "R")
    bob = make_learner(a, "Bob", at(2025, 2, 3))
    cai = make_learner(a, "Caï", at(2025, 3, 5))
    dan = make_learner(a, "Dan", at(2025, 1, 20))
    # Created at 23:30 on the last day, Paris time (21:30 UTC): in the period.
    hal = make_learner(a, "Hal", at(2025, 6, 30, 23, 30))
    # Created at 00:10 on the day after, Paris time (22:10 UTC the day before): not.
    eve = make_learner(a, "Eve", at(2025, 7, 1, 0, 10))
    fay = make_learner(a, "Fay", at(2024, 6, 1))
    gus = make_learner(b, "Gus", at(2025, 2, 1))

    Referral.objects.create(learner=ana, partner=france_travail, date=datetime.date(2024, 12, 10))
    Referral.objects.create(learner=bob, partner=ccas, date=datetime.date(2025, 2, 1))
    Referral.objects.create(learner=dan, partner=france_travail, date=datetime.date(2025, 1, 21))
    Referral.objects.create(learner=eve, partner=ccas, date=datetime.date(2025, 7, 1))
    Referral.objects.create(learner=gus, partner=other_partner, date=datetime.date(2025, 2, 1))

    group = GroupFactory(structure=a, name="Initiation lundi")
    group.learners.set([ana, bob, cai, fay])
    january = TrainingSessionFactory(
        group=group,
        date=datetime.date(2025, 1, 14),
        start_time=datetime.time(9, 30),
        end_time=datetime.time(12, 0),
    )
    february = TrainingSessionFactory(
        group=group,
        date=datetime.date(2025, 2, 11),
        start_time=datetime.time(14, 0),
        end_time=datetime.time(15, 30),
    )
    july = TrainingSessionFactory(group=group, date=datetime.date(2025, 7, 5))
    attend(january, ana, Attendance.Status.PRESENT)
    attend(january, fay, Attendance.Status.EXCUSED)  # excused: not active, no hours
    attend(february, bob, Attendance.Status.LATE)  # late counts as attended
    attend(february, cai, Attendance.Status.ABSENT)  # absent does not
    attend(july, eve, Attendance.Status.PRESENT)  # after the period

    other_group = GroupFactory(structure=b, name="Groupe de B")
    other_session = TrainingSessionFactory(group=other_group, date=datetime.date(2025, 3, 1))
    attend(other_session, gus, Attendance.Status.PRESENT)

    # Ana answers at 23:45 on the period's last day: active in June.
    row = progress(ana, "lecon-taper", started=at(2024, 10, 1), seen=at(2025, 6, 30, 23, 45))
    attempt(row, at(2025, 6, 30, 23, 45))
    # Cai finishes both modules in March: the souris lesson was done in December.
    progress(
        cai,
        "lecon-cliquer",
        started=at(2024, 12, 1),
        seen=at(2024, 12, 2),
        completed=at(2024, 12, 2),
        seconds=1800,
    )
    progress(
        cai,
        "lecon-taper",
        started=at(2025, 3, 10),
        seen=at(2025, 3, 10, 15),
        completed=at(2025, 3, 10, 15),
        seconds=1800,
    )
    # Dan only answered exercises: at 00:30 on 1 January (23:30 UTC the day before) and in April.
    row = progress(dan, "lecon-cliquer", started=at(2024, 11, 1), seen=at(2025, 7, 15))
    attempt(row, at(2025, 1, 1, 0, 30), number=1)
    attempt(row, at(2025, 4, 2), number=2)
    # B's learner does everything in the period: none of it is A's.
    progress(
        gus,
        "lecon-cliquer",
        started=at(2025, 2, 2),
        seen=at(2025, 2, 2),
        completed=at(2025, 2, 2),
    )
    return {
        "a": a,
        "b": b,
        "group": group,
        "other_group": other_group,
        "learners": {p.first_name: p for p in (ana, bob, cai, dan, hal, eve, fay, gus)},
        "partners": (france_travail, ccas, other_partner),
    }


def report_of(structure, start="2025-01-01", end="2025-06-30"):
    return reports.structure_report(
        structure=structure,
        period=reports.Period(
            start=datetime.date.fromisoformat(start), end=datetime.date.fromisoformat(end)
        ),
    )


@pytest.fixture
def manager_a(world):
    user = manager()
    world["a"].members.add(user)
    return user


def signed_in(client, user):
    client.force_login(user)
    return client


def csv_rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def xlsx_sheets(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    book = openpyxl.load_workbook(io.BytesIO(body))
    return {sheet.title: [[cell.value for cell in row] for row in sheet.rows] for sheet in book}


# --- The figures -----------------------------------------------------------------


def test_the_key_figures_count_the_structures_own_learners_in_the_period(world):
    report = report_of(world["a"])

    # Ana (present), Bob (late), Caï (lesson), Dan (exercises); not Eve (July), Fay
    # (excused), Hal (no activity), nor Gus (structure B).
    assert report.active_learners == 4
    assert set(reports.active_learners(structure=world["a"], period=report.period)) == {
        world["learners"][name] for name in ("Ana", "Bob", "Caï", "Dan")
    }
    # Bob, Caï, Dan and Hal (23:30 on 30 June); not Eve (00:10 on 1 July), not Ana (2024).
    assert report.new_learners == 4
    # January 2.5 h (Ana present, Fay excused), February 1.5 h (Bob late, Caï absent).
    assert report.sessions == 2
    assert report.hours_attended == 4.0
    assert report.lessons_completed == 1


def test_late_counts_as_attended_absent_and_excused_do_not(world):
    only_february = report_of(world["a"], "2025-02-01", "2025-02-28")
    assert only_february.hours_attended == 1.5  # Bob, late; not Caï, absent
    assert only_february.active_learners == 1

    only_january = report_of(world["a"], "2025-01-14", "2025-01-14")
    assert only_january.hours_attended == 2.5  # Ana present; not Fay, excused
    assert only_january.active_learners == 1


def test_the_months_follow_the_local_calendar(world):
    months = {row.month.month: row for row in report_of(world["a"]).months}

    assert [row.month for row in report_of(world["a"]).months] == [
        datetime.date(2025, month, 1) for month in range(1, 7)
    ]
    # January: Ana (session) and Dan (00:30 on 1 January in Paris, still 2024 in UTC).
    assert [months[m].active_learners for m in range(1, 7)] == [2, 1, 1, 1, 0, 1]
    assert [months[m].new_learners for m in range(1, 7)] == [1, 1, 1, 0, 0, 1]
    assert [months[m].hours_attended for m in range(1, 7)] == [2.5, 1.5, 0, 0, 0, 0]


def test_a_period_boundary_is_a_whole_local_day(world):
    last_day = report_of(world["a"], "2025-06-30", "2025-06-30")
    assert last_day.new_learners == 1  # Hal at 23:30; Eve at 00:10 the next day is not
    assert last_day.active_learners == 1  # Ana at 23:45

    first_of_july = report_of(world["a"], "2025-07-01", "2025-07-01")
    assert first_of_july.new_learners == 1  # Eve
    assert first_of_july.active_learners == 0


def test_completions_by_parcours_count_a_module_and_a_parcours_when_its_last_lesson_is_done(
    world,
):
    by_title = {row.title: row for row in report_of(world["a"]).parcours}

    # Caï finished "Taper" in March; "Cliquer" (December) is outside the period.
    assert (by_title["Débuter"].lessons_completed, by_title["Complet"].lessons_completed) == (0, 1)
    # "Débuter" (souris) was done in December; "Complet" needs the clavier, done in March.
    assert by_title["Débuter"].modules_completed == 0
    assert by_title["Débuter"].parcours_completed == 0
    assert by_title["Complet"].modules_completed == 1
    assert by_title["Complet"].parcours_completed == 1

    december = {
        row.title: row for row in report_of(world["a"], "2024-12-01", "2024-12-31").parcours
    }
    assert december["Débuter"].parcours_completed == 1
    assert december["Complet"].parcours_completed == 0  # the clavier was not done yet
    assert december["Complet"].modules_completed == 1  # the souris module


SHARED_NOTE = "Une leçon commune à plusieurs parcours compte dans chacun."
TOTAL_ONCE = "Total (chaque leçon comptée une fois)"
DECEMBER_2024 = {"start": "2024-12-01", "end": "2024-12-31"}


def test_a_lesson_shared_by_two_parcours_counts_once_in_the_totals(world):
    # In December Caï finished "Cliquer", in both "Débuter" and "Complet".
    report = report_of(world["a"], "2024-12-01", "2024-12-31")

    by_title = {row.title: row for row in report.parcours}
    assert by_title["Débuter"].lessons_completed == by_title["Complet"].lessons_completed == 1
    assert report.lessons_completed == 1  # one lesson, not two
    assert report.modules_completed == 1  # the souris module, shared: once
    assert report.parcours_completed == 1  # "Débuter"


def test_the_by_parcours_table_says_its_figures_are_per_parcours_and_totals_once(
    client, world, manager_a
):
    response = signed_in(client, manager_a).get(
        REPORT, {"structure": world["a"].pk, **DECEMBER_2024}
    )

    page = unescape(response.content.decode())
    table = page[page.index("Par parcours</caption>") : page.index("Par groupe</caption>")]
    assert SHARED_NOTE in table
    total = re.search(rf"<th scope=\"row\">{re.escape(TOTAL_ONCE)}</th>(.*?)</tr>", table, re.S)
    assert total, "no total line"
    assert re.findall(r"<td>(\d+)</td>", total.group(1)) == ["1", "1", "1"]


def test_the_exports_carry_the_total_line_and_the_note(client, world, manager_a):
    params = {"structure": world["a"].pk, **DECEMBER_2024}
    signed_in(client, manager_a)

    rows = csv_rows(client.get(REPORT, {**params, "export": "csv"}))
    section = rows[rows.index(["Par parcours"]) : rows.index(["Par groupe"])]
    assert [TOTAL_ONCE, "1", "1", "1"] in section
    assert any(SHARED_NOTE in cell for row in section for cell in row)

    sheet = xlsx_sheets(client.get(REPORT, {**params, "export": "xlsx"}))["Par parcours"]
    assert [TOTAL_ONCE, 1, 1, 1] in sheet
    assert any(SHARED_NOTE in str(cell) for row in sheet for cell in row)


def test_learners_by_referral_partner_and_kind(world):
    report = report_of(world["a"])

    partners = {row.name: row for row in report.partners}
    assert set(partners) == {"France Travail Nord", "CCAS Centre"}  # not B's partner
    # Dan was referred in January (Ana in December); both are active.
    assert (
        partners["France Travail Nord"].referrals,
        partners["France Travail Nord"].active_learners,
    ) == (1, 2)
    # Bob in February (active); Eve in July (outside).
    assert (partners["CCAS Centre"].referrals, partners["CCAS Centre"].active_learners) == (1, 1)
    assert partners["CCAS Centre"].kind_label == "CCAS"
    kinds = {row.kind: (row.referrals, row.active_learners) for row in report.partner_kinds}
    assert kinds == {"france-travail": (1, 2), "ccas": (1, 1)}
    assert report.active_without_referral == 1  # Caï


def test_the_group_export_rows(world):
    rows = {row.name: row for row in reports.group_progress_rows(group=world["group"])}

    assert list(rows) == ["Ana R.", "Bob", "Caï", "Fay"]
    ana, bob, cai = rows["Ana R."], rows["Bob"], rows["Caï"]
    assert ana.code == world["learners"]["Ana"].display_code
    assert (ana.present, ana.late, ana.absent, ana.excused, ana.hours_attended) == (1, 0, 0, 0, 2.5)
    assert (bob.present, bob.late, bob.hours_attended) == (0, 1, 1.5)
    assert (cai.absent, cai.hours_attended) == (1, 0)
    assert (rows["Fay"].excused, rows["Fay"].hours_attended) == (1, 0)
    # The group has no parcours: nothing to complete, but the time counts.
    assert (cai.lessons_completed, cai.lessons_total, cai.time_spent_hours) == (0, 0, 1.0)


def test_the_group_export_follows_the_groups_parcours(world):
    from modules.models import ParcoursPage

    group = world["group"]
    group.parcours = ParcoursPage.objects.get(source_key="parcours-complet")
    group.save()
    rows = {row.name: row for row in reports.group_progress_rows(group=group)}

    assert (rows["Caï"].lessons_completed, rows["Caï"].lessons_total) == (2, 2)
    assert rows["Caï"].progress_percent == 100
    # Ana is halfway through one lesson of one of the two modules: 25 %.
    assert (rows["Ana R."].lessons_completed, rows["Ana R."].progress_percent) == (0, 25)


# --- The report page and its files ------------------------------------------------


def test_the_report_page_shows_the_figures_in_tables_with_captions(client, world, manager_a):
    response = signed_in(client, manager_a).get(
        REPORT, {"structure": world["a"].pk, **FIRST_HALF_2025}
    )

    assert response.status_code == 200
    page = response.content.decode()
    for caption in ("Chiffres clés", "Par parcours", "Par partenaire qui oriente", "Par mois"):
        assert f'<caption class="w-h3">{caption}</caption>' in page
    assert "France Travail Nord" in page
    assert "Initiation lundi" in page
    assert "CCAS de B" not in page and "Groupe de B" not in page


def test_by_default_the_report_covers_this_year_so_far_for_the_first_structure(
    client, world, manager_a
):
    response = signed_in(client, manager_a).get(REPORT)

    form = response.context["form"]
    today = datetime.date.today()
    assert form.cleaned_data["structure"] == world["a"]
    assert form.cleaned_data["start"] == today.replace(month=1, day=1)
    assert form.cleaned_data["end"] == today


def test_the_report_exports_as_csv_with_one_section_per_table(client, world, manager_a):
    response = signed_in(client, manager_a).get(
        REPORT, {"structure": world["a"].pk, **FIRST_HALF_2025, "export": "csv"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        (response["Content-Disposition"])
        == 'attachment; filename="rapport-antenne-a-2025-01-01-2025-06-30.csv"'
    )
    rows = csv_rows(response)
    summary = {row[0]: row[1] for row in rows[2:10]}
    assert rows[0] == ["Chiffres clés"]
    assert summary["Structure"] == "Antenne A"
    assert summary["Apprenants actifs"] == "4"
    assert summary["Heures de présence"] == "4.0"
    months = rows[rows.index(["Par mois"]) + 2 :]
    assert months[0] == ["Janvier 2025", "2", "1", "2.5"]
    text = "\n".join(",".join(row) for row in rows)
    assert "France Travail Nord" in text
    assert "CCAS de B" not in text and "Groupe de B" not in text and "Gus" not in text


def test_the_report_exports_as_xlsx_with_one_sheet_per_table(client, world, manager_a):
    response = signed_in(client, manager_a).get(
        REPORT, {"structure": world["a"].pk, **FIRST_HALF_2025, "export": "xlsx"}
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheets = xlsx_sheets(response)
    assert list(sheets) == [
        "Chiffres clés",
        "Par parcours",
        "Par groupe",
        "Par partenaire qui oriente",
        "Par type de partenaire",
        "Par mois",
    ]
    summary = dict(row for row in sheets["Chiffres clés"][1:])
    assert summary["Apprenants actifs"] == 4
    assert summary["Heures de présence"] == 4.0
    assert str(summary["Du"])[:10] == "2025-01-01"
    partners = {row[0]: row[1:] for row in sheets["Par partenaire qui oriente"][1:]}
    assert partners == {
        "CCAS Centre": ["CCAS", 1, 1],
        "France Travail Nord": ["France Travail", 1, 2],
        "Sans orientation": [None, None, 1],
    }
    assert sheets["Par groupe"][1:] == [["Initiation lundi", 2, 4.0]]


def test_the_group_export_as_csv_and_xlsx(client, world, manager_a):
    url = reverse("group_export", args=[world["group"].pk])
    signed_in(client, manager_a)

    rows = csv_rows(client.get(url, {"export": "csv"}))
    assert rows[0][:3] == ["Apprenant", "Code", "Leçons terminées"]
    assert [row[0] for row in rows[1:]] == ["Ana R.", "Bob", "Caï", "Fay"]
    assert rows[1][6:] == ["1", "0", "0", "0", "2.5"]

    response = client.get(url, {"export": "xlsx"})
    assert "no-store" in response["Cache-Control"]
    (sheet,) = xlsx_sheets(response).values()
    assert sheet[0][-1] == "Heures de présence"
    assert sheet[2][0] == "Bob" and sheet[2][7] == 1 and sheet[2][-1] == 1.5
    assert "Gus" not in str(sheet)

    page = client.get(url)
    assert page.status_code == 200
    assert "Ana R." in page.content.decode()


# --- Who sees what ----------------------------------------------------------------


def test_a_trainer_may_not_open_the_report_nor_see_it_in_the_menu(client, world):
    someone = trainer()
    world["a"].members.add(someone)
    signed_in(client, someone)

    refused = client.get(REPORT)
    assert refused.status_code == 403
    assert "réservé aux responsables de structure" in refused.content.decode()
    assert client.get(REPORT, {"export": "csv"}).status_code == 403
    assert '"url": "/admin/rapport/"' not in client.get("/admin/").content.decode()


def test_a_manager_finds_the_report_in_the_menu(client, manager_a):
    assert (
        '"url": "/admin/rapport/"' in signed_in(client, manager_a).get("/admin/").content.decode()
    )


def test_a_manager_of_a_cannot_read_the_figures_of_b(client, world, manager_a):
    signed_in(client, manager_a)
    tampered = {"structure": world["b"].pk, **FIRST_HALF_2025}

    page = client.get(REPORT, tampered)
    assert page.status_code == 200
    assert "Choisissez une structure de la liste." in page.content.decode()
    assert page.context["tables"] == []
    assert "Antenne B" not in page.content.decode()
    for export in ("csv", "xlsx"):
        response = client.get(REPORT, {**tampered, "export": export})
        assert response["Content-Type"].startswith("text/html")
        assert "Gus" not in response.content.decode()


def test_the_structure_choice_lists_only_the_managers_structures(client, world, manager_a):
    page = signed_in(client, manager_a).get(REPORT).content.decode()
    assert "Antenne A" in page and "Antenne B" not in page


def test_a_superuser_reads_every_structures_report(client, world):
    admin = UserFactory(is_superuser=True, is_staff=True)
    signed_in(client, admin)
    response = client.get(REPORT, {"structure": world["b"].pk, **FIRST_HALF_2025})
    assert response.context["form"].is_valid()
    assert response.context["tables"][0].rows[3]["value"] == 1  # Gus


def test_a_manager_without_structure_is_told_so(client, world):
    page = signed_in(client, manager()).get(REPORT)
    assert page.status_code == 200
    assert "membre d'aucune structure" in page.content.decode()


def test_the_group_export_needs_the_groups_structure(client, world, manager_a):
    other = reverse("group_export", args=[world["other_group"].pk])
    signed_in(client, manager_a)
    assert client.get(other).status_code == 404
    assert client.get(other, {"export": "csv"}).status_code == 404
    assert client.get(reverse("group_export", args=[999999])).status_code == 404

    someone = trainer()
    world["a"].members.add(someone)
    signed_in(client, someone)
    assert client.get(reverse("group_export", args=[world["group"].pk])).status_code == 200
    assert client.get(other).status_code == 404

    stranger = UserFactory()
    stranger.user_permissions.add(Permission.objects.get(codename="access_admin"))
    signed_in(client, stranger)
    assert client.get(reverse("group_export", args=[world["group"].pk])).status_code == 403


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2025-06-30", "2025-01-01", "La date de début doit être avant la date de fin."),
        ("pas une date", "2025-01-01", "Écrivez une date"),
        ("1990-01-01", "2025-01-01", "10 ans au plus"),
    ],
)
def test_a_wrong_period_is_explained_never_a_crash(client, world, manager_a, start, end, message):
    signed_in(client, manager_a)
    for export in (None, "csv"):
        params = {"structure": world["a"].pk, "start": start, "end": end}
        if export:
            params["export"] = export
        response = client.get(REPORT, params)
        assert response.status_code == 200
        assert message in response.content.decode()


# --- Query counts -----------------------------------------------------------------


def grow(world, count):
    """`count` more learners in A, each referred, present at a session, with progress
    and three attempts."""
    a, group = world["a"], world["group"]
    france_travail = world["partners"][0]
    session = TrainingSessionFactory(group=group, date=datetime.date(2025, 5, 6))
    for number in range(count):
        name = f"Extra{chr(65 + number // 26)}{chr(97 + number % 26)}"  # names are letters
        someone = make_learner(a, name, at(2025, 1 + number % 6, 3))
        Referral.objects.create(
            learner=someone, partner=france_travail, date=datetime.date(2025, 3, 1)
        )
        group.learners.add(someone)
        attend(session, someone, Attendance.Status.PRESENT)
        row = progress(
            someone, "lecon-cliquer", started=at(2025, 2, 1), seen=at(2025, 5, 1), seconds=600
        )
        for attempt_number in (1, 2, 3):
            attempt(row, at(2025, 1 + attempt_number, 2), number=attempt_number)


def test_the_report_takes_as_many_queries_for_5_or_40_more_learners(
    client, world, manager_a, django_assert_max_num_queries, django_assert_num_queries
):
    signed_in(client, manager_a)
    params = {"structure": world["a"].pk, **FIRST_HALF_2025}
    client.get(REPORT, params)  # warm the session and the permission caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(REPORT, params)
    grow(world, 5)
    with CaptureQueriesContext(connection) as medium:
        client.get(REPORT, params)
    grow(world, 35)
    with django_assert_max_num_queries(len(small)):
        response = client.get(REPORT, params)
    assert len(small) == len(medium)
    assert response.context["tables"][0].rows[3]["value"] == 44  # the 4 + 40 more
    with django_assert_max_num_queries(len(small)):
        client.get(REPORT, {**params, "export": "xlsx"})


def test_the_group_export_takes_as_many_queries_for_5_or_40_more_learners(
    client, world, manager_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("group_export", args=[world["group"].pk])
    signed_in(client, manager_a)
    client.get(url)
    grow(world, 5)
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"export": "csv"})
    grow(world, 35)
    with django_assert_max_num_queries(len(small)):
        rows = csv_rows(client.get(url, {"export": "csv"}))
    assert len(rows) == 1 + 4 + 40


# --- Escaping and spreadsheet formulas ------------------------------------------------

XSS = '<script>alert("pwn")</script><img src=x onerror=alert(1)>'


def test_a_script_in_a_partner_or_group_name_is_shown_as_text(client, world, manager_a):
    world["partners"][1].name = XSS
    world["partners"][1].save()
    world["group"].name = XSS
    world["group"].save()
    signed_in(client, manager_a)

    for url, params in (
        (REPORT, {"structure": world["a"].pk, **FIRST_HALF_2025}),
        (reverse("group_export", args=[world["group"].pk]), {}),
    ):
        page = client.get(url, params).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;pwn&quot;)&lt;/script&gt;" in page


@pytest.mark.parametrize("payload", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_formulas_in_names_are_inert_in_csv_and_xlsx(client, world, manager_a, payload):
    world["partners"][1].name = payload
    world["partners"][1].save()
    Learner.objects.filter(pk=world["learners"]["Bob"].pk).update(first_name=payload)
    signed_in(client, manager_a)
    group_url = reverse("group_export", args=[world["group"].pk])
    report = {"structure": world["a"].pk, **FIRST_HALF_2025}

    for rows in (
        csv_rows(client.get(REPORT, {**report, "export": "csv"})),
        csv_rows(client.get(group_url, {"export": "csv"})),
    ):
        cells = [cell for row in rows for cell in row]
        assert "'" + payload in cells
        assert payload not in cells
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells)

    for response in (
        client.get(REPORT, {**report, "export": "xlsx"}),
        client.get(group_url, {"export": "xlsx"}),
    ):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        book = openpyxl.load_workbook(io.BytesIO(body))
        cells = [cell for sheet in book for row in sheet.rows for cell in row]
        found = [cell for cell in cells if cell.value == payload]
        assert found and all(cell.data_type == "s" for cell in found)
        assert not any(cell.data_type == "f" for cell in cells)


def test_numbers_stay_numbers_in_csv(client, world, manager_a):
    rows = csv_rows(
        signed_in(client, manager_a).get(
            reverse("group_export", args=[world["group"].pk]), {"export": "csv"}
        )
    )
    assert rows[2][7] == "1"  # Bob's late count, not "'1"
