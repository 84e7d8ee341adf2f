"""Store API v1 views: parse, check the role, call a service or selector, answer."""

import functools
from typing import TYPE_CHECKING, Any

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from bookshop.store.accounts.selectors import request_actor
from bookshop.store.api.book_rows import book_dicts, book_row, book_values
from bookshop.store.api.filters import (
    BookFilter,
    BookItemFilter,
    FieldSearchFilter,
    NamedFiltersBackend,
    OrderFilter,
    StrictOrderingFilter,
)
from bookshop.store.api.negotiation import FormatIsAFilter
from bookshop.store.api.pagination import StoreCursorPagination
from bookshop.store.api.parsers import StrictJSONParser, StrictMultiPartParser
from bookshop.store.api.permissions import IsServiceOrStaff, IsStaff
from bookshop.store.api.renderers import FastJSONRenderer
from bookshop.store.api.serializers import (
    BookItemsAddSerializer,
    BookItemSerializer,
    BookSerializer,
    BookUploadSerializer,
    ConflictSerializer,
    CredentialsSerializer,
    OrderCancelSerializer,
    OrderCompleteSerializer,
    OrderCreateSerializer,
    OrderFailSerializer,
    OrderPackSerializer,
    OrderSerializer,
    TokenSerializer,
    TooManyRequestsSerializer,
    WhoAmISerializer,
)
from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.inventory.services import book_deactivate, book_items_add
from bookshop.store.orders.models import Order
from bookshop.store.orders.selectors import book_list, order_list
from bookshop.store.orders.services import (
    OrderLine,
    order_cancel,
    order_complete,
    order_create,
    order_fail,
    order_pack,
)

CONFLICT = OpenApiResponse(ConflictSerializer, description="The order's state forbids this.")
# JSON, or a multipart form to upload a cover.
BOOK_BODIES = {"application/json": BookSerializer, "multipart/form-data": BookUploadSerializer}


