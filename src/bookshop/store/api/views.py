from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bookshop.store.api.serializers import WhoAmISerializer


class WhoAmIView(APIView):
    """Who the credentials belong to: lets a client check its token before it needs it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=WhoAmISerializer, operation_id="whoami")
    def get(self, request: Request) -> Response:
        return Response(WhoAmISerializer(request.user).data)
