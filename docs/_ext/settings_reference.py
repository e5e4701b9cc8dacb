"""The ``settings-reference`` directive: a table of every ``MINIO_*`` option with its default,
read from ``django_minio_backend.conf.DEFAULTS``, and its meaning from ``MEANINGS`` below.

The build fails (a warning, and the docs build treats warnings as errors) when an option has
no meaning written here or a meaning names an option the package does not have, so the page
cannot drift from the code.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx
from sphinx.util import logging

from django_minio_backend.conf import DEFAULTS, MiB

logger = logging.getLogger(__name__)

MEANINGS: dict[str, str] = {
    "MINIO_ENDPOINT": "Required. `host[:port]` of the S3 API, without scheme or path.",
    "MINIO_ACCESS_KEY": "The access key; required without `MINIO_CREDENTIALS_PROVIDER`.",
    "MINIO_SECRET_KEY": "The secret key, required without a provider; never shown in errors, logs or reports.",
    "MINIO_USE_HTTPS": "Talk to the endpoint over TLS; certificates are verified.",
    "MINIO_REGION": "Region used for signing and for new buckets; never asked of the server.",
    "MINIO_EXTERNAL_ENDPOINT": "Host that browsers use (behind a proxy, say); URLs point there and are signed for it.",
    "MINIO_EXTERNAL_ENDPOINT_USE_HTTPS": "Scheme of URLs on the external endpoint; unset means as `MINIO_USE_HTTPS`.",
    "MINIO_URL_EXPIRY_HOURS": "Lifetime of presigned URLs: a `timedelta` of 1 second to 7 days.",
    "MINIO_CONSISTENCY_CHECK_ON_START": "Run `initialize_buckets` as Django starts (with `DjangoMinioBackendConfig`).",
    "MINIO_PRIVATE_BUCKETS": "Buckets whose URLs are presigned.",
    "MINIO_PUBLIC_BUCKETS": "Buckets anyone may read; their URLs are plain.",
    "MINIO_LISTABLE_BUCKETS": "Public buckets whose object list anyone may read too.",
    "MINIO_POLICY_HOOKS": "`[(bucket, policy_dict), ...]`: statements added to that bucket's policy.",
    "MINIO_DEFAULT_BUCKET": "Bucket of a `MinioBackend()` without `bucket_name`.",
    "MINIO_MEDIA_FILES_BUCKET": "The 3.x name of the default bucket, used when `MINIO_DEFAULT_BUCKET` is empty.",
    "MINIO_STATIC_FILES_BUCKET": "Bucket of `MinioBackendStatic`.",
    "MINIO_BUCKET_CHECK_ON_SAVE": "If a write finds its bucket missing, create it and send the file again.",
    "MINIO_HTTP_CLIENT": "Your own `urllib3.PoolManager`, or its import path, used as it is.",
    "MINIO_CA_CERTS": "Path of a CA bundle to verify the server with; unset means the system's.",
    "MINIO_CONNECT_TIMEOUT": "Seconds to wait for a connection.",
    "MINIO_READ_TIMEOUT": "Seconds to wait for data on a connection; read timeouts are not retried.",
    "MINIO_MAX_RETRIES": "Retries, with backoff, of failed connections and 5xx answers; a POST is never resent.",
    "MINIO_MULTIPART_UPLOAD": "Accepted for 4.x settings: content above the threshold is always sent in parts.",
    "MINIO_MULTIPART_THRESHOLD": "Content larger than this is uploaded in parts.",
    "MINIO_MULTIPART_PART_SIZE": "Size of a part: at least 5 MiB, grown for very large files of known size.",
    "MINIO_MULTIPART_PARALLEL": "Parts in flight at once; memory use is about this many parts.",
    "MINIO_URL_CACHING_ENABLED": "Stable presigned URLs: one URL per object within a window, so browsers cache it.",
    "MINIO_URL_CACHE_TIMEOUT": "That window in seconds, shorter than the expiry.",
    "MINIO_URL_CACHE_PREFIX": "Accepted for 4.x settings and ignored: stable URLs need no cache.",
    "MINIO_STATIC_CACHE_CONTROL": '`Cache-Control` stored with static files (`""` for none).',
    "MINIO_STATIC_HASHED_CACHE_CONTROL": "`Cache-Control` of the hashed files of `MinioManifestStaticStorage`.",
    "MINIO_STATIC_PARALLEL_UPLOADS": "Files `collectstatic` uploads at once.",
    "MINIO_CONDITIONAL_WRITES": "Does the server honour `If-None-Match: *`? `None` asks once, `True`/`False` say.",
    "metadata": "4.5: user metadata (`x-amz-meta-*`) stored with every object; standard headers kept as they are.",
    "user_metadata": "4.4.x: every key stored as user metadata (`x-amz-meta-*`).",
    "headers": "4.4.x: headers stored with every object (`Content-Disposition`, `x-amz-storage-class`, ...).",
    "extra_headers": "4.4.x: as `headers`.",
    "tags": "Object tags stored with every object: at most 10.",
    "retention": "Object-lock retention of every object (the bucket needs object lock).",
    "legal_hold": "Object-lock legal hold of every object.",
    "progress": "Told `set_meta()`, then `update()` per block of every upload, as minio's `put_object` tells it.",
    "write_offset": "Accepted for 4.5 settings, with warning W006: every write stores a whole object.",
    "extra_query_params": "Accepted with warning W006: S3 stores nothing an upload's query says.",
    "checksum": "Accepted with warning W006: every body is sent with its `Content-MD5`, which the server verifies.",
    "MINIO_LOCATION": "Key prefix of a storage's objects (or `location=`), e.g. `'media'`; never in names (E040).",
    "MINIO_PUBLIC_URL": "Base URL of public objects (a custom domain or CDN), the location's root: URL + name (E042).",
    "MINIO_URL_ADDRESSING_STYLE": "`'path'` (host/bucket/key) or `'virtual'` (bucket.host/key) (E043, E044).",
    "MINIO_OBJECT_PARAMETERS": "Stored with every object: `Cache-Control`, `Content-Disposition`, `Content-Encoding`, "
    "`Content-Language`, `Expires`, `Metadata`, `Tags`, `StorageClass` (E030). Per file: `get_object_parameters()`.",
    "MINIO_SERVER_SIDE_ENCRYPTION": "`SseS3()`, `SseKMS(key, context)` or `SseCustomerKey(key)` from `minio.sse`; "
    "4.x's name `sse`. KMS and SSE-C need TLS (E025); SSE-C objects have no `url()`.",
    "MINIO_CORS_ORIGINS": "Origins browsers upload from directly; `initialize_buckets` sets CORS rules for them.",
    "MINIO_DIRECT_UPLOAD_PREFIX": "Where direct uploads wait for their form; see *Direct uploads* for their cleanup.",
    "MINIO_DIRECT_UPLOAD_EXPIRY": "Lifetime of direct-upload URLs, POST policies and upload tokens.",
    "MINIO_DIRECT_UPLOAD_PERMISSION": "`(request, field_label) -> bool` or its path: who may upload (None: signed in).",
    "MINIO_STATIC_KEEP_ONLY_HASHED_FILES": "The manifest storage stores only hashed copies and the manifest (E050).",
    "MINIO_SESSION_TOKEN": "The session token of temporary keys; masked as the secret key is.",
    "MINIO_CREDENTIALS_PROVIDER": "A minio credentials provider or its import path, instead of keys (see Credentials).",
}


def shown(value: Any) -> str:
    """A default as a reader writes it in settings."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int) and value >= MiB and value % MiB == 0:
        return f"{value // MiB} MiB"
    if isinstance(value, timedelta):
        return f"timedelta(days={value.days})" if not value.seconds else repr(value)
    if isinstance(value, tuple):
        return "[]" if not value else repr(list(value))
    return repr(value)


