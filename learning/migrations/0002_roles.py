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
        ("learning", "0001_initial"),
        ("modules", "0002_seed_crcn"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
