"""Response headers that depend on who is asking."""

from django.http import FileResponse

from gonghui.accounts.middleware import SESSION_PENDING


class NoStoreMiddleware:
    """`Cache-Control: no-store` on anything that may carry personal data: every response
    to a logged-in user or to a login under way, and every file download whoever asks.

    A shared office PC keeps what its browser cached after the user logs out; the back
    button or the cache folder would otherwise show the roster to the next person.
    Static files never get here: WhiteNoise answers /static/ before the chain, so they
    stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Asked before the view too: logging out turns the user anonymous on the way.
        personal = self._personal(request)
        response = self.get_response(request)
        if personal or self._personal(request) or self._download(response):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response

    @staticmethod
    def _personal(request) -> bool:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        session = getattr(request, "session", None)
        return session is not None and session.get(SESSION_PENDING) is not None

    @staticmethod
    def _download(response) -> bool:
        disposition = response.get("Content-Disposition", "")
        return isinstance(response, FileResponse) or disposition.lower().startswith("attachment")


class MethodNotAllowedPageMiddleware:
    """A 405 from `require_POST` and friends is an empty body, which a browser shows as
    its own blank error page; someone who followed or bookmarked an action's address
    gets the site's page instead, saying what happened. API, htmx and JSON callers keep
    the bare answer (with its Allow header)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        from django.shortcuts import render

        from gonghui.core.http import wants_json

        if wants_json(request):
            return response
        page = render(request, "405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