class SettingsReference(Directive):
    """Renders the table; see the module docstring."""

    def run(self) -> list[nodes.Node]:
        for name in sorted(DEFAULTS.keys() - MEANINGS.keys()):
            logger.warning("settings reference: %s has no meaning in docs/_ext/settings_reference.py", name)
        for name in sorted(MEANINGS.keys() - DEFAULTS.keys()):
            logger.warning("settings reference: %s is not an option of the package", name)
        table = nodes.table()
        group = nodes.tgroup(cols=3)
        table += group
        for width in (30, 20, 50):
            group += nodes.colspec(colwidth=width)
        group += nodes.thead("", self._row("Setting", "Default", "Meaning"))
        body = nodes.tbody()
        for name, default in DEFAULTS.items():
            body += self._row(name, shown(default), MEANINGS.get(name, ""), code=True)
        group += body
        return [table]

    def _row(self, name: str, default: str, meaning: str, *, code: bool = False) -> nodes.row:
        row = nodes.row()
        cells = [
            nodes.literal(text=name) if code else nodes.Text(name),
            nodes.literal(text=default) if code else nodes.Text(default),
        ]
        for content in cells:
            row += nodes.entry("", nodes.paragraph("", "", content))
        entry = nodes.entry()
        entry += nodes.paragraph("", "", *self._inline(meaning))
        row += entry
        return row

    @staticmethod
    def _inline(text: str) -> list[nodes.Node]:
        """``text`` with its backquoted parts as code."""
        parts = text.split("`")
        return [nodes.literal(text=part) if index % 2 else nodes.Text(part) for index, part in enumerate(parts) if part]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("settings-reference", SettingsReference)
    return {"parallel_read_safe": True}
