#!/usr/bin/env python3
"""The live group dashboard's cost: response time and SQL queries of the fragment that
every trainer's browser polls every 10 s.

Creates a throwaway PostgreSQL database (`pasapas_dashboard` on
postgres://postgres@127.0.0.1:5432; dropped first if a previous run left it), migrates
it, and builds a group of 10 learners following a parcours of 60 lessons (6 modules
of 10 lessons, 5 steps each), with their progress: each learner has finished some
lessons and is in the middle of the next one, 3 of them have a hand up. Other
learners of other structures add progress rows to the same table (200 users × 20
lessons), so that the queries run against a table that is not tiny.

Then, in this process, with the production settings and Django's test client (no
network, no gunicorn: the figures are the view, its templates and the database), it
requests the dashboard fragment as htmx does (`HX-Request: true`) 5 times to warm
up, then 50 times, and prints the median, p95, min and max response time, the SQL
query count of each request (it must not vary), and the fragment's size. The same
for a small group (3 learners × a 4-lesson parcours): the query count must be the
same. The database is dropped at the end, also after an error or Ctrl-C.

Run:  .venv/bin/python bench/dashboard_group.py   (or bench/dashboard_group.py)
Knobs (environment): BENCH_PG_URL (postgres://postgres@127.0.0.1:5432, 127.0.0.1 or
  localhost only), BENCH_DB_NAME (pasapas_dashboard), BENCH_REQUESTS (50, <= 1000),
  BENCH_LEARNERS (10, <= 100), BENCH_MODULES (6, <= 20), BENCH_LESSONS_PER_MODULE
  (10, <= 30), BENCH_PROFILE (1: print where the time goes, from cProfile).
Needs requirements-dev.txt in .venv (it builds the pages with tests/factories.py).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Bench, percentile  # noqa: E402

BENCH = Bench("dashboard_group")
BENCH.run_in_venv(__file__)

DB_NAME = BENCH.database_name("BENCH_DB_NAME", "pasapas_dashboard")
WARMUP = 5
OTHER_USERS, OTHER_ROWS = 200, 20
HANDS = 3


REQUESTS = BENCH.knob("BENCH_REQUESTS", 50, 1000)
LEARNERS = BENCH.knob("BENCH_LEARNERS", 10, 100)
MODULES = BENCH.knob("BENCH_MODULES", 6, 20)
LESSONS_PER_MODULE = BENCH.knob("BENCH_LESSONS_PER_MODULE", 10, 30)


def build():
    """The group of the measure and a small one, with progress, hands and noise."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.db.models import F
    from django.utils import timezone

    from learning import selectors, services
    from learning.models import Group, LessonProgress, Structure
    from tests.factories import parcours_with_lessons, trainer

    now = timezone.now()
    structure = Structure.objects.create(name="Antenne du banc d'essai")
    staff = trainer(username="formatrice@example.org")
    structure.members.add(staff)

    def group_of(name, parcours, count):
        group = Group.objects.create(
            structure=structure, name=name, parcours=parcours, start_date=datetime.date.today()
        )
        lessons = selectors.group_progress_matrix(group=group).lessons
        rows = []
        for number in range(count):
            learner, _pictures = services.learner_create(
                first_name=f"Apprenant {number + 1}",
                structure=structure,
                pictures=["soleil", "chat", "coeur"],
            )
            group.learners.add(learner)
            done = (number * 7) % len(lessons)  # 0, 7, 14… lessons finished
            for index, lesson in enumerate(lessons[: done + 1]):
                finished = index < done
                rows.append(
                    LessonProgress(
                        learner=learner.user,
                        lesson=lesson,
                        lesson_key=lesson.stable_key,
                        status="completed" if finished else "started",
                        current_step=5 if finished else 3,
                        completed_steps=[1, 2, 3, 4, 5] if finished else [1, 2, 3],
                        progress=1.0 if finished else 0.6,
                    )
                )
            if number < HANDS:
                services.help_request_raise(learner=learner, lesson=lessons[done], step_number=3)
        LessonProgress.objects.bulk_create(rows)
        mine = LessonProgress.objects.filter(learner__learner__groups=group)
        mine.filter(status="completed").update(completed_at=F("started_at"))
        # Half of them idle for a while: "Inactif depuis 12 min".
        mine.filter(learner__learner__first_name__regex=r"[13579]$").update(
            last_seen_at=now - datetime.timedelta(minutes=12)
        )
        return group, lessons, len(rows)

    BENCH.say(f"building a parcours of {MODULES} × {LESSONS_PER_MODULE} lessons")
    big_parcours = parcours_with_lessons(
        modules=MODULES, lessons=LESSONS_PER_MODULE, steps=5, title="Parcours du banc"
    )
    small_parcours = parcours_with_lessons(modules=1, lessons=4, steps=5, title="Petit parcours")
    big, big_lessons, big_rows = group_of("Groupe du banc", big_parcours, LEARNERS)
    small, _small_lessons, _ = group_of("Petit groupe", small_parcours, 3)

    BENCH.say(f"noise: {OTHER_USERS} other users × {OTHER_ROWS} progress rows")
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"autre-{number}", password="!")  # noqa: S106
        for number in range(OTHER_USERS)
    )
    LessonProgress.objects.bulk_create(
        LessonProgress(
            learner=user,
            lesson=lesson,
            lesson_key=lesson.stable_key,
            progress=0.5,
            current_step=2,
            completed_steps=[1, 2],
        )
        for user in users
        for lesson in big_lessons[:OTHER_ROWS]
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return staff, big, small, big_rows


def measure(client, url, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, cpu, queries, size = [], [], set(), 0
    for number in range(WARMUP + count):
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, headers={"HX-Request": "true"})
            elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        if number >= WARMUP:
            times.append(elapsed * 1000)
            cpu.append(elapsed_cpu * 1000)
            queries.add(len(captured))
            size = len(response.content)
    return times, cpu, queries, size


def profile(client, url):
    """BENCH_PROFILE=1: where the time of 10 requests goes (cumulative, top 30)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        client.get(url, headers={"HX-Request": "true"})
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)


def main():
    with BENCH.throwaway_database(DB_NAME):
        staff, big, small, big_rows = build()

        from django.test import Client
        from django.urls import reverse

        client = Client()
        client.force_login(staff)
        results = {}
        for group in (big, small):
            url = reverse("group_dashboard", args=[group.pk])
            BENCH.say(f"GET {url} (htmx fragment) × {WARMUP} warm-up + {REQUESTS}")
            results[group.pk] = measure(client, url, REQUESTS)

        if os.environ.get("BENCH_PROFILE") == "1":
            profile(client, reverse("group_dashboard", args=[big.pk]))
        times, cpu, queries, size = results[big.pk]
        lessons = MODULES * LESSONS_PER_MODULE
        print()
        noise = OTHER_USERS * OTHER_ROWS
        print(f"Dashboard fragment, {LEARNERS} learners × {lessons} lessons ({big_rows} progress")
        print(f"rows in the group, {noise} more in the table), {HANDS} hands up,")
        print(f"PostgreSQL, production settings, Django test client, {REQUESTS} requests:")
        print(f"  median  {statistics.median(times):7.1f} ms")
        print(f"  p95     {percentile(times, 0.95):7.1f} ms")
        print(f"  min     {min(times):7.1f} ms")
        print(f"  max     {max(times):7.1f} ms")
        print(f"  CPU time of the Django process, median: {statistics.median(cpu):.1f} ms")
        print(f"  (the machine's load average when done: {os.getloadavg()[0]:.1f})")
        print(f"  SQL queries per request: {', '.join(map(str, sorted(queries)))}")
        print(f"  fragment size: {size / 1024:.1f} KiB (before gzip)")
        small_times, small_cpu, small_queries, _size = results[small.pk]
        small_median, small_cpu = statistics.median(small_times), statistics.median(small_cpu)
        print(f"Small group, 3 learners × 4 lessons: median {small_median:.1f} ms,")
        print(f"  CPU time of the Django process, median: {small_cpu:.1f} ms")
        print(f"  SQL queries per request: {', '.join(map(str, sorted(small_queries)))}")
        same = queries == small_queries and len(queries) == 1
        print(f"Constant query count whatever the size: {'yes' if same else 'NO'}")
        return 0 if same else 1


if __name__ == "__main__":
    BENCH.main(main)
