"""Direct browser uploads: bytes go from the browser straight to the bucket, never through Django.

- ``tickets``: the signed tokens a form hands the browser (which field, what limits) and the
  server hands back for each upload (which name, for whom, until when).
- ``views`` with ``upload_urls``: the small JSON views the browser asks to start, sign, complete
  or abort an upload (CSRF-protected, behind ``MINIO_DIRECT_UPLOAD_PERMISSION``).
- ``forms``: ``DirectUploadField`` and its widget for a model ``FileField``, which verify an
  upload before its object is named; ``DirectUploadAdminMixin`` for the admin.

Include ``django_minio_backend.direct_uploads.upload_urls`` in the project's URLconf.
"""

from .forms import DirectUploadAdminMixin, DirectUploadField, DirectUploadWidget

__all__ = ["DirectUploadAdminMixin", "DirectUploadField", "DirectUploadWidget"]
