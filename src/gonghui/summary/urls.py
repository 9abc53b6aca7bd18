from django.urls import path

from gonghui.summary import views

app_name = "summary"
urlpatterns = [
    path("", views.home, name="home"),
    path("stats/", views.stats, name="stats"),
    path("stats.xlsx", views.stats_xlsx, name="stats_xlsx"),
    path("phrases/", views.phrases, name="phrases"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/<int:setting_id>/", views.setting_edit, name="setting"),
    path("settings/<int:setting_id>/delete/", views.setting_delete, name="setting_delete"),
    path("purposes/", views.purposes, name="purposes"),
    path("<int:draft_id>/", views.draft, name="draft"),
    path("<int:draft_id>/check/", views.check, name="check"),
    path("<int:draft_id>/refresh/", views.refresh, name="refresh"),
    path("<int:draft_id>/delete/", views.delete, name="delete"),
    path("<int:draft_id>/export.<str:fmt>", views.export, name="export"),
]
