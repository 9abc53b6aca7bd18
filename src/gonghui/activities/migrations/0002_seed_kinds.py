from django.db import migrations

from gonghui.activities.kinds import BUILTIN_KINDS


def seed(apps, schema_editor):
    Kind = apps.get_model("activities", "ActivityKind")
    for order, (code, name, noun) in enumerate(BUILTIN_KINDS, start=1):
        Kind.objects.update_or_create(code=code, defaults={"name": name, "noun": noun, "order": order * 10, "is_builtin": True})


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
