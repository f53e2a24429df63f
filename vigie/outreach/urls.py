"""Pages of outreach: the managers' pages under /outreach/ (``urlpatterns``) and the customers'
public pages under /o/ (``public_urlpatterns``)."""

from django.urls import URLPattern, path

from vigie.outreach import views

urlpatterns: list[URLPattern] = [
    path("", views.campaign, name="outreach"),
    path("invite/", views.invite_upload, name="outreach_invite_upload"),
    path("lists/<int:pk>/", views.batch_page, name="outreach_batch"),
    path("lists/<int:pk>/rows.csv", views.batch_rows_csv, name="outreach_batch_rows"),
    path("surveys/import/", views.survey_upload, name="outreach_survey_upload"),
    path("addresses/", views.mark_address, name="outreach_mark_address"),
    path("preview/", views.preview_page, name="outreach_preview"),
    path("invitations/", views.invitation_list, name="outreach_invitations"),
    path("testimonials/", views.testimonial_list, name="outreach_testimonials"),
    path("testimonials/select/", views.testimonial_select, name="outreach_testimonial_select"),
    path("testimonials/<int:pk>/feature/", views.testimonial_feature, name="outreach_testimonial_feature"),
    path("testimonials/<int:pk>/delete/", views.testimonial_delete, name="outreach_testimonial_delete"),
]

public_urlpatterns: list[URLPattern] = [
    path("r/<str:signed>/", views.click, name="outreach_click"),
    path("s/<str:signed>/", views.survey, name="outreach_survey"),
    path("u/<str:signed>/", views.optout, name="outreach_optout"),
]
