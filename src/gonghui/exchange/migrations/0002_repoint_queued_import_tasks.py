# The import task moved with ImportJob (issue 13): gonghui.core.jobs.run_import_job is now
# gonghui.exchange.jobs.run_import_job. A task queued by the previous version still names the
# old path in the task queue's table and would never run; point it at the new one.

from django.db import migrations

OLD, NEW = "gonghui.core.jobs.run_import_job", "gonghui.exchange.jobs.run_import_job"


def repoint(apps, schema_editor, old=OLD, new=NEW):
    try:
        DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    except LookupError:  # another task backend: nothing of ours is queued in a table
        return
    DBTaskResult.objects.filter(task_path=old).update(task_path=new)


def back(apps, schema_editor):
    repoint(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):

    dependencies = [
        ('exchange', '0001_initial'),
        ('django_tasks_database', '0021_conditional_partial_index_ordering'),
    ]

    operations = [migrations.RunPython(repoint, back)]
