#!/usr/bin/env python3
"""The structure report's cost on a large structure: response time and SQL queries.

Creates a throwaway PostgreSQL database (`pasapas_report` on
postgres://postgres@127.0.0.1:5432; dropped first if a previous run left it), migrates
it, loads the shipped curricula, and builds one structure over the last 365 days:
2,000 learners (created month after month), 4 referral partners and a referral for
85 % of them, 20 groups of 10 with 3 sessions each (60 sessions, 600 attendance marks,
present, late, absent, excused), 10 lesson progress rows per learner (the 4 real
lessons of "La souris", some completed, and 6 other keys) and 200,000 exercise
attempts, all with timestamps spread over the year. Rows are made with bulk_create;
the timestamps that Django sets itself (auto_now) are then spread with one SQL UPDATE
per table. A second, small structure (5 learners) gives the query count to compare.

Then, in this process, with the production settings and Django's test client (no
network, no gunicorn: the figures are the view, its template and the database), a
structure manager requests the report over one year (the last 365 days) 2 times to
warm up, then 10 times, and it prints the median, p95, min and max response time,
the SQL query count of each request (it must not vary, and must equal the small
structure's), the three slowest queries, and the time of one XLSX and one CSV export.
The database is dropped at the end, also after an error or Ctrl-C.

Run:  .venv/bin/python bench/dashboard_report.py   (or bench/dashboard_report.py)
Knobs (environment): BENCH_PG_URL (postgres://postgres@127.0.0.1:5432, 127.0.0.1 or
  localhost only), BENCH_REPORT_DB_NAME (pasapas_report), BENCH_REQUESTS (10, <= 200),
  BENCH_LEARNERS (2000, <= 20000), BENCH_ATTEMPTS (200000, <= 2000000).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Bench, percentile  # noqa: E402

BENCH = Bench("dashboard_report")
BENCH.run_in_venv(__file__)

DB_NAME = BENCH.database_name("BENCH_REPORT_DB_NAME", "pasapas_report")
WARMUP = 2
PARTNERS = [
    ("France Travail Nord", "france-travail"),
    ("CCAS de la ville", "ccas"),
    ("Maison de la Métropole", "maison-metropole"),
    ("Association Lire et écrire", "association"),
]
GROUPS, GROUP_SIZE, SESSIONS_PER_GROUP = 20, 10, 3
PROGRESS_PER_LEARNER = 10
BATCH = 5000


REQUESTS = BENCH.knob("BENCH_REQUESTS", 10, 200)
LEARNERS = BENCH.knob("BENCH_LEARNERS", 2000, 20000)
ATTEMPTS = BENCH.knob("BENCH_ATTEMPTS", 200_000, 2_000_000)


def make_learners(structure, count, prefix):
    """Learners without the picture hashing of learner_create (230 ms each in production)."""
    from django.contrib.auth import get_user_model

    from learning.models import IssuedCode, Learner

    User = get_user_model()
    codes = IssuedCode.objects.bulk_create(
        IssuedCode(code=f"{prefix}{number:05d}") for number in range(count)
    )
    users = User.objects.bulk_create(
        (User(username=f"apprenant-{code.code}", password="!") for code in codes),  # noqa: S106
        batch_size=BATCH,
    )
    return Learner.objects.bulk_create(
        (
            Learner(
                user=user,
                code=code,
                first_name=f"Apprenant {number}",
                last_initial="B",
                structure=structure,
                picture_password="!",  # noqa: S106 (unusable, like an unusable password)
            )
            for number, (user, code) in enumerate(zip(users, codes, strict=True))
        ),
        batch_size=BATCH,
    )


def build():
    """The large structure of the measure and a small one next to it."""
    import datetime
    import io

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from learning.models import (
        Attendance,
        ExerciseAttempt,
        Group,
        LessonProgress,
        Partner,
        Referral,
        Structure,
        TrainingSession,
    )
    from modules.models import LessonPage
    from tests.factories import manager

    today = timezone.localdate()
    BENCH.say("manage.py load_curriculum")
    call_command("load_curriculum", stdout=io.StringIO())
    lessons = list(
        LessonPage.objects.live().filter(source_key__startswith="lecon-souris").order_by("path")
    )
    keys = [(lesson, lesson.stable_key) for lesson in lessons]
    keys += [(None, f"lecon-banc-{n}") for n in range(PROGRESS_PER_LEARNER - len(keys))]

    staff = manager(username="responsable@example.org")
    big = Structure.objects.create(name="Antenne du banc d'essai")
    small = Structure.objects.create(name="Petite antenne")
    big.members.add(staff)
    small.members.add(staff)

    BENCH.say(f"{LEARNERS} learners, partners, referrals")
    learners = make_learners(big, LEARNERS, "B")
    partners = Partner.objects.bulk_create(
        Partner(structure=big, name=name, kind=kind) for name, kind in PARTNERS
    )
    Referral.objects.bulk_create(
        (
            Referral(
                learner=learner,
                partner=partners[number % len(partners)],
                date=today - datetime.timedelta(days=number % 365),
            )
            for number, learner in enumerate(learners)
            if number % 20 >= 3  # 85 %
        ),
        batch_size=BATCH,
    )

    BENCH.say(
        f"{GROUPS} groups of {GROUP_SIZE}, {GROUPS * SESSIONS_PER_GROUP} sessions, attendance"
    )
    statuses = ["present"] * 6 + ["retard", "absent", "excuse", "present"]
    marks = []
    for number in range(GROUPS):
        group = Group.objects.create(structure=big, name=f"Groupe {number + 1}")
        members = learners[number * GROUP_SIZE : (number + 1) * GROUP_SIZE]
        group.learners.set(members)
        for session_number in range(SESSIONS_PER_GROUP):
            session = TrainingSession.objects.create(
                group=group,
                date=today - datetime.timedelta(days=(number * 17 + session_number * 7) % 360),
                start_time=datetime.time(9, 30),
                end_time=datetime.time(12, 0),
            )
            marks += [
                Attendance(session=session, learner=learner, status=statuses[index])
                for index, learner in enumerate(members)
            ]
    Attendance.objects.bulk_create(marks)

    BENCH.say(f"{LEARNERS * len(keys)} lesson progress rows")
    LessonProgress.objects.bulk_create(
        (
            LessonProgress(
                learner_id=learner.user_id,
                lesson=lesson,
                lesson_key=key,
                status="completed" if index < number % 5 else "started",
                progress=1.0 if index < number % 5 else 0.4,
                completed_steps=[1, 2],
                time_spent_s=600,
            )
            for number, learner in enumerate(learners)
            for index, (lesson, key) in enumerate(keys)
        ),
        batch_size=BATCH,
    )
    progress_ids = list(
        LessonProgress.objects.filter(learner__learner__structure=big)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    per_row = -(-ATTEMPTS // len(progress_ids))
    BENCH.say(f"{ATTEMPTS} exercise attempts (bulk_create, {BATCH} a batch)")
    started = time.perf_counter()
    made, batch = 0, []
    for progress_id in progress_ids:
        for number in range(1, per_row + 1):
            if made >= ATTEMPTS:
                break
            batch.append(
                ExerciseAttempt(
                    progress_id=progress_id,
                    block_id="bloc-banc",
                    attempt_number=number,
                    answer=[number % 3],
                    correct=float(number % 2),
                    passed=bool(number % 2),
                )
            )
            made += 1
            if len(batch) == BATCH:
                ExerciseAttempt.objects.bulk_create(batch)
                batch = []
    ExerciseAttempt.objects.bulk_create(batch)
    BENCH.say(f"  {made} attempts in {time.perf_counter() - started:.0f} s")

    BENCH.say("spreading the timestamps over the year (SQL UPDATE)")
    with connection.cursor() as cursor:
        year_ago = "now() - interval '365 days'"
        cursor.execute(
            f"UPDATE learning_learner SET created_at = {year_ago}"  # noqa: S608
            " + mod(id, 365) * interval '1 day' WHERE structure_id = %s",
            [big.pk],
        )
        cursor.execute(
            f"UPDATE learning_lessonprogress SET started_at = {year_ago}"  # noqa: S608
            " + mod(learner_id * 7 + id, 330) * interval '1 day'"
        )
        cursor.execute(
            "UPDATE learning_lessonprogress SET last_seen_at = started_at"
            " + mod(id, 30) * interval '1 day',"
            " completed_at = CASE WHEN status = 'completed'"
            " THEN started_at + mod(id, 30) * interval '1 day' END"
        )
        cursor.execute(
            "UPDATE learning_exerciseattempt a SET created_at = p.started_at"
            " + mod(a.attempt_number, 30) * interval '1 day'"
            " FROM learning_lessonprogress p WHERE p.id = a.progress_id"
        )
        cursor.execute("VACUUM ANALYZE")  # Django's connection is in autocommit here

    BENCH.say("a small structure: 5 learners")
    few = make_learners(small, 5, "S")
    small_group = Group.objects.create(structure=small, name="Petit groupe")
    small_group.learners.set(few)
    session = TrainingSession.objects.create(
        group=small_group, date=today, start_time=datetime.time(14), end_time=datetime.time(16)
    )
    Attendance.objects.bulk_create(
        Attendance(session=session, learner=learner, status="present") for learner in few
    )
    return staff, big, small, len(progress_ids), made


def measure(client, url, params, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, sql_times, queries, slowest = [], [], set(), []
    for number in range(WARMUP + count):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url, params)
            elapsed = time.perf_counter() - start
        if response.status_code != 200 or "Chiffres clés" not in response.text:
            raise RuntimeError(f"{url} answered {response.status_code} without figures")
        if number >= WARMUP:
            times.append(elapsed * 1000)
            sql_times.append(sum(float(query["time"]) for query in captured) * 1000)
            queries.add(len(captured))
            slowest = sorted(
                captured.captured_queries, key=lambda query: float(query["time"]), reverse=True
            )[:3]
    return times, sql_times, queries, slowest


def timed(client, url, params):
    start = time.perf_counter()
    response = client.get(url, params)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return (time.perf_counter() - start) * 1000, len(body), response["Content-Type"]


def main():
    with BENCH.throwaway_database(DB_NAME, collectstatic=True):
        import datetime

        started = time.perf_counter()
        staff, big, small, progress_rows, attempts = build()
        build_seconds = time.perf_counter() - started

        from django.test import Client
        from django.urls import reverse
        from django.utils import timezone

        from learning import reports

        client = Client()
        client.force_login(staff)
        url = reverse("structure_report")
        end = timezone.localdate()
        period = {"start": (end - datetime.timedelta(days=364)).isoformat(), "end": end.isoformat()}
        BENCH.say(f"GET {url} (one year) × {WARMUP} warm-up + {REQUESTS}")
        times, sql_times, queries, slowest = measure(
            client, url, {"structure": big.pk, **period}, REQUESTS
        )
        one_year = reports.Period(
            start=datetime.date.fromisoformat(period["start"]),
            end=datetime.date.fromisoformat(period["end"]),
        )
        selector_times = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            report = reports.structure_report(structure=big, period=one_year)
            selector_times.append((time.perf_counter() - start) * 1000)
        _small_times, _small_sql, small_queries, _slowest = measure(
            client, url, {"structure": small.pk, **period}, 3
        )
        xlsx = timed(client, url, {"structure": big.pk, **period, "export": "xlsx"})
        csv_export = timed(client, url, {"structure": big.pk, **period, "export": "csv"})

        print()
        print(f"Structure report over one year ({period['start']} to {period['end']}):")
        print(f"  {LEARNERS} learners, {LEARNERS * 85 // 100} referrals, {GROUPS} groups,")
        sessions = GROUPS * SESSIONS_PER_GROUP
        print(f"  {sessions} sessions ({sessions * GROUP_SIZE} attendance marks),")
        print(f"  {progress_rows} lesson progress rows, {attempts} attempts")
        print(f"  (built in {build_seconds:.0f} s);")
        print(f"PostgreSQL, production settings, Django test client, {REQUESTS} requests:")
        print(f"  median  {statistics.median(times):7.1f} ms")
        print(f"  p95     {percentile(times, 0.95):7.1f} ms")
        print(f"  min     {min(times):7.1f} ms")
        print(f"  max     {max(times):7.1f} ms")
        print(f"  (the machine's load average when done: {os.getloadavg()[0]:.1f})")
        print(f"  SQL queries per request: {', '.join(map(str, sorted(queries)))}")
        print(f"  time in SQL, median: {statistics.median(sql_times):.1f} ms")
        print(
            f"  the selector alone (reports.structure_report), median:"
            f" {statistics.median(selector_times):.1f} ms"
        )
        print("  slowest queries of the last request:")
        for query in slowest:
            sql = " ".join(query["sql"].split())
            print(f"    {float(query['time']) * 1000:6.1f} ms  {sql[:110]}…")
        print(
            f"  figures: {report.active_learners} active learners, {report.new_learners} new,"
            f" {report.hours_attended} h attended, {report.lessons_completed} lessons completed"
        )
        print(f"XLSX export: {xlsx[0]:.0f} ms, {xlsx[1] / 1024:.1f} KiB")
        print(f"CSV export:  {csv_export[0]:.0f} ms, {csv_export[1] / 1024:.1f} KiB")
        print(f"Small structure (5 learners): {', '.join(map(str, sorted(small_queries)))} queries")
        same = queries == small_queries and len(queries) == 1
        print(f"Constant query count whatever the size: {'yes' if same else 'NO'}")
        return 0 if same else 1


if __name__ == "__main__":
    BENCH.main(main)
