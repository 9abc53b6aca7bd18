"""Illness is health data: encrypt it, keep a keyed hash for "same illness" checks, and
take the illness text out of stored violation messages.

Steps: the column becomes plain text (room for ciphertext), existing values are encrypted
and indexed in place, then the field is declared encrypted (no schema change). Audit
events written before this migration may still quote illness text in their messages:
the audit log is append-only and is not rewritten here.
"""

import re

from django.db import migrations, models

import gonghui.core.fields

OLD_MESSAGE = re.compile(r"同一病情（.*?）(?=\d{4}年已于)")


def _key(text):
    return "".join((text or "").split()).lower()


def encrypt_existing(apps, schema_editor):
    from gonghui.core import crypto

    Record = apps.get_model("benefits", "BenefitRecord")
    for pk, text in list(Record.objects.exclude(illness="").values_list("pk", "illness")):
        key = _key(text)
        Record.objects.filter(pk=pk).update(
            illness=crypto.encrypt(text), illness_index=crypto.blind_index(key, purpose="illness") if key else "")
    for record in list(Record.objects.filter(kind="hospital").only("pk", "violations")):
        cleaned = [OLD_MESSAGE.sub("同一病情", m) if isinstance(m, str) else m for m in record.violations]
        if cleaned != record.violations:
            Record.objects.filter(pk=record.pk).update(violations=cleaned)


def decrypt_existing(apps, schema_editor):
    from gonghui.core import crypto

    Record = apps.get_model("benefits", "BenefitRecord")
    for pk, text in list(Record.objects.exclude(illness="").values_list("pk", "illness")):
        Record.objects.filter(pk=pk).update(illness=crypto.decrypt(text)[:100], illness_index="")


class Migration(migrations.Migration):

    dependencies = [
        ('benefits', '0002_shipped_rulesets'),
    ]

    operations = [
        migrations.AddField(
            model_name='benefitrecord',
            name='illness_index',
            field=models.CharField(blank=True, db_index=True, default='', max_length=64),
        ),
        migrations.AlterField(
            model_name='benefitrecord',
            name='illness',
            field=models.TextField(blank=True, default='', verbose_name='病情/住院事由'),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AlterField(
            model_name='benefitrecord',
            name='illness',
            field=gonghui.core.fields.EncryptedTextField(blank=True, default='', verbose_name='病情/住院事由'),
        ),
    ]
