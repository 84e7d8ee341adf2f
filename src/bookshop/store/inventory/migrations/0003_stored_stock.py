import django.db.models.expressions
import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0002_subjects_and_bibliographic_fields"),
    ]

    operations = [
        migrations.AddField(
            model_name="book",
            name="copies_in_stock",
            field=models.PositiveIntegerField(
                db_default=0,
                default=0,
                editable=False,
                help_text="Copies whose status is in stock.",
            ),
        ),
        migrations.AddField(
            model_name="book",
            name="units_reserved",
            field=models.PositiveIntegerField(
                db_default=0,
                default=0,
                editable=False,
                help_text="Units ordered by open (in work) orders.",
            ),
        ),
        migrations.AddField(
            model_name="book",
            name="stock_available",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Case(
                    models.When(is_active=False, then=0),
                    default=django.db.models.functions.comparison.Greatest(
                        django.db.models.expressions.CombinedExpression(
                            models.F("copies_in_stock"), "-", models.F("units_reserved")
                        ),
                        0,
                    ),
                ),
                output_field=models.IntegerField(),
                verbose_name="available",
            ),
        ),
        migrations.AddIndex(
            model_name="book",
            index=models.Index(
                condition=models.Q(("is_active", True)),
                fields=["stock_available", "title", "id"],
                name="book_low_stock",
            ),
        ),
        migrations.AddIndex(
            model_name="book",
            index=models.Index(fields=["title", "id"], name="book_title_order"),
        ),
    ]
