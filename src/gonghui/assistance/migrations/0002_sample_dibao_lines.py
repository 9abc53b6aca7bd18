"""A handful of 低保 lines to start from. They are SAMPLES (is_sample=True, "示例"):
administrators must check them against the figures their civil affairs bureau publishes."""

from decimal import Decimal

from django.db import migrations

SAMPLES = [
    ("330100", "杭州市", 2023, "1120"),
    ("330100", "杭州市", 2024, "1155"),
    ("330100", "杭州市", 2025, "1185"),
    ("340100", "合肥市", 2023, "850"),
    ("340100", "合肥市", 2024, "880"),
    ("340100", "合肥市", 2025, "910"),
    ("110000", "北京市", 2025, "1450"),
]
NOTE = "示例数据，请按当地民政部门公布的标准核实修改"


def add(apps, schema_editor):
    DibaoLine = apps.get_model("assistance", "DibaoLine")
    for code, name, year, amount in SAMPLES:
        DibaoLine.objects.get_or_create(
            region_code=code, year=year,
            defaults={"region_name": name, "monthly_amount": Decimal(amount), "is_sample": True, "note": NOTE},
        )


def remove(apps, schema_editor):
    apps.get_model("assistance", "DibaoLine").objects.filter(is_sample=True).delete()


class Migration(migrations.Migration):
    dependencies = [("assistance", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
