"""URL map: pages, the REST API under /api/v1/, and the operators' admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
]
