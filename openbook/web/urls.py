"""Routes. Issue 3 adds the public API and issue 8 the pages; until then, a health check."""

from django.http import JsonResponse
from django.urls import path


def health(request):
    """Public: tells a load balancer or an operator that the server answers."""
    return JsonResponse({"status": "ok"})


urlpatterns = [path("health", health, name="health")]
