"""What the WSGI modules leave the collector: long-lived objects frozen, garbage freed."""

import gc
import weakref

from django.core.handlers.wsgi import WSGIHandler

from bookshop.common.wsgi import long_lived_application


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_loading_the_application_freezes_what_it_made_and_frees_its_garbage():
    gc.unfreeze()
    garbage = Cycle()
    gone = weakref.ref(garbage)
    del garbage
    try:
        application = long_lived_application("bookshop.shop.settings")
        # Everything alive after loading (Django, DRF, the project: hundreds of thousands
        # of objects) is out of the full collection's walk; the cycle was freed first.
        assert isinstance(application, WSGIHandler)
        assert gc.get_freeze_count() > 20_000
        assert gone() is None
        # What is made afterwards, as requests make it, is still collected.
        later = Cycle()
        still_collected = weakref.ref(later)
        del later
        gc.collect()
        assert still_collected() is None
    finally:
        gc.unfreeze()
