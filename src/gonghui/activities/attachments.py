"""Files of activities (photos, scanned documents) and of study submissions.

A file is accepted only as what its content is: a JPEG, PNG, GIF or WebP image or a PDF,
recognised by its leading bytes and then walked far enough to know it is whole (PNG chunks
from IHDR to IEND with their checksums, JPEG segments from SOI through the scan to EOI, GIF
blocks to the trailer, WebP's RIFF chunks, a PDF's header and its closing startxref/%%EOF).
Neither the file name nor the browser's declared type decides anything: a name only has to
be that of an accepted type (or none), and the stored name takes the extension of what the
content really is, so a PDF sent as "扫描件.jpg" is kept and served as "扫描件.pdf".

Files live under the data directory (`media/<folder>/<random token>`, folders 0700, files
0600), never under a name a user chose, and are read back only through a scoped view.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from gonghui import conf
from gonghui.access.actor import Actor
from gonghui.activities.models import Activity, Attachment, Status
from gonghui.activities.services import user_of
from gonghui.audit.services import audit_record
from gonghui.core.services import audited

MAX_PER_ACTIVITY = 30
ALLOWED = "只能上传图片（JPG、PNG、GIF、WebP）或PDF文件。"
GONE = "附件文件已不存在（可能已被清理），请重新上传。"

# kind -> (content type, extension written on the stored name, how a message names it)
KINDS = {
    "jpeg": ("image/jpeg", ".jpg", "JPG图片"),
    "png": ("image/png", ".png", "PNG图片"),
    "gif": ("image/gif", ".gif", "GIF图片"),
    "webp": ("image/webp", ".webp", "WebP图片"),
    "pdf": ("application/pdf", ".pdf", "PDF文件"),
}
CONTENT_TYPES = {v[0] for v in KINDS.values()}
EXTENSIONS = {".jpg": "jpeg", ".jpeg": "jpeg", ".jpe": "jpeg", ".jfif": "jpeg", ".png": "png", ".gif": "gif",
              ".webp": "webp", ".pdf": "pdf"}
_TOKEN = re.compile(r"^[a-f0-9]{32}$")
_FOLDER = re.compile(r"^[a-z0-9_-]{1,40}(/[a-z0-9_-]{1,40}){0,3}$")
# Characters no stored display name keeps: path separators, quotes and what Windows refuses.
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def limit_mb() -> int:
    return int(getattr(settings, "GONGHUI_ACTIVITY_FILE_MB", 10))


def too_large_message() -> str:
    return f"文件超过{limit_mb()}MB，不能上传。请压缩图片或缩小PDF后再上传。"


@dataclass(frozen=True)
class Stored:
    token: str
    filename: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Checked:
    data: bytes
    kind: str
    filename: str
    sha256: str

    @property
    def content_type(self) -> str:
        return KINDS[self.kind][0]


# --- recognising the content ---------------------------------------------------------------


def sniff(data: bytes) -> str | None:
    """The accepted kind the leading bytes announce, else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    return None


def _png(data: bytes) -> str:
    pos, first, pictures = 8, True, False
    while True:
        if pos + 12 > len(data):
            return "PNG图片不完整（缺少结尾），可能没有传完。"
        length = int.from_bytes(data[pos:pos + 4], "big")
        ctype = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if not ctype.isalpha() or length > 2**31 - 1:
            return "PNG图片结构异常。"
        if end > len(data):
            return "PNG图片不完整（缺少结尾），可能没有传完。"
        if zlib.crc32(data[pos + 4:end - 4]) != int.from_bytes(data[end - 4:end], "big"):
            return "PNG图片已损坏（校验不符）。"
        if first:
            if ctype != b"IHDR" or length != 13:
                return "PNG图片结构异常（缺少IHDR）。"
            if not int.from_bytes(data[pos + 8:pos + 12], "big") or not int.from_bytes(data[pos + 12:pos + 16], "big"):
                return "PNG图片的宽或高为0。"
            first = False
        pictures = pictures or ctype == b"IDAT"
        if ctype == b"IEND":
            return "" if pictures else "PNG图片没有图像数据。"
        pos = end


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: bytes) -> str:
    incomplete = "JPG图片不完整（缺少结尾），可能没有传完。"
    pos, frame, n = 2, False, len(data)
    while pos < n:
        if data[pos] != 0xFF:
            return "JPG图片结构异常。"
        while pos < n and data[pos] == 0xFF:  # fill bytes may precede a marker
            pos += 1
        if pos >= n:
            return incomplete
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            return "JPG图片没有图像数据。"
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if pos + 2 > n:
            return incomplete
        length = int.from_bytes(data[pos:pos + 2], "big")
        if length < 2:
            return "JPG图片结构异常。"
        frame = frame or marker in _SOF
        if marker == 0xDA:
            if not frame:
                return "JPG图片结构异常（缺少图像参数）。"
            # Inside the scan a 0xFF byte is stuffed (FF 00), so FF D9 there is the real EOI.
            # Data after EOI is allowed: phones append motion-photo video there.
            return "" if data.find(b"\xff\xd9", pos + length) >= 0 else incomplete
        pos += length
    return incomplete


