from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.urls import include, path

from gonghui.api import api

# The shell and the import pages keep their own top-level routes ("/", "/imports/…").
_LAYERS = {"core", "web", "exchange", "ops"}


def _module_urls():
    """Each gonghui domain app with a urls module, mounted at /<app label>/."""
    for config in apps.get_app_configs():
        if config.name.startswith("gonghui.") and config.label not in _LAYERS and find_spec(f"{config.name}.urls"):
            yield path(f"{config.label}/", include(import_module(f"{config.name}.urls")))


urlpatterns = [
    path("", include("gonghui.web.urls")),
    path("", include("gonghui.exchange.urls")),
    *_module_urls(),
    path("api/", api.urls),
]

# Parameters refused at the edge (web/params.py) answer with their Chinese message.
handler400 = "gonghui.web.views.bad_request"
