"""The storages of the model fields, as callables.

Django calls a callable ``storage`` when it builds the field and records the callable's
import path in migrations, so bucket names and endpoints stay in settings.STORAGES
and one set of migrations works against every server.
"""

from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    """The private bucket (``STORAGES["default"]``): URLs are presigned."""
    return storages["default"]


def public_storage() -> Storage:
    """The public bucket (``STORAGES["public"]``): plain URLs anyone may open."""
    return storages["public"]
