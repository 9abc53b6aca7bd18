from django.contrib import admin
from django.urls import include, path

from gonghui.orgs.models import Org


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin):
    """Django admin with its default changelist: the peer for the union list."""


urlpatterns = [path("django-admin/", admin.site.urls), path("", include("gonghui.urls"))]
