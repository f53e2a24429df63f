"""Pages of the template library, under /templates/."""

from django.urls import URLPattern, path

from vigie.inbox.templating import views

urlpatterns: list[URLPattern] = [
    path("", views.template_library, name="template_library"),
    path("new/", views.template_new, name="template_new"),
    path("load-defaults/", views.template_load_defaults, name="template_load_defaults"),
    path("<int:pk>/", views.template_detail, name="template_detail"),
    path("<int:pk>/edit/", views.template_edit, name="template_edit"),
    path("<int:pk>/delete/", views.template_delete, name="template_delete"),
]
