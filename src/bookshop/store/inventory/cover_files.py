"""Cover files follow their books: a replaced or removed cover's file is deleted.

Django never deletes a FileField's old file, so every replaced cover stayed on disk. Any
path that changes a book's image (the admin, the Store API, an import, the shell) saves a
Book, so the rule hangs on the model's signals rather than on each caller:

- the cover a book was loaded with is remembered (no extra query, unless the image
  column was deferred);
- once the book is saved with another cover (or none), or deleted, the old file is
  deleted, but only after the transaction commits: a rollback keeps the old row and so
  needs the old file;
- a file that another book still names is kept (an import may point two books at one
  file).

`QuerySet.update()` and raw SQL send no signals; `clear_db` deletes its files itself.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save, pre_save
from django.dispatch import receiver

from bookshop.store.inventory.models import Book

logger = logging.getLogger(__name__)

# The name of the cover the instance was loaded or last saved with; None: not known.
_LOADED = "_cover_name_loaded"


def _name(value: Any) -> str:
    """The stored name of a FieldFile, a plain string or nothing."""
    return str(getattr(value, "name", value) or "")


def cover_file_delete_unless_used(name: str) -> bool:
    """Delete the cover file `name` unless a book still names it; True when deleted."""
    if not name or Book.objects.filter(image=name).exists():
        return False
    try:
        default_storage.delete(name)
    except OSError:
        # The row is committed either way; a file that cannot go is only wasted space.
        logger.warning("could not delete the old cover %s", name, exc_info=True)
        return False
    logger.info("deleted the old cover %s", name)
    return True


def _delete_after_commit(name: str, using: str) -> None:
    if name:
        transaction.on_commit(partial(cover_file_delete_unless_used, name), using=using)


@receiver(post_init, sender=Book, dispatch_uid="cover_files_loaded")
def _remember_loaded(sender: type[Book], instance: Book, **kwargs: Any) -> None:
    # Deferred (e.g. `.only("title")`): not in __dict__, and reading it would query.
    if "image" in instance.__dict__:
        setattr(instance, _LOADED, _name(instance.__dict__["image"]))
    else:
        setattr(instance, _LOADED, None)


def _image_in_play(instance: Book, update_fields: Any) -> bool:
    """Whether this save writes the image column: it is loaded (a deferred column is
    not saved) and not left out by update_fields."""
    return "image" in instance.__dict__ and (update_fields is None or "image" in update_fields)


@receiver(pre_save, sender=Book, dispatch_uid="cover_files_before_save")
def _known_before_save(
    sender: type[Book], instance: Book, raw: bool, update_fields: Any, **kwargs: Any
) -> None:
    if raw or instance._state.adding or not _image_in_play(instance, update_fields):
        return
    if getattr(instance, _LOADED, None) is None:  # loaded deferred, then given a cover
        stored = Book.objects.filter(pk=instance.pk).values_list("image", flat=True).first()
        setattr(instance, _LOADED, _name(stored))


@receiver(post_save, sender=Book, dispatch_uid="cover_files_after_save")
def _old_cover_after_save(
    sender: type[Book],
    instance: Book,
    created: bool,
    raw: bool,
    using: str,
    update_fields: Any,
    **kwargs: Any,
) -> None:
    if raw or not _image_in_play(instance, update_fields):
        return
    old, new = getattr(instance, _LOADED, None) or "", _name(instance.__dict__["image"])
    setattr(instance, _LOADED, new)
    if not created and old != new:
        _delete_after_commit(old, using)


@receiver(post_delete, sender=Book, dispatch_uid="cover_files_after_delete")
def _cover_after_delete(sender: type[Book], instance: Book, using: str, **kwargs: Any) -> None:
    if "image" in instance.__dict__:
        name = _name(instance.__dict__["image"])
    else:  # deferred: reading it would query a row that is gone
        name = getattr(instance, _LOADED, None) or ""
    _delete_after_commit(name, using)
