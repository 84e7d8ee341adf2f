import factory
from django.contrib.auth import get_user_model
from django.db.models import F
from rest_framework.authtoken.models import Token

from bookshop.store.inventory.models import Book


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("a-Long-password-1")


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True


class ServiceAccountFactory(UserFactory):
    """A program's account, with its API token, like the one bootstrap makes for the shop."""

    username = factory.Sequence(lambda n: f"service{n}")
    is_service_account = True
    password = factory.django.Password(None)
    token = factory.RelatedFactory("tests.store.factories.TokenFactory", "user")


class TokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Token

    user = factory.SubFactory(ServiceAccountFactory, token=None)


class BookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inventory.Book"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Book {n}")
    author = factory.Faker("name")
    price = factory.Faker("pydecimal", left_digits=2, right_digits=2, positive=True)
    description = ""

    @factory.post_generation
    def copies(book, create, extracted, **kwargs):
        """`BookFactory(copies=3)` puts three copies of it on the shelf."""
        for n in range(extracted or 0):
            BookItemFactory(book=book, place=f"A-{book.pk:03d}-{n + 1}")


class BookItemFactory(factory.django.DjangoModelFactory):
    """A copy, counted in its book's stored stock as the services would count it (a
    shipped one is not)."""

    class Meta:
        model = "inventory.BookItem"

    book = factory.SubFactory(BookFactory)
    place = factory.Sequence(lambda n: f"B-{n:04d}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        copy = super()._create(model_class, *args, **kwargs)
        if copy.status == copy.Status.IN_STOCK:
            Book.objects.filter(pk=copy.book_id).update(copies_in_stock=F("copies_in_stock") + 1)
        return copy
