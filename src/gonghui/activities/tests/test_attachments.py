"""Photos and scanned files of activities: recognised by content only, refused in Chinese
when they are anything else, kept private under the data directory, served only in scope."""

import io
import os
import stat

import pytest
import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from gonghui.activities import attachments
from gonghui.activities.attachments import attachment_add, attachment_remove, store_file
from gonghui.activities.models import Attachment, Status
from gonghui.audit.models import AuditEvent


def png() -> bytes:
    out = io.BytesIO()
    segno.make("gonghui").save(out, kind="png", scale=2)
    return out.getvalue()


def pdf() -> bytes:
    out = io.BytesIO()
    segno.make("gonghui").save(out, kind="pdf")
    return out.getvalue()


# The classic 1×1 GIF, a 1×1 lossless WebP and a 1×1 JPEG (JFIF, arithmetic-coded baseline).
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
       b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010101004800480000ffdb00430003020202020203"
    "0202020303030304060404040404080606050609080a0a090809090a0c0f0c0a"
    "0b0e0b09090d110d0e0f101011100a0c12131210130f101010ffc9000b080001"
    "000101011100ffcc000600101005ffda0008010100003f00d2cf20ffd9")


def upload(name: str, data: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    # The browser's declared type is whatever a forger likes: it must never matter.
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def media(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path / "media"


@pytest.fixture
def common_umask():
    """The usual 022, so that the test proves the explicit modes rather than a strict umask."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def activity(make_activity):
    return make_activity(title="职工摄影展")


# --- recognising files ------------------------------------------------------------------------


@pytest.mark.parametrize("name,data,content_type", [
    ("合影.png", png(), "image/png"),
    ("现场.JPG", JPEG, "image/jpeg"),
    ("动图.gif", GIF, "image/gif"),
    ("手机图.webp", WEBP, "image/webp"),
    ("通知扫描件.pdf", pdf(), "application/pdf"),
    ("没有扩展名", png(), "image/png"),
])
def test_it_accepts_each_kind_by_its_content(media, common_umask, name, data, content_type):
    stored = store_file(upload(name, data, "application/octet-stream"), folder="activities/1")
    assert stored.content_type == content_type and stored.size == len(data)
    path = media / "activities" / "1" / stored.token
    assert path.read_bytes() == data and len(stored.token) == 32 and stored.token not in name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700 and stat.S_IMODE((media / "activities").stat().st_mode) == 0o700


def test_a_pdf_named_jpg_is_kept_and_served_as_the_pdf_it_is(media):
    """Decided: the content names the type. A scan saved as .jpg by a phone app is still
    useful, so it is kept, but as what it is — a PDF, named .pdf, served as a download."""
    stored = store_file(upload("扫描件.jpg", pdf(), "image/jpeg"), folder="activities/1")
    assert (stored.content_type, stored.filename) == ("application/pdf", "扫描件.pdf")


@pytest.mark.parametrize("name,data,message", [
    ("setup.exe", b"MZ\x90\x00" + b"\x00" * 200, "只能上传图片（JPG、PNG、GIF、WebP）或PDF文件"),
    ("图片.png", b"MZ\x90\x00" + b"\x00" * 200, "文件内容与扩展名不符：文件名是.png，内容却不是PNG图片"),
    ("通知.pdf", b"<!doctype html><script>alert(1)</script>", "文件内容与扩展名不符：文件名是.pdf，内容却不是PDF文件"),
    ("页面.html", pdf(), "只能上传图片（JPG、PNG、GIF、WebP）或PDF文件"),
    ("矢量图.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "只能上传图片"),
    ("没有扩展名", b"just some text", "只能上传图片"),
    ("截断.png", png()[:-20], "PNG图片不完整"),
    ("坏校验.png", png().replace(b"IDAT", b"IDAT\x00", 1)[:-13] + png()[-12:], "PNG图片已损坏"),
    ("截断.jpg", JPEG[:-2], "JPG图片不完整"),
    ("只有头.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x01\x00H\x00H\x00\x00\xff\xd9", "JPG图片没有图像数据"),
    ("截断.gif", GIF[:-1], "GIF图片不完整"),
    ("截断.webp", WEBP[:-6], "WebP图片不完整"),
    ("截断.pdf", pdf()[:-40], "PDF文件不完整"),
    ("空.png", b"", "文件是空的"),
])
def test_it_refuses_what_is_not_a_whole_image_or_pdf_in_chinese(media, name, data, message):
    with pytest.raises(ValidationError) as exc:
        store_file(upload(name, data), folder="activities/1")
    assert message in exc.value.message_dict["file"][0]
    assert not (media / "activities" / "1").exists() or not any((media / "activities" / "1").iterdir())


def test_it_refuses_a_file_over_the_configured_size(media, settings):
    settings.GONGHUI_ACTIVITY_FILE_MB = 1
    big = png()
    big = big[:-12] + b"\x00" * (1024 * 1024) + big[-12:]  # over 1 MB whatever is inside
    with pytest.raises(ValidationError, match="文件超过1MB"):
        store_file(upload("大图.png", big), folder="activities/1")
    with override_settings(GONGHUI_ACTIVITY_FILE_MB=10):
        assert "文件超过10MB" in attachments.too_large_message()


def test_the_stored_name_keeps_no_path_or_markup(media):
    stored = store_file(upload('..\\..\\etc/"<b>会议"\x07.png', png()), folder="activities/1")
    assert stored.filename == "b_会议.png"
    with pytest.raises(ValueError):
        store_file(upload("a.png", png()), folder="../keys")


# --- the services -------------------------------------------------------------------------------


def test_it_attaches_once_audits_and_removes(media, activity, chair, django_capture_on_commit_callbacks):
    a = attachment_add(actor=chair, activity=activity, upload=upload("合影.png", png()), caption="开幕式合影")
    assert (a.filename, a.caption, a.content_type) == ("合影.png", "开幕式合影", "image/png")
    assert AuditEvent.objects.filter(action="attachment.add", object_id=str(a.pk), result="success").exists()
    with pytest.raises(ValidationError, match="这个文件已经上传过（“合影.png”）"):
        attachment_add(actor=chair, activity=activity, upload=upload("又一张.png", png()))
    assert Attachment.objects.count() == 1 and len(list((media / "activities" / str(activity.pk)).iterdir())) == 1
    path, pk = media / "activities" / str(activity.pk) / a.token, a.pk
    with django_capture_on_commit_callbacks(execute=True):
        attachment_remove(actor=chair, attachment=a)
    assert not Attachment.objects.exists() and not path.exists()
    assert AuditEvent.objects.filter(action="attachment.remove", object_id=str(pk)).exists()


def test_it_keeps_at_most_thirty_files_per_activity(media, activity, chair):
    for n in range(attachments.MAX_PER_ACTIVITY):
        Attachment.objects.create(activity=activity, org_path=activity.org_path, token=f"{n:032x}", filename=f"{n}.png",
                                  content_type="image/png", size=1, sha256=f"{n:064x}")
    with pytest.raises(ValidationError, match="每项活动最多30个附件"):
        attachment_add(actor=chair, activity=activity, upload=upload("第31张.png", png()))
    assert not (media / "activities" / str(activity.pk)).exists()


def test_it_refuses_other_unions_members_and_cancelled_activities(media, activity, outsider, people, chair):
    with pytest.raises(PermissionDenied):
        attachment_add(actor=outsider, activity=activity, upload=upload("a.png", png()))
    with pytest.raises(PermissionDenied):
        attachment_add(actor=people.man_actor, activity=activity, upload=upload("a.png", png()))
    activity.status = Status.CANCELLED
    activity.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="活动已取消，不能再上传附件"):
        attachment_add(actor=chair, activity=activity, upload=upload("a.png", png()))
    assert not Attachment.objects.exists() and not (media / "activities").exists()
    assert AuditEvent.objects.filter(action="attachment.add", result="failure").count() == 3


# --- the pages ----------------------------------------------------------------------------------


def post_file(client, activity, name, data, caption=""):
    return client.post(f"/activities/{activity.pk}/attachments/new/", {"file": upload(name, data), "caption": caption}, follow=True)


def test_the_page_uploads_shows_and_serves_a_photo(media, activity, personas, login):
    client = login(personas.grassroots_chair)
    text = post_file(client, activity, "合影.png", png(), "开幕式").content.decode()
    assert "已上传附件" in text and "开幕式" in text
    a = Attachment.objects.get()
    assert f'src="/activities/attachments/{a.pk}/"' in text
    response = client.get(f"/activities/attachments/{a.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == png()
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline;") and "sandbox" in response["Content-Security-Policy"]


def test_a_pdf_is_served_as_a_sandboxed_download(media, activity, personas, login):
    client = login(personas.grassroots_chair)
    post_file(client, activity, "扫描件.jpg", pdf())
    a = Attachment.objects.get()
    response = client.get(f"/activities/attachments/{a.pk}/")
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;") and ".pdf" in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"] and "default-src 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("name,data,message", [
    ("病毒.png", b"MZ\x90\x00" + b"\x00" * 100, "文件内容与扩展名不符"),
    ("截断.png", png()[:-20], "PNG图片不完整"),
    ("网页.pdf", b"<html><body>hi</body></html>", "文件内容与扩展名不符"),
    ("程序.exe", png(), "只能上传图片（JPG、PNG、GIF、WebP）或PDF文件"),
])
def test_the_page_refuses_forged_files_and_saves_nothing(media, activity, personas, login, name, data, message):
    text = post_file(login(personas.grassroots_chair), activity, name, data).content.decode()
    assert message in text and not Attachment.objects.exists()


def test_the_page_refuses_an_oversized_upload_and_an_empty_form(media, activity, personas, login, settings):
    client = login(personas.grassroots_chair)
    settings.GONGHUI_ACTIVITY_FILE_MB = 1
    big = png()[:-12] + b"\x00" * (1024 * 1024 + 1) + png()[-12:]
    assert "文件超过1MB" in post_file(client, activity, "大图.png", big).content.decode()
    settings.GONGHUI_MAX_UPLOAD_MB = 1  # the stream-time cap skips it before a byte is kept
    assert "文件超过1MB" in post_file(client, activity, "大图.png", big + b"\x00" * (1024 * 1024)).content.decode()
    text = client.post(f"/activities/{activity.pk}/attachments/new/", {"caption": "没有文件"}, follow=True).content.decode()
    assert "请选择要上传的文件" in text and not Attachment.objects.exists()


def test_a_file_gone_from_disk_is_a_chinese_404(media, activity, chair, personas, login):
    a = attachment_add(actor=chair, activity=activity, upload=upload("合影.png", png()))
    (media / "activities" / str(activity.pk) / a.token).unlink()
    response = login(personas.grassroots_chair).get(f"/activities/attachments/{a.pk}/")
    assert response.status_code == 404 and "附件文件已不存在" in response.content.decode()


def test_attachments_stay_inside_the_union(media, activity, chair, personas, people, login):
    a = attachment_add(actor=chair, activity=activity, upload=upload("合影.png", png()))
    outsider = login(personas.outsider)
    for url in (f"/activities/attachments/{a.pk}/", f"/activities/{activity.pk}/attachments/new/"):
        assert outsider.get(url).status_code in (404, 405)
    assert outsider.post(f"/activities/attachments/{a.pk}/remove/").status_code == 404
    assert outsider.post(f"/activities/{activity.pk}/attachments/new/", {"file": upload("b.png", png())}).status_code == 404
    member = login(people.man.user)
    assert member.get(f"/activities/attachments/{a.pk}/").status_code == 403
    assert member.post(f"/activities/attachments/{a.pk}/remove/").status_code == 403
    assert Attachment.objects.count() == 1


def test_the_page_removes_an_attachment_with_a_confirmation(media, activity, chair, personas, login,
                                                            django_capture_on_commit_callbacks):
    a = attachment_add(actor=chair, activity=activity, upload=upload("合影.png", png()))
    client = login(personas.grassroots_chair)
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    form = page[page.index(f'action="/activities/attachments/{a.pk}/remove/"') - 200:]
    assert "data-confirm=" in form.split("</form>")[0]
    with django_capture_on_commit_callbacks(execute=True):
        text = client.post(f"/activities/attachments/{a.pk}/remove/", follow=True).content.decode()
    assert "已删除附件“合影.png”" in text and not Attachment.objects.exists()
    assert not (media / "activities" / str(activity.pk) / a.token).exists()
