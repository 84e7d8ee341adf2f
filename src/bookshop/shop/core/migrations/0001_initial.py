from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="SyncState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.SlugField(unique=True)),
                (
                    "cursor",
                    models.DateTimeField(
                        blank=True,
                        help_text="The store's updated_at up to which changes are applied.",
                        null=True,
                    ),
                ),
                ("last_started_at", models.DateTimeField(blank=True, null=True)),
                ("last_succeeded_at", models.DateTimeField(blank=True, null=True)),
                (
                    "last_error",
                    models.TextField(blank=True, help_text="Empty when the last run succeeded."),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "sync state",
                "ordering": ["name"],
            },
        ),
    ]
