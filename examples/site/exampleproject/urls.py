"""URLs: the uploads page, its actions, the direct-upload page and its views, /health and the admin."""

from django.contrib import admin
from django.urls import include, path

from uploads import views

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/<str:kind>/", views.upload, name="upload"),
    path("delete/<str:kind>/<int:pk>/", views.delete, name="delete"),
    path("direct/", views.direct, name="direct"),
    path("direct-uploads/", include("django_minio_backend.direct_uploads.upload_urls")),
    path("health", views.health, name="health"),
    path("admin/", admin.site.urls),
]
