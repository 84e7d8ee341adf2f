"""The Sales page (orders and revenue per day, as a chart and a table; top books) and its
CSV export of sales lines, streamed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from bookshop.store.orders.charts import sales_chart
from bookshop.store.orders.models import Order
from bookshop.store.orders.reports import SALES_CSV_HEADER, daily_sales, sales_lines, top_books

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    _Base = ModelAdmin[Order]
else:
    _Base = object

PERIODS = (30, 90)


def _period(request: HttpRequest) -> int:
    days = request.GET.get("days", "")
    return int(days) if days in {str(p) for p in PERIODS} else PERIODS[0]


# Lines per piece of the streamed CSV: one piece per line made the server send 20,000
# tiny writes for 90 days of sales; a few hundred lines keep the memory small all the same.
CSV_LINES_PER_PIECE = 500


def _csv_pieces(header: list[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """The CSV text of the header and the rows, the header at once, then a piece of
    CSV_LINES_PER_PIECE lines at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(rows, start=1):
        writer.writerow(row)
        if n % CSV_LINES_PER_PIECE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


class SalesScreen(_Base):
    """The Order admin's Sales page and export (mixed into OrderAdmin)."""

    def sales_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        days = _period(request)
        sales = daily_sales(days=days)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Sales, last {days} days",
            "opts": Order._meta,
            "days": days,
            "periods": PERIODS,
            "sales": list(reversed(sales)),  # the table: newest first
            "orders_total": sum(day.orders for day in sales),
            "revenue_total": sum((day.revenue for day in sales), start=Decimal("0")),
            "chart": sales_chart(sales),
            "top_books": top_books(days=days),
        }
        return TemplateResponse(request, "admin/orders/order/sales.html", context)

    def sales_csv_view(self, request: HttpRequest) -> StreamingHttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        days = _period(request)
        name = f"sales-{timezone.localdate().isoformat()}-{days}d.csv"
        return StreamingHttpResponse(
            _csv_pieces(SALES_CSV_HEADER, sales_lines(days=days)),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
