"""The admin: upload, list and delete; deleting a row deletes its object too (see apps.py)."""

from django.contrib import admin
from django.utils.html import format_html

from django_minio_backend.direct_uploads import DirectUploadAdminMixin

from .models import Image, LargeFile, PrivateAttachment, PublicAttachment, Upload
from .views import LARGE_FILE_LIMIT


@admin.register(PrivateAttachment, PublicAttachment)
class UploadAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display: tuple[str, ...] = ("file", "uploaded_at", "link")
    date_hierarchy = "uploaded_at"

    @admin.display(description="URL")
    def link(self, obj: Upload) -> str:
        return format_html('<a href="{}">open</a>', obj.file.url)


@admin.register(Image)
class ImageAdmin(UploadAdmin):
    list_display = ("file", "width", "height", "uploaded_at", "link")
    readonly_fields = ("width", "height")


@admin.register(LargeFile)
class LargeFileAdmin(DirectUploadAdminMixin, UploadAdmin):
    """Large files go from the browser straight to the bucket, in the admin too."""

    direct_upload_fields = {"file": {"max_size": LARGE_FILE_LIMIT}}
