"""The size cap on uploaded files, applied while the request body streams in.

Django would otherwise spool any upload to memory or a temporary file before a view could
look at its size. This handler runs first: a file over `GONGHUI_MAX_UPLOAD_MB` is skipped
as it arrives (nothing of it is kept), and the request carries the Chinese reason for the
view to show (`upload_refusal`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


def max_upload_bytes() -> int:
    return settings.GONGHUI_MAX_UPLOAD_MB * 1024 * 1024


def too_large_message() -> str:
    return f"文件超过{settings.GONGHUI_MAX_UPLOAD_MB}MB，未上传。请删除多余的行、列、图片和格式，或拆分成几个文件分别导入。"


def upload_refusal(request) -> str:
    """The Chinese reason an upload of this request was refused ('' when none was)."""
    return getattr(request, "_gonghui_upload_refusal", "")


class SizeLimitUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # A body larger than the cap plus room for the form fields cannot hold an
        # acceptable file: refuse each file before a byte of it is stored.
        self.refuse_all = content_length is not None and content_length > max_upload_bytes() + 64 * 1024
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        if self.refuse_all:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_upload_bytes():
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None

    def _refuse(self):
        if self.request is not None:
            self.request._gonghui_upload_refusal = too_large_message()
        raise SkipFile()
