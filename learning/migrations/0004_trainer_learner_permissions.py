from django.db import migrations


def create(apps, schema_editor):
    from learning.roles import create_roles

    create_roles(
        apps.get_model("auth", "Group"),
        apps.get_model("auth", "Permission"),
        apps.get_model("contenttypes", "ContentType"),
    )


class Migration(migrations.Migration):
    dependencies = [("learning", "0003_learners_progress_statements")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
