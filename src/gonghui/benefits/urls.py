from django.urls import path

from gonghui.benefits import views

app_name = "benefits"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.record_create, name="create"),
    path("batch/", views.batch_create, name="batch_create"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("compliance/", views.compliance, name="compliance"),
    path("stats/", views.stats, name="stats"),
    path("export.xlsx", views.export, name="export"),
    path("template.xlsx", views.template, name="template"),
    path("rules/", views.rules, name="rules"),
    path("rules/new/", views.ruleset_new, name="ruleset_new"),
    path("rules/choose/", views.rules_choose, name="rules_choose"),
    path("rules/<int:ruleset_id>/", views.ruleset_detail, name="ruleset"),
    path("<int:record_id>/", views.record_detail, name="record"),
    path("<int:record_id>/reverse/", views.record_reverse, name="reverse"),
    path("<int:record_id>/correct/", views.record_correct, name="correct"),
]
