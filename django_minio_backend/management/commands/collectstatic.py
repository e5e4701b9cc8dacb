"""``collectstatic``, fast on MinIO: one listing per run, parallel uploads, bulk deletes.

With a ``MinioBackendStatic`` (or ``MinioManifestStaticStorage``) as the staticfiles
storage, the whole run is one ``storage.batch()``: what is stored, and since when,
comes from one paged listing instead of requests per file; changed files upload in
parallel; content that is already stored is not sent again; ``--clear`` deletes in
bulk. With ``MINIO_STATIC_KEEP_ONLY_HASHED_FILES`` the unhashed copies are not uploaded:
post-processing stores each file once, under its hashed name. With any other storage this
is Django's command, unchanged.

Django runs this command instead of its own when ``django_minio_backend`` is listed
above ``django.contrib.staticfiles`` in ``INSTALLED_APPS``.
"""

from __future__ import annotations

from django.contrib.staticfiles.management.commands import collectstatic
from django.core.files.storage import Storage

from django_minio_backend.staticfiles import MinioBackendStatic, MinioManifestStaticStorage


class Command(collectstatic.Command):
    help = collectstatic.Command.help + " On MinIO: one listing per run, parallel uploads."

    def collect(self) -> dict[str, list[str]]:
        if not isinstance(self.storage, MinioBackendStatic):
            return super().collect()
        with self.storage.batch() as batch:
            collected = super().collect()
        if batch.unchanged:  # Django's count below includes them: say why fewer uploads were sent
            self.log(
                f"{batch.unchanged} of the files copied below were already stored byte for byte in bucket "
                f"{self.storage.bucket!r}, so {batch.uploads} upload(s) were sent.",
                level=1,
            )
        return collected

    def copy_file(self, path: str, prefixed_path: str, source_storage: Storage) -> None:
        """Django's copy, or nothing when post-processing will store the file's only copy."""
        if self.post_process and not self.dry_run and self._keeps_only_hashed():
            return
        super().copy_file(path, prefixed_path, source_storage)

    def _keeps_only_hashed(self) -> bool:
        return isinstance(self.storage, MinioManifestStaticStorage) and self.storage.keep_only_hashed_files

    def clear_dir(self, path: str) -> None:
        """Delete everything stored under ``path``, in bulk (Django's version deletes one by one)."""
        if not isinstance(self.storage, MinioBackendStatic):
            super().clear_dir(path)
            return
        names = self.storage.stored_names(path)
        for name in names:
            self.log(f"{'Pretending to delete' if self.dry_run else 'Deleting'} '{name}'", level=1)
        if not self.dry_run:
            self.storage.delete_many(names)
