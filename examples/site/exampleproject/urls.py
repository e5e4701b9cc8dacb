"""URLs: the uploads page, its actions, /health and the admin."""

from django.contrib import admin
from django.urls import path

from uploads import views

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/<str:kind>/", views.upload, name="upload"),
    path("delete/<str:kind>/<int:pk>/", views.delete, name="delete"),
    path("health", views.health, name="health"),
    path("admin/", admin.site.urls),
]
