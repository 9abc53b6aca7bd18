from django.contrib import admin
from django.urls import include, path

from gonghui.activities.models import Activity
from gonghui.members.models import Member
from gonghui.orgs.models import Org


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin):
    """Django admin with its default changelist: the peer for the union list."""


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    """Django admin with its default changelist: the peer for the member list."""


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Django admin with its default changelist: the peer for the activity list and statistics."""


class MemberSearchAdmin(admin.ModelAdmin):
    """The same with search_fields set (the default has none): the peer for member search."""

    search_fields = ["name", "name_pinyin", "name_initials"]


search_site = admin.AdminSite(name="search_admin")
search_site.register(Member, MemberSearchAdmin)

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("django-admin-search/", search_site.urls),
    path("", include("gonghui.urls")),
]
