# ImportJob moved to the exchange app (issue 13). State only: the table core_importjob
# stays, now owned by exchange.ImportJob (its Meta.db_table).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_verbose_names'),
        ('exchange', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ImportJob')],
            database_operations=[],
        ),
    ]
