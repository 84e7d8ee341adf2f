"""The quick content negotiation chooses what DRF's own would, for every Accept header."""

import pytest
from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from bookshop.store.api.negotiation import QuickContentNegotiation
from bookshop.store.api.renderers import FastJSONRenderer

ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "application/json; indent=4",
    "application/*",
    "text/html",
    "text/html, */*;q=0.1",
    "application/json, text/html",
    "",
]
RENDERER_LISTS = [
    [FastJSONRenderer()],
    [JSONRenderer(), BrowsableAPIRenderer()],
    [BrowsableAPIRenderer(), JSONRenderer()],
]


def choice(negotiation, request, renderers, suffix=None):
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers, suffix)
    except NotAcceptable:
        return "406"
    except Http404:  # a ?format= no renderer has
        return "404"
    return type(renderer), media_type


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("renderers", RENDERER_LISTS, ids=["one", "json-first", "html-first"])
@pytest.mark.parametrize("query", ["", "?format=json", "?format=api"])
@pytest.mark.parametrize("suffix", [None, "json"])
def test_the_same_renderer_and_media_type_as_drf_or_the_same_406(accept, renderers, query, suffix):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(f"/api/v1/books/{query}", **headers))
    expected = choice(DefaultContentNegotiation(), request, renderers, suffix)
    assert choice(QuickContentNegotiation(), request, renderers, suffix) == expected


@pytest.mark.django_db
def test_the_api_answers_json_to_the_shop_to_a_bare_client_and_406_to_html_only(client):
    for headers in ({}, {"HTTP_ACCEPT": "*/*"}, {"HTTP_ACCEPT": "application/json"}):
        response = client.get("/api/v1/books/", **headers)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
    assert client.get("/api/v1/books/", HTTP_ACCEPT="text/html").status_code == 406
