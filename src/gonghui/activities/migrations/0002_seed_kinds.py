from django.db import migrations

from gonghui.activities import kinds


def seed(apps, schema_editor):
    kinds.seed(apps.get_model("activities", "ActivityKind"))


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
