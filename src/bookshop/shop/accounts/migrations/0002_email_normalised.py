"""Emails normalised (accounts.emails), and what to do with the addresses already stored.

What is safe: no account is deleted, merged or deactivated (its orders, password and
history stay its own; merging would hand one person's orders to another). An address is
rewritten to its normal spelling when no other account shares that spelling. An address
the new rules refuse (a character that cannot be seen) is cleared, and so is every
address of a group of accounts that are one mailbox for the new rules, except one: the
account whose address already was in normal form, else the oldest. A cleared account
keeps its username and password; checkout asks for an email again (docs/security.md).
"""

from django.core.exceptions import ValidationError
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import bookshop.shop.accounts.emails
import bookshop.shop.accounts.models
from bookshop.shop.accounts.emails import email_normalize


def normalise_emails(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Rewrite, keep or clear each stored address as the module docstring says."""
    User = apps.get_model("accounts", "User")
    cleared: list[int] = []
    groups: dict[str, list[tuple[int, str, str]]] = {}
    for pk, email in User.objects.exclude(email="").order_by("pk").values_list("pk", "email"):
        try:
            normal = email_normalize(email)
        except ValidationError:
            cleared.append(pk)
            continue
        groups.setdefault(normal.lower(), []).append((pk, email, normal))
    rewrites: dict[int, str] = {}
    for members in groups.values():
        keeper = next((m for m in members if m[1] == m[2]), members[0])
        cleared += [pk for pk, _, _ in members if pk != keeper[0]]
        if keeper[1] != keeper[2]:
            rewrites[keeper[0]] = keeper[2]
    # Clear first: a rewritten address may be the one a look-alike held.
    User.objects.filter(pk__in=cleared).update(email="")
    for pk, email in rewrites.items():
        User.objects.filter(pk=pk).update(email=email)
    if cleared or rewrites:
        print(
            f"\n  accounts.0002: {len(rewrites)} email(s) rewritten to their normal form; "
            f"email cleared on look-alike or refused accounts, ids {sorted(cleared)}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", bookshop.shop.accounts.models.UserManager()),
            ],
        ),
        migrations.AlterField(
            model_name="user",
            name="email",
            field=bookshop.shop.accounts.emails.EmailAddressField(
                blank=True, max_length=254, verbose_name="email address"
            ),
        ),
        migrations.RunPython(normalise_emails, migrations.RunPython.noop, elidable=True),
    ]
