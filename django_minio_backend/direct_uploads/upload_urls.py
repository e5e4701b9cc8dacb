"""URLconf of the direct-upload views; include it once, e.g.
``path("direct-uploads/", include("django_minio_backend.direct_uploads.upload_urls"))``."""

from django.urls import path

from . import views

app_name = "minio_direct_uploads"

urlpatterns = [
    path("start/", views.start, name="start"),
    path("part/", views.part, name="part"),
    path("complete/", views.complete, name="complete"),
    path("abort/", views.abort, name="abort"),
]
