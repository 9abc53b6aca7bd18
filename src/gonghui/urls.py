from django.urls import include, path

from gonghui.api import api

urlpatterns = [
    path("", include("gonghui.core.urls")),
    path("accounts/", include("gonghui.accounts.urls")),
    path("orgs/", include("gonghui.orgs.urls")),
    path("members/", include("gonghui.members.urls")),
    path("audit/", include("gonghui.audit.urls")),
    path("api/", api.urls),
]
