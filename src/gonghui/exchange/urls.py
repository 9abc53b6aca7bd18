from django.urls import path

from gonghui.exchange import views
from gonghui.exchange.registry import EXCHANGES

app_name = "exchange"

# The generic import pages, one literal prefix per kind (apps have registered their kinds
# in ready(), before any URLconf is loaded): reverse them with the kind, e.g.
# {% url 'exchange:import' kind='hardship' %}. Literal routes keep unknown kinds out of the
# resolver altogether.
urlpatterns = []
for _kind, _exchange in EXCHANGES.items():
    if _exchange.web_import:
        urlpatterns += [
            path(f"imports/{_kind}/", views.import_start, {"kind": _kind}, name="import"),
            path(f"imports/{_kind}/template.xlsx", views.import_template, {"kind": _kind}, name="import_template"),
            path(f"imports/{_kind}/<int:job_id>/", views.import_job, {"kind": _kind}, name="import_job"),
            path(f"imports/{_kind}/<int:job_id>/confirm/", views.import_confirm, {"kind": _kind}, name="import_confirm"),
            path(f"imports/{_kind}/<int:job_id>/errors.xlsx", views.import_errors, {"kind": _kind}, name="import_errors"),
        ]
