"""Routes: the public API under /api/, the publish API under /api/publish/ (before the public
API, whose paths it would otherwise fall under), health checks, and the pages
(openbook.web.pages)."""

from django.urls import include, path

from openbook.web.api import api
from openbook.web.downloads import download, index
from openbook.web.health import healthz, readyz
from openbook.web.publish import publish_api

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/publish/", publish_api.urls),
    path("api/", api.urls),
    path("downloads/", index, name="downloads"),
    path("downloads/<path:name>", download, name="download"),
    path("", include("openbook.web.pages.urls")),
]

# Pages not found and failures: pages with their JSON twins (the API answers its own, as JSON:
# openbook.web.middleware.ApiErrorsAsJson).
handler404 = "openbook.web.pages.errors.not_found"
handler500 = "openbook.web.pages.errors.server_error"
# A request Django refused (a form over its limits), said precisely.
handler400 = "openbook.web.pages.form_input.refused_request"
