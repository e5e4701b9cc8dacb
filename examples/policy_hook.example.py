"""Policy hooks: extra bucket-policy statements that ``initialize_buckets`` applies.

Copy what you need into your settings. Each hook is ``(bucket_name, policy_dict)``;
its statements are added to that bucket's policy only (a public bucket keeps its
anonymous read). ``python manage.py check`` rejects a hook whose bucket is not
declared or whose resources lie in another bucket, and ``initialize_buckets``
names the hook if the server rejects its policy.
"""

from django_minio_backend.policies import read_only_prefix, write_only_prefix

MINIO_PRIVATE_BUCKETS = ["django-backend-dev-private", "reports", "inbox"]
MINIO_PUBLIC_BUCKETS = ["django-backend-dev-public"]

MINIO_POLICY_HOOKS = [
    # Anyone may read reports/published/..., the rest of "reports" stays private.
    ("reports", read_only_prefix("reports", "published/")),
    # A drop box: anyone may upload under inbox/incoming/, nobody anonymous may read or list.
    ("inbox", write_only_prefix("inbox", "incoming/")),
    # Any policy document works; this one lets anonymous clients list objects under logos/.
    (
        "django-backend-dev-public",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": ["*"]},
                    "Action": ["s3:ListBucket"],
                    "Resource": ["arn:aws:s3:::django-backend-dev-public"],
                    "Condition": {"StringLike": {"s3:prefix": ["logos/*"]}},
                }
            ],
        },
    ),
]
