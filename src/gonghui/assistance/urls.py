from django.urls import path

from gonghui.assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.create, name="create"),
    path("due/", views.due, name="due"),
    path("stats/", views.stats, name="stats"),
    path("apply/", views.apply, name="apply"),
    path("dibao/", views.dibao_list, name="dibao"),
    path("dibao/new/", views.dibao_edit, name="dibao_create"),
    path("dibao/<int:line_id>/edit/", views.dibao_edit, name="dibao_edit"),
    path("region/", views.region, name="region"),
    path("records/", views.records, name="records"),
    path("records/new/", views.record_create, name="record_create"),
    path("records/new-nonmember/", views.nonmember_record_create, name="nonmember_record_create"),
    path("records/<int:record_id>/reveal/", views.record_reveal, name="record_reveal"),
    path("records/<int:record_id>/reverse/", views.record_reverse, name="record_reverse"),
    path("records/<int:record_id>/sign/", views.record_sign, name="record_sign"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:batch_id>/", views.batch, name="batch"),
    path("batches/<int:batch_id>/sign/", views.batch_sign, name="batch_sign"),
    path("batches/<int:batch_id>/sign-sheet/", views.sign_sheet, name="sign_sheet"),
    path("batches/<int:batch_id>/payments.xlsx", views.batch_export, name="batch_export"),
    path("<int:household_id>/", views.detail, name="detail"),
    path("<int:household_id>/edit/", views.edit, name="edit"),
    path("<int:household_id>/tier/", views.tier, name="tier"),
    path("<int:household_id>/step/", views.step, name="step"),
    path("<int:household_id>/verify/", views.verify, name="verify"),
    path("<int:household_id>/family/", views.family, name="family"),
]