def _gif(data: bytes) -> str:
    incomplete = "GIF图片不完整（缺少结尾），可能没有传完。"
    n = len(data)
    if n < 13:
        return incomplete

    def skip_sub_blocks(pos: int) -> int:
        while pos < n:
            size = data[pos]
            pos += 1
            if size == 0:
                return pos
            pos += size
        return -1

    flags = data[10]
    pos = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    frames = 0
    while 0 <= pos < n:
        block = data[pos]
        if block == 0x3B:
            return "" if frames else "GIF图片没有图像数据。"
        if block == 0x21:
            pos = skip_sub_blocks(pos + 2)
        elif block == 0x2C:
            if pos + 11 > n:
                return incomplete
            local = data[pos + 9]
            pos += 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0) + 1  # + LZW code size
            pos = skip_sub_blocks(pos)
            frames += 1
        else:
            return "GIF图片结构异常。"
    return incomplete


def _webp(data: bytes) -> str:
    end = 8 + int.from_bytes(data[4:8], "little")
    if end > len(data) or len(data) < 20:
        return "WebP图片不完整，可能没有传完。"
    if data[12:16] not in (b"VP8 ", b"VP8L", b"VP8X"):
        return "WebP图片结构异常。"
    pos = 12
    while pos + 8 <= end:
        size = int.from_bytes(data[pos + 4:pos + 8], "little")
        pos += 8 + size + (size & 1)
    return "" if pos == end else "WebP图片不完整，可能没有传完。"


def _pdf(data: bytes) -> str:
    if not re.match(rb"%PDF-[12]\.[0-9]", data):
        return "PDF文件头异常。"
    tail = data[-2048:]
    if b"%%EOF" not in tail[-1024:] or b"startxref" not in tail:
        return "PDF文件不完整（缺少结尾标记），可能没有传完。"
    return ""


STRUCTURE = {"png": _png, "jpeg": _jpeg, "gif": _gif, "webp": _webp, "pdf": _pdf}


def problem_with(kind: str, data: bytes) -> str:
    """'' when `data` is a whole file of `kind`, else why not (Chinese)."""
    try:
        return STRUCTURE[kind](data)
    except IndexError:  # a length field pointing past the end
        return f"{KINDS[kind][2]}不完整，可能没有传完。"


def display_name(raw: str, kind: str) -> str:
    """The user's file name without folders or unsafe characters, ending in the
    extension of what the file really is."""
    stem = os.path.splitext(re.split(r"[/\\]", raw or "")[-1])[0]
    stem = _UNSAFE_NAME.sub("_", stem).strip(" ._")[:120] or "附件"
    return stem + KINDS[kind][1]


def _error(message: str) -> ValidationError:
    return ValidationError({"file": message})


def check_upload(upload) -> Checked:
    """Read and recognise an upload; ValidationError({"file": …}) says why it is refused."""
    if upload is None:
        raise _error("请选择要上传的文件。")
    name = str(getattr(upload, "name", "") or "")
    ext = os.path.splitext(name)[1].lower()
    if ext and ext not in EXTENSIONS:
        raise _error(ALLOWED)
    limit = limit_mb() * 1024 * 1024
    if (getattr(upload, "size", 0) or 0) > limit:
        raise _error(too_large_message())
    chunks, size = [], 0
    with contextlib.suppress(AttributeError, ValueError):
        upload.seek(0)
    for chunk in upload.chunks():
        size += len(chunk)
        if size > limit:
            raise _error(too_large_message())
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise _error("文件是空的，请重新选择。")
    kind = sniff(data)
    if kind is None:
        if ext:
            named = KINDS[EXTENSIONS[ext]][2]
            raise _error(f"文件内容与扩展名不符：文件名是{ext}，内容却不是{named}。{ALLOWED}")
        raise _error(ALLOWED)
    problem = problem_with(kind, data)
    if problem:
        raise _error(problem)
    return Checked(data=data, kind=kind, filename=display_name(name, kind), sha256=hashlib.sha256(data).hexdigest())


