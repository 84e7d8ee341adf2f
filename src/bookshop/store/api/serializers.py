from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookshop.store.api.permissions import is_service, is_staff


class WhoAmISerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=["staff", "service", "user"]))
    def get_role(self, user) -> str:
        if is_staff(user):
            return "staff"
        if is_service(user):
            return "service"
        return "user"
