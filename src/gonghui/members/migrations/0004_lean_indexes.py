"""Drop the roster indexes that only cost: every imported member paid an insert into each.

On PostgreSQL Django gives a CharField with unique=True or db_index=True a second,
varchar_pattern_ops index (`..._like`) for LIKE queries. id_hash and phone_hash are blind
indexes, only ever matched whole (search by ID number or phone, the import's platform
check), so their `_like` twins were never read: id_hash becomes a UniqueConstraint
(member_id_hash_unique) and phone_hash a plain Index (member_phone_hash), which have no
twin. Two foreign-key indexes repeated the leading column of a composite index that
serves the same lookups: Member.org (member_org_status: org, status) and
MemberSpell.member (spell_member_open: member, ends_on).

Measured on the COPY of a 100,000-row roster import (server CPU, median of four, the
rows of bench/members_scale.py): members 4.7 → 3.8 s. With 0005 the three COPYs (members,
events, spells) went from 7.0 to 5.3 s; the list, search and count pages of the
benchmark's parts 2 and 3 (1,000,000 members) stayed as they were.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0003_prefix_indexes'),
        ('orgs', '0002_org_membership_target'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='member',
            name='id_hash',
            field=models.CharField(editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name='member',
            name='org',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='members', to='orgs.org', verbose_name='所属工会'),
        ),
        migrations.AlterField(
            model_name='member',
            name='phone_hash',
            field=models.CharField(blank=True, default='', editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name='memberspell',
            name='member',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='spells', to='members.member'),
        ),
        migrations.AddIndex(
            model_name='member',
            index=models.Index(fields=['phone_hash'], name='member_phone_hash'),
        ),
        migrations.AddConstraint(
            model_name='member',
            constraint=models.UniqueConstraint(fields=('id_hash',), name='member_id_hash_unique'),
        ),
    ]
