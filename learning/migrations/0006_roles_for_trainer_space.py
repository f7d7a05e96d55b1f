from django.db import migrations


def create(apps, schema_editor):
    from learning.roles import create_roles

    create_roles(
        apps.get_model("auth", "Group"),
        apps.get_model("auth", "Permission"),
        apps.get_model("contenttypes", "ContentType"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0005_trainer_space_and_simulator_runs"),
        ("modules", "0003_exercises_and_scenarios"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
