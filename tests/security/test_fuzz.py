"""Every route, every parameter it reads, adversarial values: no answer is a 500.

The routes come from the URL resolver (as in tests/security/test_isolation_matrix.py, with the ids
the apps' tests/matrix.py provide), so a new page is fuzzed the day it is added. Each
route's parameters are discovered, not listed: a first GET and a first POST run with
request.GET / request.POST wrapped in a QueryDict that records every key the view (and
its forms) reads; the names of the fields the page renders in its forms, and the API's
declared query parameters, are added. Hypothesis then sends those keys with values meant
to break parsing: huge and negative integers, dates at the ends of the calendar, NUL,
long and odd unicode, repeated values, deeply nested JSON, forged paging cursors.

Each request runs in a savepoint that is rolled back, so every example sees the same
records (a POST that closes a drive or deletes a draft does not starve the routes after
it). The run is derandomized, so CI sees the same examples every time;
GONGHUI_FUZZ_EXAMPLES raises the number of generated examples for a deeper local run.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from hypothesis import HealthCheck, Phase, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from gonghui.access.permissions import Role
from gonghui.testing.factories import staff

hsettings.register_profile(
    "gonghui-fuzz",
    max_examples=int(os.environ.get("GONGHUI_FUZZ_EXAMPLES", "4")),
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)
PROFILE = hsettings.get_profile("gonghui-fuzz")

# Ending the session would fuzz the rest as anonymous; the login pages belong to the
# anonymous pass.
SKIP_POST = {"accounts/logout/"}
PROBE = "_probe"  # makes request.GET / request.POST non-empty, so `Form(request.GET or None)` binds and reads


# --- adversarial values --------------------------------------------------------------------


def _cursor(values) -> str:
    raw = json.dumps({"d": "n", "v": values}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


DEEP_ARRAY = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000
HUGE = "9" * 20
# The values most likely to reach past a form into arithmetic, a query or a parser. Each
# is tried alone on every key, the rest of the form as the page would send it.
HEAVY = [HUGE, "0001-01-01", "9999-12-31", DEEP_ARRAY]
# Tried on every key at once: what only one key of a route reads (a paging cursor) needs
# no valid form around it.
EVERYWHERE = [*HEAVY, "-" + HUGE, "a\x00b", "9999-12", _cursor(["x", "x"]), _cursor([int(HUGE), int(HUGE)]), _cursor([{"a": 1}])]
ADVERSARIAL = [
    *EVERYWHERE,
    "", " ", "0", "-1", "1", "2025", str(2**63), str(2**31), "1e309", "NaN", "0x10", "1_000", "１２", "²", "٣",
    "1900-01-01", "2100-12-31", "0000-00-00", "2025-02-30", "2025-13-01", "10000-01-01", "2025-10-31T25:00", "2025-10",
    "2025Q9", "2025H3", "9999", "0001-01-01..9999-12-31", "0001", "\x00", "工会", "𠮷", "\u202e\u200b",
    "<script>alert(1)</script>", "' OR 1=1 --", "../../../etc/passwd", "%00", "x" * 3000, "{}", "[]", "null", '{"parts": 1}',
    DEEP_OBJECT, _cursor(["0001-01-01", -1]),
]
VALUE = st.one_of(st.sampled_from(ADVERSARIAL), st.text(max_size=12), st.integers().map(str))


def _param(baseline: str | None):
    single = st.one_of(st.just(baseline), VALUE) if baseline else VALUE
    return st.one_of(single, st.lists(VALUE, min_size=2, max_size=3))


# --- routes and their parameters ------------------------------------------------------------


def walk(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from walk(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


ROUTES = sorted(set(walk()))


def fill(route: str, values: dict) -> str:
    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: str(values[m.group(2)]), route)


class RecordingQueryDict(QueryDict):
    """A QueryDict that notes each key looked up, however the view or its form asks, as
    (method, key): a POST handler may read the query string too."""

    reads: set[tuple[str, str]] = set()
    method = "get"

    def _read(self, key):
        RecordingQueryDict.reads.add((self.method, key))

    def get(self, key, default=None):
        self._read(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._read(key)
        return super().getlist(key, default)

    def __getitem__(self, key):
        self._read(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._read(key)
        return super().__contains__(key)


class RecordingPostDict(RecordingQueryDict):
    method = "post"


def _recording(data: QueryDict, cls=RecordingQueryDict) -> RecordingQueryDict:
    copy = cls(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        copy.setlist(key, values)
    copy._mutable = False
    return copy


class RecordParameters:
    """Test-only middleware, first in the chain: the view sees recording QueryDicts. The
    form data is wrapped only when something reads it, so a view (the API) that reads the
    raw body still can."""

    classes: dict[type, type] = {}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _recording(request.GET)
        request.__class__ = self.recording_class(type(request))
        return self.get_response(request)

    @classmethod
    def recording_class(cls, base: type) -> type:
        if base not in cls.classes:

            def _load_post_and_files(self):
                base._load_post_and_files(self)
                self._post = _recording(self._post, RecordingPostDict)

            cls.classes[base] = type(f"Recording{base.__name__}", (base,), {"_load_post_and_files": _load_post_and_files})
        return cls.classes[base]


class FormFields(HTMLParser):
    """Names (and initial values) of the fields in the page's forms that submit to the
    page itself, by form method (forms posting elsewhere are fuzzed at their own route)."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path
        self.method = None
        self.fields: dict[str, dict[str, str]] = {"get": {}, "post": {}}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urlsplit(a.get("action") or "").path
            self.method = (a.get("method") or "get").lower() if action in ("", self.path) else None
        elif self.method in self.fields and a.get("name") and a["name"] != "csrfmiddlewaretoken":
            found = self.fields[self.method]
            if tag == "input" and a.get("type") not in ("submit", "button", "file", "image"):
                checked = a.get("type") not in ("checkbox", "radio") or "checked" in a
                # An empty date gets today, so the rest of the form is valid around the one bad value.
                value = (a.get("value") or (dt.date.today().isoformat() if a.get("type") == "date" else "")) if checked else ""
                if a["name"] not in found or checked:
                    found[a["name"]] = value or found.get(a["name"], "")
            elif tag == "select":
                self._select = a["name"]
                found.setdefault(a["name"], "")
            elif tag == "textarea":
                self._textarea = a["name"]
                found.setdefault(a["name"], "")
        # the selected option, else the first real one (a required select's "请选择" is empty)
        if tag == "option" and self._select and ("selected" in a or not self.fields[self.method][self._select]):
            self.fields[self.method][self._select] = a.get("value") or ""

    def handle_data(self, data):
        if self._textarea and self.method in self.fields:
            self.fields[self.method][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.method = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_fields(response, path: str) -> dict[str, dict[str, str]]:
    parser = FormFields(path)
    if response.status_code == 200 and "text/html" in response.get("Content-Type", "") and not getattr(response, "streaming", False):
        parser.feed(response.content.decode("utf-8", "replace"))
    return parser.fields


def api_parameters() -> dict[str, set[str]]:
    """The query parameters the API declares, by route (api/orgs/<org_id> style)."""
    from gonghui.api import api

    found = {}
    for path, operations in api.get_openapi_schema()["paths"].items():
        route = re.sub(r"\{(\w+)\}", r"<\1>", path).lstrip("/")
        found[route] = {p["name"] for op in operations.values() for p in op.get("parameters", []) if p.get("in") == "query"}
    return found


@dataclass
class Target:
    route: str
    url: str
    method: str
    baseline: dict[str, str] = field(default_factory=dict)  # key -> the page's initial value ("" if none)


def discover(client: Client, route: str, url: str, layout: dict[str, dict[str, str]], api: dict[str, set[str]]) -> list[Target]:
    targets = []
    RecordingQueryDict.reads = set()
    response = client.get(url, {PROBE: "1"})
    assert response.status_code < 500, f"GET {url} → {response.status_code}"
    fields = page_fields(response, url)
    keys = {k: "" for method, k in RecordingQueryDict.reads if k != PROBE}
    keys.update({k: v for k, v in fields["get"].items() if k not in layout["get"]})
    keys.update({k: "" for k in api.get(route, ()) if k not in keys})
    if keys:
        targets.append(Target(route, url, "get", keys))
    if route in SKIP_POST:
        return targets
    RecordingQueryDict.reads = set()
    with transaction.atomic():
        response = client.post(url, {PROBE: "1"})
        transaction.set_rollback(True)
    assert response.status_code < 500, f"POST {url} → {response.status_code}"
    keys = {k: "" for method, k in RecordingQueryDict.reads if method == "post" and k != PROBE}
    keys.update({k: v for k, v in fields["post"].items() if k not in layout["post"]})
    if keys:
        targets.append(Target(route, url, "post", keys))
    return targets


def fuzz(client: Client, target: Target, session_cookie) -> None:
    keys = sorted(target.baseline)
    baseline = {k: target.baseline[k] or "1" for k in keys}

    @hsettings(PROFILE)
    @given(st.fixed_dictionaries({}, optional={k: _param(target.baseline[k]) for k in keys}))
    def probe(params):
        if session_cookie is not None:  # a POST may have rotated or ended the session: start each example from the same one
            client.cookies[session_cookie.key] = session_cookie.value
        with transaction.atomic():
            response = getattr(client, target.method)(target.url, params)
            transaction.set_rollback(True)
        assert response.status_code < 500, f"{target.method.upper()} {target.url} {repr(params)[:300]} → {response.status_code}"

    for key in keys:  # each heavy value alone on one key, the rest of the form as the page would send it
        for value in HEAVY:
            probe = example({**baseline, key: value})(probe)
    for value in EVERYWHERE:
        probe = example(dict.fromkeys(keys, value))(probe)
    probe()


# --- the passes ------------------------------------------------------------------------------


def sample_ids(tree, personas) -> dict:
    """Ids of records inside the fuzzing user's subtree, so the routes reach their forms."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    params = {"org_id": tree.grassroots.pk, "user_id": personas.grassroots_chair.pk,
              "grant_id": personas.grassroots_chair.grants.get().pk}
    for config in apps.get_app_configs():
        name = f"{config.name}.tests.matrix"
        if config.name.startswith("gonghui.") and find_spec(f"{config.name}.tests") and find_spec(name):
            params.update(import_module(name).samples(tree.grassroots)[0])
    return params


@pytest.fixture
def recording(settings):
    settings.MIDDLEWARE = [f"{__name__}.RecordParameters", *settings.MIDDLEWARE]


def reachable(url: str, perms: frozenset[str] | None) -> bool:
    """Whether the view would read a parameter at all: a staff view answers a user
    without its permission (or anyone not logged in) before it looks at the request."""
    perm = getattr(resolve(urlsplit(url).path).func, "required_perm", "not a staff view")
    if perm == "not a staff view":
        return True
    return perms is not None and (perm is None or perm in perms)


def user_for(who: str, tree):
    """A chair at the top union (every record of the samples in scope, the widest role
    without a second factor) or a member with their own roster entry (the self-service
    pages); None for the anonymous pass (the login pages, the API's refusal)."""
    if who == "chair":
        return staff(tree.district, Role.CHAIR, username="district_chair", full_name="区总主席"), Role.CHAIR
    if who == "member":
        from gonghui.access.actor import Actor
        from gonghui.members.models import Member
        from gonghui.members.services import member_create
        from gonghui.testing.members import make_id

        user = staff(tree.grassroots, Role.MEMBER, username="fuzz_member", full_name="模糊会员")
        member = member_create(actor=Actor.system(), org=tree.grassroots, name="模糊会员", id_number=make_id(),
                               joined_on=dt.date(2020, 1, 1))
        Member.objects.filter(pk=member.pk).update(user=user)
        return user, Role.MEMBER
    return None, None


@pytest.mark.parametrize("who", ["chair", "member", "anonymous"])
def test_no_parameter_value_makes_a_500(who, tree, personas, recording):
    from django.conf import settings

    from gonghui.access.permissions import permissions_for

    client = Client()
    user, role = user_for(who, tree)
    if user is not None:
        client.force_login(user)
    perms = permissions_for(role) if role else None
    ids = sample_ids(tree, personas)
    layout = page_fields(client.get("/"), "/")  # the forms every page carries (union switcher, logout)
    api = api_parameters()
    session_cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    urls = [(route, fill(route, ids)) for route in ROUTES]
    targets = [t for route, url in urls if reachable(url, perms) for t in discover(client, route, url, layout, api)]
    failures = []
    for target in targets:
        try:
            fuzz(client, target, session_cookie)
        except Exception as exc:  # collect every failing route, not only the first
            failures.append(f"{target.method.upper()} {target.url}: {type(exc).__name__}: {str(exc)[:300]}")
    assert not failures, f"{len(failures)} of {len(targets)} fuzzed routes failed:\n" + "\n".join(failures)
