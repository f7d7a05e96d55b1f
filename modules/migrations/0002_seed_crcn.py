from django.db import migrations


def seed(apps, schema_editor):
    from modules.crcn import seed_competences

    seed_competences(apps.get_model("modules", "Competence"))


class Migration(migrations.Migration):
    dependencies = [("modules", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
