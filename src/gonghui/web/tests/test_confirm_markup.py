"""Every destructive or consequential action asks first (issue 11): its form, its
submit button or the chosen option carries data-confirm, which web/static/gonghui/
confirm.js turns into a dialog naming the object and the effect. The list here is the
one in docs/architecture.md; a new such action belongs in both."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# url name in a form's action -> what must be in that form
BY_ACTION = {
    "members:event": "data-confirm-title",  # each option carries its own message (EventForm)
    "members:transfer": "data-confirm",
    "members:decide_transfer": "data-confirm",
    "members:decide_request": "data-confirm",
    "accounts:user_totp_reset": "data-confirm",
    "accounts:user_active": "data-confirm",  # deactivation only: see below
    "accounts:user_password": "data-confirm",
    "accounts:grant_revoke": "data-confirm",
    "orgs:reactivate": "data-confirm",
    "donations:status": "data-confirm",
    "donations:reverse": "data-confirm",
    "assistance:record_reverse": "data-confirm",
    "assistance:step": "data-confirm",
    "benefits:reverse": "data-confirm",
    "benefits:rules_choose": "data-confirm",
    "summary:refresh": "data-confirm",
    "summary:delete": "data-confirm",
    "activities:status": "data-confirm",  # every transition names its effect; 取消 also asks the reason
    "activities:session_remove": "data-confirm",
    "activities:session_rotate": "data-confirm",
    "activities:attachment_remove": "data-confirm",
    "activities:study_remove": "data-confirm",
    "activities:registration_cancel": "data-confirm",
    "activities:checkin_undo": "data-confirm",
    "activities:member_cancel": "data-confirm",
}
# pages whose form posts to itself
SELF_POSTING = ["orgs/templates/orgs/deactivate.html", "orgs/templates/orgs/move.html", "orgs/templates/orgs/elect.html",
                "summary/templates/summary/phrases.html"]

FORM = re.compile(r"<form\b.*?</form>", re.S)


def forms():
    for path in sorted(ROOT.glob("*/templates/**/*.html")):
        for block in FORM.findall(path.read_text()):
            yield path, block


@pytest.mark.parametrize("name", sorted(BY_ACTION))
def test_each_consequential_form_asks_first(name):
    found = 0
    for path, block in forms():
        head = block.split(">", 1)[0]
        if f"'{name}'" not in head:
            continue
        if 'name="active" value="1"' in block:
            continue  # re-enabling an account takes nothing away
        found += 1
        assert BY_ACTION[name] in block, f"{path.relative_to(ROOT)}: the form for {name} does not ask first"
    assert found, f"no form posts to {name}: update this list and the docs"


@pytest.mark.parametrize("template", SELF_POSTING)
def test_each_consequential_page_asks_first(template):
    assert "data-confirm" in (ROOT / template).read_text()


def test_the_dialog_script_is_on_every_page():
    base = (ROOT / "web/templates/web/base.html").read_text()
    assert "gonghui/confirm.js" in base
    assert "window.confirm(msg)" not in (ROOT / "web/static/gonghui/app.js").read_text()  # one mechanism only