class WhoAmIView(APIView):
    """Who the credentials belong to: lets a client check its token before it needs it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=WhoAmISerializer, operation_id="whoami")
    def get(self, request: Request) -> Response:
        return Response(WhoAmISerializer(request.user).data)


class TokenObtainView(APIView):
    """Trade a username and password for the account's API token."""

    permission_classes = [AllowAny]
    # No session auth here: a browser's login cookie must not be needed (nor CSRF).
    authentication_classes = []

    @extend_schema(
        request=CredentialsSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                description="Missing fields, or a username and password that do not match "
                '(`{"non_field_errors": ["Unable to log in with the given username and '
                'password."]}`).'
            ),
            429: OpenApiResponse(
                response=TooManyRequestsSerializer,
                description="Locked out: after LOGIN_FAILURE_LIMIT (5) failed log-ins for "
                "one username, or from one client address, within LOGIN_LOCKOUT_MINUTES "
                '(15), every attempt, the right password included, gets `{"code": '
                '"locked_out", "detail": "…", "retry_after": 900}` until that time has '
                "passed. Also the anonymous throttle (`detail` only).",
            ),
        },
        operation_id="auth_token",
    )
    def post(self, request: Request) -> Response:
        serializer = CredentialsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request=request._request, **serializer.validated_data)
        if user is None:
            raise ValidationError(
                {"non_field_errors": ["Unable to log in with the given username and password."]}
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


if TYPE_CHECKING:
    _ViewSetBase = viewsets.GenericViewSet
else:  # a mixin at run time, placed before the view set it changes
    _ViewSetBase = object


class ListFiltersOnly(_ViewSetBase):
    """Filters, search and ordering shape lists; a single object's URL names it already, so
    its lookup skips them (building a filter form costs more than the query)."""

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


@functools.cache
def _stocked_books() -> QuerySet[Book]:
    """book_list(), never evaluated itself: each request reads a clone (`.all()`)."""
    return book_list()


@extend_schema_view(
    list=extend_schema(summary="List books (anyone)"),
    retrieve=extend_schema(summary="One book, active or not (anyone)"),
    create=extend_schema(summary="Add a book (staff)", request=BOOK_BODIES),
    partial_update=extend_schema(summary="Change a book (staff)", request=BOOK_BODIES),
    destroy=extend_schema(
        summary="Deactivate a book (staff)",
        description="Soft delete: the book stays readable with is_active=false.",
    ),
)
class BookViewSet(ListFiltersOnly, viewsets.ModelViewSet):
    """The catalogue: anyone reads it, staff change it."""

    content_negotiation_class = FormatIsAFilter
    renderer_classes = [FastJSONRenderer]

    serializer_class = BookSerializer
    parser_classes = [StrictJSONParser, StrictMultiPartParser]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_converter = "int"
    pagination_class = StoreCursorPagination
    filter_backends = [NamedFiltersBackend, FieldSearchFilter, StrictOrderingFilter]
    filterset_class = BookFilter
    search_fields = ["title", "author", "isbn"]
    ordering_fields = ["title", "price", "updated_at", "id", "created_at"]
    ordering = ["id"]

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            # Cloned from one made per process: resolving book_list's annotations anew
            # is a fair share of a short page. (retrieve reads its row with
            # book_rows.book_row; the schema generator still reads the model from here.)
            return _stocked_books().all()
        return book_list().prefetch_related("subjects")

    def get_permissions(self):
        if self.action in ("list", "retrieve", "metadata"):
            return [AllowAny()]
        return [IsStaff()]

    # Reads skip the serializer: book_rows builds the same JSON from rows (its module says
    # why; a test holds the two together). Writes and their answers keep the serializer.

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = self.paginate_queryset(book_values(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(book_dicts(rows or []))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = book_row(self.kwargs["pk"])
        if row is None:
            raise Http404(f"No {Book._meta.object_name} matches the given query.")
        return Response(book_dicts([row])[0])

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        book = serializer.save()
        serializer.instance = self.get_queryset().get(pk=book.pk)

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        book = serializer.save()
        serializer.instance = self.get_queryset().get(pk=book.pk)

    def perform_destroy(self, instance: Book) -> None:
        book_deactivate(book=instance)


@extend_schema_view(
    get=extend_schema(summary="List a book's copies (staff)"),
    post=extend_schema(
        summary="Put copies of a book on the shelf (staff)",
        request=BookItemsAddSerializer,
        responses={201: BookItemSerializer(many=True)},
    ),
)
class BookItemListView(generics.ListCreateAPIView):
    """The physical copies of one book."""

    serializer_class = BookItemSerializer
    permission_classes = [IsStaff]
    pagination_class = StoreCursorPagination
    filter_backends = [NamedFiltersBackend, StrictOrderingFilter]
    filterset_class = BookItemFilter
    ordering_fields = ["id", "place", "created_at"]
    ordering = ["id"]

    def get_book(self) -> Book:
        return get_object_or_404(Book, pk=self.kwargs["book_id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BookItem.objects.none()
        return BookItem.objects.filter(book=self.get_book())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        book = self.get_book()
        serializer = BookItemsAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = book_items_add(book=book, **serializer.validated_data)
        return Response(BookItemSerializer(items, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="List orders (service: its own; staff: all)"),
    retrieve=extend_schema(summary="One order (service: its own; staff: any)"),
)
class OrderViewSet(
    ListFiltersOnly, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Orders: services send them and follow their own; staff pack and close them."""

    serializer_class = OrderSerializer
    lookup_value_converter = "int"
    pagination_class = StoreCursorPagination
    filter_backends = [NamedFiltersBackend, StrictOrderingFilter]
    filterset_class = OrderFilter
    ordering_fields = ["updated_at", "created_at", "id"]
    ordering = ["-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        return order_list(user=request_actor(request=self.request))

    def get_permissions(self):
        if self.action in ("pack", "complete", "fail"):
            return [IsStaff()]
        return [IsServiceOrStaff()]

    def _answer(self, order_id: int, code: int = status.HTTP_200_OK) -> Response:
        order = self.get_queryset().get(pk=order_id)
        return Response(OrderSerializer(order).data, status=code)

    @extend_schema(
        summary="Send an order (service, staff)",
        request=OrderCreateSerializer,
        responses={
            201: OpenApiResponse(OrderSerializer, description="Created; stock reserved."),
            200: OpenApiResponse(OrderSerializer, description="The same order sent again."),
            409: OpenApiResponse(
                ConflictSerializer,
                description="insufficient_stock (nothing reserved) or "
                "shop_order_id_conflict (the id was used for another order).",
            ),
        },
    )
    def create(self, request: Request) -> Response:
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order, created = order_create(
            actor=request_actor(request=request),
            shop_order_id=data["shop_order_id"],
            shop_order_number=data.get("shop_order_number"),
            customer_email=data["customer_email"],
            delivery_address=data["delivery_address"],
            delivery_fee=data["delivery_fee"],
            lines=[OrderLine(book_id=i["book"], quantity=i["quantity"]) for i in data["items"]],
        )
        return self._answer(order.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary="Pick copies for an order (staff)",
        request=OrderPackSerializer,
        responses={200: OrderSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def pack(self, request: Request, pk: str) -> Response:
        order = self.get_object()
        serializer = OrderPackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order_pack(
            order_id=order.pk,
            book_item_ids=serializer.validated_data["book_items"],
            actor=request_actor(request=request),
        )
        return self._answer(order.pk)

    @extend_schema(
        summary="Ship a fully packed order (staff)",
        request=OrderCompleteSerializer,
        responses={200: OrderSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        order = self.get_object()
        serializer = OrderCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order_complete(
            order_id=order.pk, actor=request_actor(request=request), **serializer.validated_data
        )
        return self._answer(order.pk)

    @extend_schema(
        summary="Fail an order and release its stock (staff)",
        request=OrderFailSerializer,
        responses={200: OrderSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def fail(self, request: Request, pk: str) -> Response:
        order = self.get_object()
        serializer = OrderFailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order_fail(
            order_id=order.pk, actor=request_actor(request=request), **serializer.validated_data
        )
        return self._answer(order.pk)

    @extend_schema(
        summary="Cancel an order that has not shipped (service: its own; staff: any)",
        request=OrderCancelSerializer,
        responses={
            200: OpenApiResponse(
                OrderSerializer,
                description="Cancelled, its stock released; also the answer to a repeat.",
            ),
            409: OpenApiResponse(
                ConflictSerializer,
                description="order_not_cancellable: the order is success or fail.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        order = self.get_object()
        serializer = OrderCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order_cancel(
            order_id=order.pk, actor=request_actor(request=request), **serializer.validated_data
        )
        return self._answer(order.pk)
