from django.urls import path

from gonghui.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.create, name="create"),
    path("export.xlsx", views.export, name="export"),
    path("template.xlsx", views.template, name="template"),
    path("stats/", views.stats, name="stats"),
    path("me/", views.me, name="me"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:transfer_id>/<str:decision>/", views.decide_transfer, name="decide_transfer"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:request_id>/decide/", views.decide_request, name="decide_request"),
    path("import/", views.import_start, name="import"),
    path("import/<int:job_id>/", views.import_job, name="import_job"),
    path("import/<int:job_id>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<int:job_id>/errors.xlsx", views.import_errors, name="import_errors"),
    path("<int:member_id>/", views.detail, name="detail"),
    path("<int:member_id>/edit/", views.edit, name="edit"),
    path("<int:member_id>/event/", views.record_event, name="event"),
    path("<int:member_id>/transfer/", views.propose_transfer, name="transfer"),
    path("<int:member_id>/reveal/<str:field>/", views.reveal, name="reveal"),
    path("<int:member_id>/account/", views.open_account, name="account"),
]
