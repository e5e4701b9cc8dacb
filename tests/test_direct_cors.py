"""initialize_buckets and MINIO_CORS_ORIGINS: the bucket answers browsers' preflights for the
site's origins only, and a second run changes nothing."""

from __future__ import annotations

import urllib3

from django_minio_backend import buckets
from django_minio_backend.conf import MinioSettings

from .s3 import Endpoint

HTTP = urllib3.PoolManager()
SITE = "https://www.example.com"


def _uses(s3_endpoint: Endpoint, bucket: str, origins: list[str]) -> list[buckets.BucketUse]:
    settings = MinioSettings.load(options={**s3_endpoint.settings(), "MINIO_CORS_ORIGINS": origins})
    return [buckets.BucketUse(settings, bucket, public=False)]


def _preflight(s3_endpoint: Endpoint, bucket: str, origin: str) -> urllib3.BaseHTTPResponse:
    headers = {"Origin": origin, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-a"}
    return HTTP.request("OPTIONS", f"{s3_endpoint.base_url}/{bucket}/any/key", headers=headers)


def test_cors_rules_allow_the_site_origins_only_and_expose_etags(s3_endpoint: Endpoint, bucket: str):
    outcome = buckets.initialize(_uses(s3_endpoint, bucket, [SITE]))
    assert outcome.failures == []
    assert any(f"CORS rules set for {SITE}" in change for report in outcome.reports for change in report.changes)
    allowed = _preflight(s3_endpoint, bucket, SITE)
    assert allowed.headers.get("Access-Control-Allow-Origin") == SITE
    assert "ETag" in allowed.headers.get("Access-Control-Expose-Headers", "")
    assert "PUT" in allowed.headers.get("Access-Control-Allow-Methods", "")
    refused = _preflight(s3_endpoint, bucket, "https://evil.example")
    assert refused.headers.get("Access-Control-Allow-Origin") is None


def test_a_second_run_changes_nothing_and_a_dry_run_says_what_it_would_do(s3_endpoint: Endpoint, bucket: str):
    buckets.initialize(_uses(s3_endpoint, bucket, [SITE]))
    assert buckets.initialize(_uses(s3_endpoint, bucket, [SITE])).changes == 0
    dry = buckets.initialize(_uses(s3_endpoint, bucket, [SITE, "http://localhost:8000"]), dry_run=True)
    assert [change for report in dry.reports for change in report.changes] == [
        f"would set its CORS rules for {SITE}, http://localhost:8000 [needs s3:PutBucketCORS]"
    ]
    assert _preflight(s3_endpoint, bucket, "http://localhost:8000").headers.get("Access-Control-Allow-Origin") is None


def test_without_origins_cors_rules_are_left_alone(s3_endpoint: Endpoint, bucket: str):
    buckets.initialize(_uses(s3_endpoint, bucket, [SITE]))
    assert buckets.initialize(_uses(s3_endpoint, bucket, [])).changes == 0
    assert _preflight(s3_endpoint, bucket, SITE).headers.get("Access-Control-Allow-Origin") == SITE
