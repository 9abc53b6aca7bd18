"""One 职工之家 history row for every union that has a level today.

Before the history existed only the current value was kept, without a date or the body
that conferred it. Each such union gets one row with that level, dated the day the union
was last edited (the latest day the value is known to have held), its conferring body
marked as not recorded, and `date_unknown` set: the org page asks for the real date and
body, and the work summary never reports such a row as conferred in a period.
Reversing removes exactly those rows.
"""

from django.db import migrations

UNKNOWN_BODY = "（原有等级，评定机关待补录）"


def forwards(apps, schema_editor):
    Org = apps.get_model("orgs", "Org")
    HomeLevelAward = apps.get_model("orgs", "HomeLevelAward")
    rows = []
    for org in Org.objects.exclude(home_level="none").exclude(home_level="").iterator():
        if HomeLevelAward.objects.filter(org=org).exists():
            continue
        on = (org.updated_at or org.created_at).date()
        rows.append(HomeLevelAward(org=org, level=org.home_level, conferred_on=on, conferred_by=UNKNOWN_BODY,
                                   date_unknown=True))
    HomeLevelAward.objects.bulk_create(rows, batch_size=1000)


def backwards(apps, schema_editor):
    apps.get_model("orgs", "HomeLevelAward").objects.filter(date_unknown=True, conferred_by=UNKNOWN_BODY).delete()


class Migration(migrations.Migration):
    dependencies = [("orgs", "0003_home_level_awards")]
    operations = [migrations.RunPython(forwards, backwards)]
