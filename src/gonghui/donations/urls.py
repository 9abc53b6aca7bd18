from django.urls import path

from gonghui.donations import views

app_name = "donations"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.create, name="create"),
    path("stats/", views.stats, name="stats"),
    path("records/", views.records, name="records"),
    path("<int:drive_id>/", views.detail, name="detail"),
    path("<int:drive_id>/edit/", views.edit, name="edit"),
    path("<int:drive_id>/donate/", views.donate, name="donate"),
    path("<int:drive_id>/batch/", views.batch, name="batch"),
    path("<int:drive_id>/thanks/", views.thanks, name="thanks"),
    path("<int:drive_id>/<str:action>/", views.set_status, name="status"),
    path("donation/<int:donation_id>/reverse/", views.reverse, name="reverse"),
]
