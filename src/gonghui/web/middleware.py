"""Response headers that depend on who is asking."""

from django.http import FileResponse
from django.http.request import RawPostDataException

from gonghui.access.session import SESSION_PENDING


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

        from gonghui.web.http import wants_json

        if wants_json(request):
            return response
        page = render(request, "405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page


class NulGuardMiddleware:
    """Refuse, with the Chinese 400 page, any request that carries a NUL character in its
    path, query string, form fields, file names or JSON body.

    NUL is never part of a name, code or search text, and PostgreSQL refuses it in text
    (DataError: a 500 on a lookup as innocent as `?org_code=%00`). One check at the edge
    covers every view, the API included, instead of each parameter's own helper."""

    MESSAGE = "请求中含有不允许的字符（NUL 控制字符），请检查输入后重试。"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            from gonghui.web.params import BadRequestParam

            raise BadRequestParam(self.MESSAGE)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path:
            return True
        sources = [request.GET]
        content_type = request.content_type or ""
        if request.method == "POST" and content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if content_type != "multipart/form-data" or request.path.startswith("/api/"):
                # Keep the raw body readable for whoever reads it after us (the API parses it
                # itself and takes no uploads); a page's multipart upload is left streaming,
                # so the upload size cap still applies.
                request.body  # noqa: B018
            sources.append(request.POST)
            if any("\x00" in (f.name or "") for f in request.FILES.values()):
                return True
        for data in sources:
            for key, values in data.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    return True
        if "json" in content_type and request.method in ("POST", "PUT", "PATCH"):
            try:
                body = request.body
            except RawPostDataException:  # already streamed by someone before us: not ours to judge
                return False
            return b"\\u0000" in body or b"\\U0000" in body or b"\x00" in body
        return False
