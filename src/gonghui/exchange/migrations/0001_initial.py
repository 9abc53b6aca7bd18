# ImportJob moved from core to the exchange layer (issue 13). State only: the table
# core_importjob, created by core 0002 and 0003, keeps its name and its rows.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0004_verbose_names'),
        ('accounts', '0002_verbose_names'),
        ('orgs', '0002_org_membership_target'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ImportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=32)),
                        ('org_path', models.CharField(db_index=True, max_length=255)),
                        ('filename', models.CharField(max_length=200)),
                        ('token', models.CharField(max_length=32)),
                        ('mode', models.CharField(default='all', max_length=8)),
                        ('dry_run', models.BooleanField(default=True)),
                        ('state', models.CharField(choices=[('queued', '排队中'), ('running', '处理中'), ('done', '已完成'), ('failed', '出错')], default='queued', max_length=8)),
                        ('progress', models.PositiveSmallIntegerField(default=0)),
                        ('total', models.PositiveIntegerField(default=0)),
                        ('created', models.PositiveIntegerField(default=0)),
                        ('updated', models.PositiveIntegerField(default=0)),
                        ('unchanged', models.PositiveIntegerField(default=0)),
                        ('rejected', models.PositiveIntegerField(default=0)),
                        ('written', models.BooleanField(default=False)),
                        ('errors', models.JSONField(blank=True, default=list)),
                        ('warnings', models.JSONField(blank=True, default=list)),
                        ('file_error', models.TextField(blank=True)),
                        ('error_count', models.PositiveIntegerField(default=0)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('runner', models.CharField(blank=True, max_length=64)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('grant', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.rolegrant')),
                        ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.org')),
                    ],
                    options={
                        'verbose_name': '导入任务',
                        'db_table': 'core_importjob',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
