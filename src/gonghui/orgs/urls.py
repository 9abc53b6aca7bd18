from django.urls import path

from gonghui.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("list/", views.org_list, name="list"),
    path("lookup/", views.lookup, name="lookup"),
    path("new/", views.create, name="create"),
    path("import/", views.import_orgs, name="import"),
    path("template.xlsx", views.template, name="template"),
    path("<int:org_id>/", views.detail, name="detail"),
    path("<int:org_id>/children/", views.children, name="children"),
    path("<int:org_id>/edit/", views.edit, name="edit"),
    path("<int:org_id>/move/", views.move, name="move"),
    path("<int:org_id>/deactivate/", views.deactivate, name="deactivate"),
    path("<int:org_id>/reactivate/", views.reactivate, name="reactivate"),
    path("<int:org_id>/elect/", views.elect, name="elect"),
    path("<int:org_id>/home-levels/", views.home_levels, name="home_levels"),
    path("<int:org_id>/export.xlsx", views.export, name="export"),
]
