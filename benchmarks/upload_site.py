"""The Django worker of the upload benchmark: a WSGI server in its own process.

``POST /through/`` takes a multipart form upload (Django spools it to a temporary file) and
saves it with ``MinioBackend``, as a plain ``FileField`` form does. The direct-upload views sit
under ``/direct-uploads/``, and ``POST /direct/`` verifies and names an upload with
``DirectUploadField``. ``GET /stats/`` reports the process's CPU time and peak RSS, and resets the
peak; ``GET /csrf/`` hands out a CSRF token. Run with ``python -m benchmarks.upload_site PORT``.
"""

from __future__ import annotations

import json
import resource
import sys
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from benchmarks.common import Server, configure_django, peak_rss_mib, reset_peak


def allow_everyone(request: Any, label: str) -> bool:
    return True


def _settings(server: Server) -> dict[str, Any]:
    return {
        "DEBUG": False,
        "ALLOWED_HOSTS": ["127.0.0.1"],
        "ROOT_URLCONF": __name__,
        "INSTALLED_APPS": ["django.contrib.contenttypes", "django.contrib.auth", "django_minio_backend",
                           "benchmarks.upload_app"],
        "MIDDLEWARE": [],
        "MINIO_ENDPOINT": server.endpoint,
        "MINIO_ACCESS_KEY": server.access_key,
        "MINIO_SECRET_KEY": server.secret_key,
        "MINIO_USE_HTTPS": False,
        "MINIO_DEFAULT_BUCKET": server.bucket,
        "MINIO_PRIVATE_BUCKETS": [server.bucket],
        "MINIO_DIRECT_UPLOAD_PERMISSION": f"{__name__}.allow_everyone",
        "DATABASES": {},
    }  # fmt: skip


def _views() -> list[Any]:
    from django.http import HttpRequest, HttpResponse, JsonResponse
    from django.middleware.csrf import get_token
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt, csrf_protect, ensure_csrf_cookie

    from benchmarks.upload_app.models import BenchFile
    from django_minio_backend.direct_uploads import DirectUploadField

    field = BenchFile._meta.get_field("file")

    @csrf_exempt
    def through(request: HttpRequest) -> HttpResponse:
        upload = request.FILES["file"]
        name = field.storage.save(field.generate_filename(None, upload.name), upload)
        return JsonResponse({"name": name})

    @csrf_protect
    def direct(request: HttpRequest) -> HttpResponse:
        form_field = DirectUploadField(field, request=request)
        uploaded = form_field.clean(request.POST["file"])
        name = field.storage.save(field.generate_filename(None, uploaded.name), uploaded)
        return JsonResponse({"name": name})

    @ensure_csrf_cookie
    def ticket(request: HttpRequest) -> HttpResponse:
        get_token(request)
        return JsonResponse({"field": DirectUploadField(field).widget.ticket})

    def stats(request: HttpRequest) -> HttpResponse:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        values = {"cpu_s": usage.ru_utime + usage.ru_stime, "peak_mib": peak_rss_mib(), "rss_mib": reset_peak()}
        return JsonResponse(values)

    return [
        path("through/", through),
        path("direct/", direct),
        path("ticket/", ticket),
        path("stats/", stats),
        path("direct-uploads/", include("django_minio_backend.direct_uploads.upload_urls")),
    ]


urlpatterns: list[Any] = []


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    configure_django(**_settings(Server.from_environ()))
    urlpatterns.extend(_views())
    from django.core.wsgi import get_wsgi_application

    with make_server("127.0.0.1", int(sys.argv[1]), get_wsgi_application(), handler_class=_QuietHandler) as httpd:
        print(json.dumps({"ready": True}), flush=True)
        httpd.serve_forever()


if __name__ == "__main__":
    main()