# --- the files on disk -----------------------------------------------------------------------


def _folder(folder: str) -> Path:
    if not _FOLDER.match(folder or ""):
        raise ValueError(f"not a media folder: {folder!r}")
    return Path(settings.DATA_DIR) / "media" / folder


def write_file(checked: Checked, folder: str) -> Stored:
    """Keep a checked file under a new random name (0600 in a 0700 folder)."""
    where = conf.private_dir(_folder(folder))
    token = secrets.token_hex(16)
    fd = os.open(where / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, conf.PRIVATE_FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(checked.data)
    return Stored(token=token, filename=checked.filename, content_type=checked.content_type, size=len(checked.data),
                  sha256=checked.sha256)


def store_file(upload, folder: str) -> Stored:
    """Check an upload and keep it; ValidationError({"file": …}) when refused."""
    return write_file(check_upload(upload), folder)


def delete_file(token: str, folder: str) -> None:
    if not _TOKEN.match(token or ""):
        return
    with contextlib.suppress(OSError, ValueError):
        (_folder(folder) / token).unlink(missing_ok=True)


def open_file(token: str, folder: str):
    """The stored file opened for reading, or a Chinese 404 when it is gone."""
    if not _TOKEN.match(token or ""):
        raise Http404(GONE)
    try:
        return (_folder(folder) / token).open("rb")
    except (OSError, ValueError):
        raise Http404(GONE) from None


def activity_folder(activity_id: int) -> str:
    return f"activities/{int(activity_id)}"


# --- services --------------------------------------------------------------------------------


@audited("attachment.add", object_type="activities.Attachment")
def attachment_add(*, actor: Actor, activity: Activity, upload, caption: str = "") -> Attachment:
    actor.require("activities.manage")
    actor.require_covers(activity.org)
    caption = (caption or "").strip()
    if len(caption) > 200:
        raise ValidationError({"caption": "说明最多200个字。"})
    if "\x00" in caption:
        raise ValidationError({"caption": "说明含有不允许的字符。"})
    activity = Activity.objects.select_for_update().select_related("org").get(pk=activity.pk)
    if activity.status == Status.CANCELLED:
        raise _error("活动已取消，不能再上传附件。")
    if Attachment.objects.filter(activity=activity).count() >= MAX_PER_ACTIVITY:
        raise _error(f"每项活动最多{MAX_PER_ACTIVITY}个附件；请先删除不需要的附件。")
    checked = check_upload(upload)
    twin = Attachment.objects.filter(activity=activity, sha256=checked.sha256).first()
    if twin is not None:
        raise _error(f"这个文件已经上传过（“{twin.filename}”）。")
    stored = write_file(checked, activity_folder(activity.pk))
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                activity=activity, org_path=activity.org_path, token=stored.token, filename=stored.filename,
                content_type=stored.content_type, size=stored.size, sha256=stored.sha256, caption=caption,
                uploaded_by=user_of(actor))
    except IntegrityError:  # the same file from a parallel request
        delete_file(stored.token, activity_folder(activity.pk))
        raise _error("这个文件已经上传过。") from None
    except BaseException:
        delete_file(stored.token, activity_folder(activity.pk))
        raise
    audit_record(actor=actor, action="attachment.add", obj=attachment, org=activity.org,
                 changes={"filename": [None, attachment.filename], "size": [None, attachment.size]}, message=activity.title)
    return attachment


@audited("attachment.remove", object_type="activities.Attachment")
def attachment_remove(*, actor: Actor, attachment: Attachment) -> None:
    activity = attachment.activity
    actor.require("activities.manage")
    actor.require_covers(activity.org)
    audit_record(actor=actor, action="attachment.remove", obj=attachment, org=activity.org,
                 changes={"filename": [attachment.filename, None]}, message=activity.title)
    token, folder = attachment.token, activity_folder(activity.pk)
    attachment.delete()
    # The file goes only once the row is surely gone; a rollback keeps both.
    transaction.on_commit(lambda: delete_file(token, folder))
