"""The page that lists uploads with their URLs, the upload and delete actions, and /health."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import modelform_factory
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from django_minio_backend import MinioBackend, MinioBackendError
from django_minio_backend.direct_uploads import DirectUploadField

from .models import UPLOAD_MODELS, LargeFile, Upload

LARGE_FILE_LIMIT = 1024**3  # 1 GiB: direct uploads take up to 5 GiB


def _model(kind: str) -> type[Upload]:
    try:
        return UPLOAD_MODELS[kind]
    except KeyError:
        raise Http404(f"No upload kind {kind!r}") from None


def _storage(model: type[Upload]) -> MinioBackend:
    storage = model._meta.get_field("file").storage  # type: ignore[union-attr]
    assert isinstance(storage, MinioBackend)
    return storage


# What each section of the page shows, in a sentence a visitor reads above it.
EXPLANATIONS = {
    "private": (
        "A FileField on a private bucket. Its links are presigned: signed for the signed-in visitor, they "
        "expire, and the same address without its signature is refused."
    ),
    "public": (
        "A FileField on a public bucket. Its links are plain addresses that anyone can open and that never "
        "expire; the bucket's objects can be read but not listed."
    ),
    "image": (
        "An ImageField on the public bucket. Django reads the width and height from the image's first bytes "
        "with ranged reads, without downloading the whole file."
    ),
}


def index(request: HttpRequest) -> HttpResponse:
    """Every upload with its URL: presigned for the private bucket, plain for the public one."""
    sections = [
        {
            "kind": kind,
            "title": str(model._meta.verbose_name_plural).capitalize(),
            "explanation": EXPLANATIONS[kind],
            "bucket": _storage(model).bucket,
            "items": model._default_manager.all(),
            "form": modelform_factory(model, fields=["file"])(prefix=kind),
        }
        for kind, model in UPLOAD_MODELS.items()
    ]
    return render(request, "uploads/index.html", {"sections": sections})


@login_required
@require_POST
def upload(request: HttpRequest, kind: str) -> HttpResponse:
    form = modelform_factory(_model(kind), fields=["file"])(request.POST, request.FILES, prefix=kind)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors.get("file", ["Invalid upload."])))
        return redirect("index")
    try:
        saved = form.save()
    except MinioBackendError as exc:  # the server is down or refused: say so instead of a 500
        messages.error(request, f"Upload failed: {exc}")
    else:
        messages.success(request, f"Uploaded {saved.file.name}.")
    return redirect("index")


@login_required
@require_POST
def delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    item = get_object_or_404(_model(kind), pk=pk)
    name = item.file.name
    item.delete()  # uploads.apps removes the object from the bucket
    messages.success(request, f"Deleted {name}.")
    return redirect("index")


class LargeFileForm(forms.ModelForm):  # type: ignore[type-arg]
    """A form whose file the browser uploads straight to the bucket; Django gets only a token."""

    class Meta:
        model = LargeFile
        fields = ["file"]

    def __init__(self, *args: object, request: HttpRequest, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["file"] = DirectUploadField(
            LargeFile._meta.get_field("file"),  # type: ignore[arg-type]
            max_size=LARGE_FILE_LIMIT,
            request=request,
        )


@login_required
def direct(request: HttpRequest) -> HttpResponse:
    """Large files, uploaded from the browser to the bucket with progress, in parts above 8 MiB."""
    form = LargeFileForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST":
        if form.is_valid():
            saved = form.save()
            messages.success(request, f"Uploaded {saved.file.name} ({saved.file.size} bytes).")
            return redirect("direct")
        messages.error(request, " ".join(str(error) for error in form.errors.get("file", ["Invalid upload."])))
    items = LargeFile._default_manager.all()
    return render(request, "uploads/direct.html", {"form": form, "items": items, "limit": LARGE_FILE_LIMIT})


def health(request: HttpRequest) -> JsonResponse:
    """200 when the S3 server answers and accepts the credentials, 503 otherwise."""
    status = MinioBackend("").is_minio_available()
    return JsonResponse({"available": bool(status), "details": status.details}, status=200 if status else 503)
