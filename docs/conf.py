"""Sphinx configuration of the documentation site (``make docs``)."""

from __future__ import annotations

import sys
from pathlib import Path

import django

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE / "_ext")]

from django.conf import settings  # noqa: E402

settings.configure()  # the settings reference reads the package's defaults, not a project's
django.setup()

import django_minio_backend  # noqa: E402

project = "django-minio-backend"
author = "django-minio-backend contributors"
release = django_minio_backend.__version__
extensions = ["myst_parser", "settings_reference"]
myst_heading_anchors = 3
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = f"django-minio-backend {release}"
nitpicky = True  # every internal reference must resolve
