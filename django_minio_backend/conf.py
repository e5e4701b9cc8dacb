"""Settings: the one place that reads ``MINIO_*`` options, their defaults and their rules.

Where a storage's options come from, in one sentence: *a storage reads, from weakest to
strongest, the top-level* ``MINIO_*`` *settings, the OPTIONS of one* ``STORAGES`` *alias, and
its own constructor arguments; that alias is the one named by* ``storage_name``, *else the
alias whose OPTIONS are exactly its constructor arguments (the storage Django builds for that
alias), else* ``"default"`` *when the default storage is a MinioBackend.*

- "Exactly" compares the whole keyword mapping, ``bucket_name`` and the overwrite flags
  included. An argument equal to its default counts as not given (Python cannot tell the
  two apart), so ``MinioBackend()`` has no arguments and reads ``"default"``. Two aliases
  with equal OPTIONS give a storage the same values, so which one it is taken for never matters.
- The alias is chosen once, at construction (``storage_alias``): a storage held across a
  change of ``STORAGES`` keeps it. The layers' values are read on first use
  (``read_options``), and again after a change of ``MINIO_*`` or ``STORAGES``.
- Only option names are read from an alias's OPTIONS: the ``bucket_name`` of ``"default"``
  is not given to a FileField's storage.

``MINIO_OVERRIDE_OPTIONS`` (a top-level dict, empty by default) wins over all three layers:
it points a whole project at another server without editing the code that configures its
storages, as the test plugin does (``django_minio_backend.testing``).

Every rule an option follows is one entry of ``RULES``, with its system-check id, message and
hint. ``MinioSettings.load`` raises ``ImproperlyConfigured`` for the first error it breaks, and
``checks`` reports every problem under the same id and message, so what ``load`` returns is
valid: an endpoint of the form ``host[:port]``, both keys or a credentials provider, numbers within
their bounds.

Secret options (``SECRET_OPTIONS``) are held as ``Secret``, masked in every ``repr()`` and
``str()``, from the moment they are read (``read_options``, or a storage's constructor, which
calls ``masked``) to the signing call, so no object and no frame local shows them to an error
report, a traceback with local variables, or a log.

Django's settings object is only read, never changed.
"""

from __future__ import annotations

import difflib
import functools
import hmac
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, NamedTuple

import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.views.decorators.debug import sensitive_variables
from minio.commonconfig import COMPLIANCE, GOVERNANCE
from minio.credentials.providers import Provider
from minio.retention import Retention
from minio.sse import Sse

from .names import as_location, bucket_name_problem, location_problem

MiB = 1024 * 1024
S3_MAX_PRESIGN_EXPIRY = timedelta(days=7)
S3_MIN_PART_SIZE = 5 * MiB

# The lowercase constructor keywords / OPTIONS that 4.x passed to minio's ``put_object``, with their
# defaults. Every object a storage writes is stored with them (``object_options``), except those
# that can have no effect here (W006). They are read from OPTIONS and constructor arguments only.
PUT_OPTIONS: dict[str, Any] = {
    "metadata": None,  # 4.5 (minio's put_object metadata): x-amz-meta-*, standard headers kept as they are
    "user_metadata": None,  # 4.4.x: every key is user metadata (x-amz-meta-*)
    "headers": None,  # 4.4.x: headers stored with the object (Content-Disposition, Cache-Control, ...)
    "extra_headers": None,  # 4.4.x: as headers
    "tags": None,
    "retention": None,
    "legal_hold": False,
    "progress": None,
    "write_offset": None,
    "extra_query_params": None,
    "checksum": None,
}

# 4.x names of options this package names MINIO_*: a layer that sets either sets the option.
ALIASES: dict[str, str] = {
    "http_client": "MINIO_HTTP_CLIENT",
    "num_parallel_uploads": "MINIO_MULTIPART_PARALLEL",
    "region": "MINIO_REGION",
    "location": "MINIO_LOCATION",  # the constructor's name, as django-storages calls it
    "sse": "MINIO_SERVER_SIDE_ENCRYPTION",
}

# Every accepted option and its default. Names from 2.x, 3.x and 4.x are all here.
DEFAULTS: dict[str, Any] = {
    "MINIO_ENDPOINT": "",
    "MINIO_ACCESS_KEY": "",
    "MINIO_SECRET_KEY": "",
    "MINIO_USE_HTTPS": True,
    "MINIO_REGION": "us-east-1",
    "MINIO_EXTERNAL_ENDPOINT": "",
    "MINIO_EXTERNAL_ENDPOINT_USE_HTTPS": None,  # None: same as MINIO_USE_HTTPS
    "MINIO_URL_EXPIRY_HOURS": S3_MAX_PRESIGN_EXPIRY,
    "MINIO_CONSISTENCY_CHECK_ON_START": False,
    "MINIO_PRIVATE_BUCKETS": (),
    "MINIO_PUBLIC_BUCKETS": (),
    "MINIO_LISTABLE_BUCKETS": (),  # public buckets whose object list anyone may read too
    "MINIO_POLICY_HOOKS": (),
    "MINIO_DEFAULT_BUCKET": "",
    "MINIO_MEDIA_FILES_BUCKET": "auto-generated-bucket-media-files",  # 3.x name
    "MINIO_STATIC_FILES_BUCKET": "auto-generated-bucket-static-files",
    "MINIO_BUCKET_CHECK_ON_SAVE": False,
    "MINIO_HTTP_CLIENT": None,
    "MINIO_CA_CERTS": None,
    "MINIO_CONNECT_TIMEOUT": 5.0,
    "MINIO_READ_TIMEOUT": 30.0,
    "MINIO_MAX_RETRIES": 3,
    "MINIO_MULTIPART_UPLOAD": True,  # 4.x switch; uploads above the threshold are always multipart
    "MINIO_MULTIPART_THRESHOLD": 8 * MiB,
    "MINIO_MULTIPART_PART_SIZE": 8 * MiB,
    "MINIO_MULTIPART_PARALLEL": 3,
    "MINIO_URL_CACHING_ENABLED": False,
    "MINIO_URL_CACHE_TIMEOUT": 3600,
    "MINIO_URL_CACHE_PREFIX": "",  # 4.x cache-key prefix; stable URLs need no cache
    "MINIO_STATIC_CACHE_CONTROL": "public, max-age=300",
    "MINIO_STATIC_HASHED_CACHE_CONTROL": "public, max-age=31536000, immutable",
    "MINIO_STATIC_PARALLEL_UPLOADS": 8,
    "MINIO_CONDITIONAL_WRITES": None,  # None: ask the server once; True/False: as declared, never asked
    **PUT_OPTIONS,
    "MINIO_LOCATION": "",  # key prefix of every object of the storage ("media/"); names never hold it
    "MINIO_PUBLIC_URL": "",  # base URL public objects are served at (a custom domain or CDN); "": the endpoint
    "MINIO_URL_ADDRESSING_STYLE": "path",  # "path": host/bucket/key; "virtual": bucket.host/key
    "MINIO_OBJECT_PARAMETERS": {},  # stored with every object (OBJECT_PARAMETERS); per file: get_object_parameters()
    "MINIO_SERVER_SIDE_ENCRYPTION": None,  # a minio.sse.Sse; 4.x's name: sse
    "MINIO_CORS_ORIGINS": (),  # origins browsers upload from directly; initialize_buckets sets the CORS rules
    "MINIO_DIRECT_UPLOAD_PREFIX": "direct-uploads/",  # where browsers upload before a form adopts the object
    "MINIO_DIRECT_UPLOAD_EXPIRY": timedelta(hours=1),  # lifetime of upload URLs, policies and tokens
    "MINIO_DIRECT_UPLOAD_PERMISSION": None,  # callable(request, field_label) -> bool; None: signed-in users
    "MINIO_STATIC_KEEP_ONLY_HASHED_FILES": False,
    "MINIO_SESSION_TOKEN": "",  # with MINIO_ACCESS_KEY/MINIO_SECRET_KEY: temporary static credentials
    "MINIO_CREDENTIALS_PROVIDER": None,  # a minio.credentials Provider, or its import path, instead of keys
}

# Options held as ``Secret`` from the moment they are read.
SECRET_OPTIONS = frozenset({"MINIO_SECRET_KEY", "MINIO_SESSION_TOKEN"})

# A storage's keyword arguments besides its options and storage_name, with their defaults;
# STORAGES OPTIONS hold them too.
ARGUMENT_DEFAULTS: dict[str, Any] = {"bucket_name": "", "allow_overwrite": False, "replace_existing": False}

OVERRIDE_SETTING = "MINIO_OVERRIDE_OPTIONS"

# Names whose values are shown as they are; any other value is held as a ``Secret``.
_PLAIN_NAMES = (DEFAULTS.keys() | ALIASES.keys() | ARGUMENT_DEFAULTS.keys() | {"storage_name"}) - SECRET_OPTIONS

BUCKET_LISTS = ("MINIO_PRIVATE_BUCKETS", "MINIO_PUBLIC_BUCKETS", "MINIO_LISTABLE_BUCKETS")
LIST_OPTIONS = (*BUCKET_LISTS, "MINIO_POLICY_HOOKS")
WHOLE_NUMBER_MINIMUMS = {
    "MINIO_MAX_RETRIES": 0,
    "MINIO_MULTIPART_THRESHOLD": 1,
    "MINIO_MULTIPART_PART_SIZE": 1,
    "MINIO_MULTIPART_PARALLEL": 1,
    "MINIO_URL_CACHE_TIMEOUT": 1,
    "MINIO_STATIC_PARALLEL_UPLOADS": 1,
}
SECONDS_OPTIONS = ("MINIO_CONNECT_TIMEOUT", "MINIO_READ_TIMEOUT")
HEADER_OPTIONS = ("MINIO_STATIC_CACHE_CONTROL", "MINIO_STATIC_HASHED_CACHE_CONTROL")
BUCKET_NAME_HINT = "Rename the bucket: S3 bucket names are 3-63 characters of a-z, 0-9, '.' and '-'."

# host, or [IPv6 address], then an optional :port; no scheme, path, credentials or spaces.
_HOST_PORT = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[^\s/:?#@\[\]]+)(:[0-9]{1,5})?")


# Secrets


class Secret:
    """A secret (the secret key): ``repr()`` and ``str()`` show ``'********'``, so nothing that
    prints objects (error reports, tracebacks with locals, logs, debuggers) shows it. Only
    ``reveal()`` gives the value, for the signing call. Equal secrets are equal (compared in
    constant time) and hash alike, so equal settings share one connection. Immutable.

    Settings may hold one (``MINIO_SECRET_KEY = Secret(os.environ["MINIO_SECRET_KEY"])``);
    a plain string is wrapped when it is read.
    """

    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str):
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        return self._value

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def __repr__(self) -> str:
        return "Secret('********')"

    def __str__(self) -> str:
        return "********"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self

    def __reduce__(self) -> tuple[type[Secret], tuple[str]]:
        return Secret, (self._value,)


def masked(options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` with every value a ``Secret`` but those of the options and arguments known not
    to be secret (a misspelt secret's name is unknown, so its value is masked too); empty
    values carry no secret and stay as they are."""
    return {
        name: Secret(str(value)) if value and name not in _PLAIN_NAMES and not isinstance(value, Secret) else value
        for name, value in options.items()
    }


# The alias rule


def _storages() -> Mapping[str, Any]:
    return getattr(settings, "STORAGES", None) or {}


def _given(arguments: object) -> dict[str, Any]:
    """Keyword arguments without those equal to their default (Python cannot tell them from absent
    ones), secrets masked (as a storage's constructor masks them)."""
    if not isinstance(arguments, Mapping):
        return {}
    return masked(
        {
            name: value
            for name, value in arguments.items()
            if name not in ARGUMENT_DEFAULTS or value != ARGUMENT_DEFAULTS[name]
        }
    )


# Functions that hold the secret key in local variables hide them all from Django's error
# reports (the debug page, ADMINS e-mails), as do the functions they call.
@sensitive_variables()
def storage_alias(storage_name: str | None, arguments: Mapping[str, Any]) -> str | None:
    """The alias whose OPTIONS a storage constructed with ``arguments`` (every keyword argument
    but ``storage_name``) reads, by the rule above; None stands for ``"default"`` when the
    default storage is a MinioBackend. Never raises; ``STORAGES`` is read only when arguments are given."""
    if storage_name is not None:
        return storage_name
    given = _given(arguments)
    if not given:
        return None
    try:
        aliases = _storages()
    except ImproperlyConfigured:  # constructed before Django's settings: no alias to match
        return None
    return next(
        (
            alias
            for alias, entry in aliases.items()
            if _given(entry.get("OPTIONS")) == given and is_minio_backend(str(entry.get("BACKEND", "")))
        ),
        None,
    )


def is_minio_backend(path: str) -> bool:
    """Whether the import path ``path`` names a storage class of this package or a subclass of one."""
    try:
        backend = import_string(path)
    except ImportError:
        return False
    package = __name__.rpartition(".")[0] + "."
    return isinstance(backend, type) and any(cls.__module__.startswith(package) for cls in backend.__mro__)


def _is_option(name: object) -> bool:
    return name in DEFAULTS or name in ALIASES


def _canonical(layer: Mapping[str, Any]) -> dict[str, Any]:
    """One layer's options with each 4.x alias under its MINIO_ name. An alias set in the same
    layer as its MINIO_ name to another value keeps its own name, for E022 to report."""
    values = dict(layer)
    for alias, name in ALIASES.items():
        if alias in values and values.get(name, values[alias]) == values[alias]:
            values[name] = values.pop(alias)
    return values


@dataclass(frozen=True)
class OptionValues:
    """One storage's options read from every layer, not yet validated (``problems()`` says what
    is wrong). ``values`` hold every option, and any other name that was given, masked
    (``masked``): the secret key is a ``Secret``."""

    values: Mapping[str, Any] = field(repr=False)
    alias: str | None
    alias_missing: bool
    override: object = field(repr=False)  # MINIO_OVERRIDE_OPTIONS as set

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


@sensitive_variables()
def read_options(alias: str | None, options: Mapping[str, Any]) -> OptionValues:
    """The layers of the module docstring merged, for a storage of ``alias`` (as ``storage_alias``
    chose it) constructed with the options ``options``. Never raises: ``problems()`` judges."""
    storages = _storages()
    entry = storages.get("default" if alias is None else alias) or {}
    # Top-level settings are MINIO_* only: 4.x read its lowercase options from OPTIONS and arguments.
    values = {name: getattr(settings, name, default) for name, default in DEFAULTS.items() if name not in PUT_OPTIONS}
    values.update(PUT_OPTIONS)
    alias_options = entry.get("OPTIONS") or {}
    if isinstance(alias_options, Mapping) and (alias is not None or is_minio_backend(str(entry.get("BACKEND")))):
        values.update(_canonical({name: value for name, value in alias_options.items() if _is_option(name)}))
    values.update(_canonical(options))
    override = getattr(settings, OVERRIDE_SETTING, None) or {}
    if isinstance(override, Mapping):
        override = masked(override)
        values.update(_canonical(override))
    return OptionValues(masked(values), alias, alias is not None and alias not in storages, override)


# The rules


class Problem(NamedTuple):
    """A configuration problem; ``check_id`` is its system-check id (``E0xx`` an error, ``W0xx`` a warning)."""

    check_id: str
    message: str
    hint: str

    @property
    def is_error(self) -> bool:
        return self.check_id.startswith("E")

    def __str__(self) -> str:
        return f"{self.message} {self.hint} (django_minio_backend.{self.check_id})"


Finder = Callable[[OptionValues], Iterable[str]]


class Rule(NamedTuple):
    """One rule options follow: ``find`` yields a message for each way they break it."""

    check_id: str
    hint: str
    find: Finder


RULES: list[Rule] = []
"""Every rule, in the order they are applied: ``MinioSettings.load`` raises for the first error."""


def _rule(check_id: str, hint: str) -> Callable[[Finder], Finder]:
    def add(find: Finder) -> Finder:
        RULES.append(Rule(check_id, hint, find))
        return find

    return add


def _is_list(value: object) -> bool:
    return isinstance(value, (list, tuple, set, frozenset))


def _is_whole(value: object, minimum: int) -> bool:
    """An int, or a float with nothing after the point (``timedelta(hours=8).total_seconds()``);
    never a bool or a string."""
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return whole and not isinstance(value, bool) and value >= minimum  # type: ignore[operator]


def _is_expiry(value: object) -> bool:
    return isinstance(value, timedelta) and timedelta(seconds=1) <= value <= S3_MAX_PRESIGN_EXPIRY


def _pool_manager(value: object) -> urllib3.PoolManager | None:
    """``MINIO_HTTP_CLIENT`` as a pool manager, imported when it is a path; ``ValueError`` if it is neither."""
    if isinstance(value, str):
        try:
            value = import_string(value)
        except ImportError as exc:
            raise ValueError(f"MINIO_HTTP_CLIENT {value!r} cannot be imported ({exc}).") from None
    if value is not None and not isinstance(value, urllib3.PoolManager):
        raise ValueError(
            f"MINIO_HTTP_CLIENT must be a urllib3.PoolManager or its import path, got {type(value).__name__}."
        )
    return value


@_rule("E018", "Check the spelling against the list of settings in the README; no option is ignored.")
def _unknown_names(o: OptionValues) -> Iterable[str]:
    for name in sorted(str(name) for name in o.values if not _is_option(name)):
        guess = difflib.get_close_matches(name, DEFAULTS, n=1)
        yield f"Unknown MinioBackend option {name!r}" + (f" (did you mean {guess[0]}?)." if guess else ".")


@_rule("E019", "Name an alias of settings.STORAGES in storage_name (a storage keeps the alias it was built for).")
def _missing_alias(o: OptionValues) -> Iterable[str]:
    if o.alias_missing:
        yield f"{o.alias!r} is not an alias in settings.STORAGES."


@_rule("E020", "For example MINIO_OVERRIDE_OPTIONS = {'MINIO_ENDPOINT': 'minio.staging.example:9000'}.")
def _override_not_a_dict(o: OptionValues) -> Iterable[str]:
    if not isinstance(o.override, Mapping):
        yield f"{OVERRIDE_SETTING} must be a dict of options, got {type(o.override).__name__}."


@_rule("E001", "Set it to the server's host[:port].")
def _endpoint_missing(o: OptionValues) -> Iterable[str]:
    if not o["MINIO_ENDPOINT"]:
        yield "MINIO_ENDPOINT is not set."


@_rule("E003", "Drop the scheme (MINIO_USE_HTTPS or MINIO_EXTERNAL_ENDPOINT_USE_HTTPS says it) and any path.")
def _endpoint_format(o: OptionValues) -> Iterable[str]:
    for name in ("MINIO_ENDPOINT", "MINIO_EXTERNAL_ENDPOINT"):
        value = o[name]
        if value and not (isinstance(value, str) and _HOST_PORT.fullmatch(value)):
            yield f"{name} must be host[:port] without scheme or path, got {_without_userinfo(value)!r}." + (
                " A base URL with a path goes into MINIO_PUBLIC_URL." if name == "MINIO_EXTERNAL_ENDPOINT" else ""
            )


def _without_userinfo(value: object) -> object:
    """An endpoint as it may be shown: credentials written into it (``user:secret@host``) masked."""
    return (
        re.sub(r"^((?:[a-z][a-z0-9+.-]*://)?)[^/@]*@", r"\1********@", value, flags=re.I)
        if isinstance(value, str)
        else value
    )


@_rule(
    "E002",
    "Read them from the environment rather than writing them into settings files, "
    "or set MINIO_CREDENTIALS_PROVIDER instead.",
)
def _credentials(o: OptionValues) -> Iterable[str]:
    if o["MINIO_CREDENTIALS_PROVIDER"] is None and (not o["MINIO_ACCESS_KEY"] or not o["MINIO_SECRET_KEY"]):
        yield "MINIO_ACCESS_KEY and MINIO_SECRET_KEY must both be set."


@_rule("E004", "For example MINIO_URL_EXPIRY_HOURS = timedelta(hours=24).")
def _expiry(o: OptionValues) -> Iterable[str]:
    return _not_an_expiry(o, "MINIO_URL_EXPIRY_HOURS")


def _not_an_expiry(o: OptionValues, name: str) -> Iterable[str]:
    if not _is_expiry(o[name]):
        yield f"{name} must be a timedelta between 1 second and 7 days, got {o[name]!r}."


@_rule("E017", "Write a list even for one item: ['media'], not 'media'.")
def _not_lists(o: OptionValues) -> Iterable[str]:
    for name in LIST_OPTIONS:
        if not _is_list(o[name]):
            yield f"{name} must be a list, got {type(o[name]).__name__}."


@_rule("E005", BUCKET_NAME_HINT)
def _bucket_names(o: OptionValues) -> Iterable[str]:
    for name in BUCKET_LISTS:
        for bucket in o[name] if _is_list(o[name]) else ():
            if reason := bucket_name_problem(bucket):
                yield f"{name} has an invalid bucket name {bucket!r}: S3 requires {reason}."


@_rule("E012", "Write a whole number, such as 3: not 3.5, '3' or True.")
def _whole_numbers(o: OptionValues) -> Iterable[str]:
    for name, minimum in WHOLE_NUMBER_MINIMUMS.items():
        if not _is_whole(o[name], minimum):
            yield f"{name} must be a whole number of at least {minimum}, got {o[name]!r}."


@_rule("E011", "S3 refuses smaller parts (but the last); the default is 8 MiB.")
def _part_size(o: OptionValues) -> Iterable[str]:
    size = o["MINIO_MULTIPART_PART_SIZE"]
    if _is_whole(size, 1) and size < S3_MIN_PART_SIZE:
        yield f"MINIO_MULTIPART_PART_SIZE must be at least 5 MiB (the S3 minimum), got {size!r}."


def _value_errors(parse: Callable[[Any], object], value: object) -> Iterable[str]:
    """The message of the ``ValueError`` that ``parse(value)`` raises, if it does."""
    try:
        parse(value)
    except ValueError as exc:
        yield str(exc)


@_rule("E013", "Give seconds as a number above 0, such as 5 or 0.5.")
def _timeouts(o: OptionValues) -> Iterable[str]:
    for name in SECONDS_OPTIONS:
        value = o[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            yield f"{name} must be a positive number of seconds, got {value!r}."


@_rule("E014", "For example MINIO_HTTP_CLIENT = urllib3.ProxyManager('http://proxy.example:3128').")
def _http_client(o: OptionValues) -> Iterable[str]:
    return _value_errors(_pool_manager, o["MINIO_HTTP_CLIENT"])


@_rule("E015", "A stable URL is valid for at least the expiry minus this window, so make the window shorter.")
def _cache_window(o: OptionValues) -> Iterable[str]:
    window, expiry = o["MINIO_URL_CACHE_TIMEOUT"], o["MINIO_URL_EXPIRY_HOURS"]
    valid = _is_whole(window, 1) and _is_expiry(expiry)
    if o["MINIO_URL_CACHING_ENABLED"] and valid and window >= expiry.total_seconds():
        yield f"MINIO_URL_CACHE_TIMEOUT ({window} s) must be shorter than MINIO_URL_EXPIRY_HOURS ({expiry})."


@_rule("E016", "Write the header value on one line, or '' for none.")
def _header_values(o: OptionValues) -> Iterable[str]:
    for name in HEADER_OPTIONS:
        value = o[name]
        if value is not None and (not isinstance(value, str) or "\r" in value or "\n" in value):
            yield f"{name} must be a one-line string (or empty for none), got {value!r}."


@_rule("E028", "None asks the server once; True or False declares it, so no probe object is written.")
def _conditional_writes(o: OptionValues) -> Iterable[str]:
    value = o["MINIO_CONDITIONAL_WRITES"]
    if value is not None and not isinstance(value, bool):
        yield f"MINIO_CONDITIONAL_WRITES must be True, False or None, got {value!r}."


@_rule("W001", "URLs then use MINIO_USE_HTTPS's scheme; set the flag to say which scheme browsers must use.")
def _external_scheme(o: OptionValues) -> Iterable[str]:
    if o["MINIO_EXTERNAL_ENDPOINT"] and o["MINIO_EXTERNAL_ENDPOINT_USE_HTTPS"] is None:
        yield "MINIO_EXTERNAL_ENDPOINT is set without MINIO_EXTERNAL_ENDPOINT_USE_HTTPS."


@_rule("E022", "Set the option under one name only (the 4.x name or the MINIO_ one).")
def _alias_conflicts(o: OptionValues) -> Iterable[str]:
    for alias, name in ALIASES.items():
        if alias in o.values:
            yield f"{alias!r} and {name} are one option, set to different values in the same place."


HEADER_OPTIONS_4X = ("metadata", "user_metadata", "headers", "extra_headers")
# Headers every request computes for itself; an option cannot store them.
REQUEST_HEADERS = frozenset(
    {"authorization", "connection", "content-length", "content-md5", "date", "expect", "host", "if-match",
     "if-none-match", "transfer-encoding", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"}
)  # fmt: skip
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def header_values(value: object) -> list[object]:
    """An option's header value as a list (minio takes a list or tuple for a repeated header)."""
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _header_problem(name: object, value: object) -> str | None:
    if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
        return "is not a header name S3 can store"
    if name.lower() in REQUEST_HEADERS:
        return "is set by each request and cannot be configured"
    for item in header_values(value):
        text = str(item)
        if isinstance(item, bytes) or not text.isascii() or "\r" in text or "\n" in text:
            return f"must be US-ASCII text on one line, got {item!r}"
    return None


@_rule("E023", "For example 'metadata': {'Project': 'apollo'} (stored as x-amz-meta-project: apollo).")
def _header_options(o: OptionValues) -> Iterable[str]:
    for option in HEADER_OPTIONS_4X:
        value = o[option]
        if value is None:
            continue
        if not isinstance(value, Mapping):
            yield f"{option} must be a dict of header names to values, got {type(value).__name__}."
            continue
        for name, item in value.items():
            if reason := _header_problem(name, item):
                yield f"{option}[{name!r}] {reason}."


S3_MAX_TAGS = 10


@_rule("E024", "For example 'tags': {'project': 'apollo'}: at most 10, keys up to 128 and values up to 256 characters.")
def _tags(o: OptionValues) -> Iterable[str]:
    if o["tags"] is not None:
        yield from _tag_problems(o["tags"], "tags")


def _tag_problems(tags: object, label: str) -> Iterator[str]:
    if not isinstance(tags, Mapping):
        yield f"{label} must be a dict of tag names to values, got {type(tags).__name__}."
    elif len(tags) > S3_MAX_TAGS:
        yield f"{label} holds {len(tags)} tags; S3 stores at most {S3_MAX_TAGS} with an object."
    else:
        for key, value in tags.items():
            if not (isinstance(key, str) and 0 < len(key) <= 128 and isinstance(value, str) and len(value) <= 256):
                yield f"{label}[{key!r}] must be a name of 1-128 characters with a text value of up to 256."
            elif "&" in key + value:
                yield f"{label}[{key!r}] holds '&', which S3 tags cannot."


@_rule("E025", "Pass minio.sse.SseS3(), SseKMS(key_id, context) or SseCustomerKey(key); the last two need TLS.")
def _sse(o: OptionValues) -> Iterable[str]:
    sse = o["MINIO_SERVER_SIDE_ENCRYPTION"]
    if sse is None:
        return
    if not isinstance(sse, Sse):
        yield f"MINIO_SERVER_SIDE_ENCRYPTION (4.x: sse) must be a minio.sse.Sse, got {type(sse).__name__}."
    elif sse.tls_required() and not o["MINIO_USE_HTTPS"]:
        yield (
            f"MINIO_SERVER_SIDE_ENCRYPTION {type(sse).__name__} sends its key material with every request, so it "
            "needs MINIO_USE_HTTPS = True (S3 servers refuse it over plain HTTP)."
        )


@_rule("E026", "For example 'retention': Retention(GOVERNANCE, datetime(2030, 1, 1, tzinfo=timezone.utc)).")
def _object_lock(o: OptionValues) -> Iterable[str]:
    retention = o["retention"]
    if retention is not None and not (isinstance(retention, Retention) and retention.mode in (GOVERNANCE, COMPLIANCE)):
        yield f"retention must be a minio.retention.Retention in GOVERNANCE or COMPLIANCE mode, got {retention!r}."
    if not isinstance(o["legal_hold"], bool):
        yield f"legal_hold must be True or False, got {o['legal_hold']!r}."


@_rule(
    "E027", "Pass an object with set_meta(object_name, total_length) and update(length), as minio's put_object takes."
)
def _progress(o: OptionValues) -> Iterable[str]:
    progress = o["progress"]
    if progress is not None and not all(callable(getattr(progress, name, None)) for name in ("set_meta", "update")):
        yield f"progress must have set_meta() and update() methods, got {type(progress).__name__}."


@_rule("W006", "Remove the option; it is accepted so that 4.x settings keep working.")
def _no_effect(o: OptionValues) -> Iterable[str]:
    if o["write_offset"] is not None:
        yield "write_offset has no effect: every write stores a whole object (appending would change stored files)."
    if o["extra_query_params"]:
        yield "extra_query_params has no effect: S3 stores nothing an upload's query parameters say."
    if o["checksum"] is not None:
        yield "checksum has no effect: every request body is sent with its Content-MD5, which the server verifies."
    for option in ("metadata", "headers", "extra_headers"):
        if isinstance(o[option], Mapping) and any(str(name).lower() == "content-type" for name in o[option]):
            yield f"{option}['Content-Type'] has no effect: each object is stored with its own type (as in 4.x)."


@_rule("E040", "For example MINIO_LOCATION = 'media' (objects are stored as media/<name>); '' for none.")
def _location(o: OptionValues) -> Iterable[str]:
    if reason := location_problem(o["MINIO_LOCATION"]):
        yield f"MINIO_LOCATION {reason}, got {o['MINIO_LOCATION']!r}."


ADDRESSING_STYLES = ("path", "virtual")
# scheme://host[:port] then an optional path; no credentials, query, fragment or spaces.
_BASE_URL = re.compile(r"https?://(\[[0-9A-Fa-f:.]+\]|[^\s/:?#@\[\]]+)(:[0-9]{1,5})?(/[^\s?#]*)?")


def public_url_problem(value: object) -> str | None:
    """Why ``value`` cannot be ``MINIO_PUBLIC_URL``, or None."""
    if not isinstance(value, str):
        return f"must be a string, got {type(value).__name__}"
    if value and not _BASE_URL.fullmatch(value):
        return "must be an http:// or https:// URL with a host and an optional path, and no query or credentials"
    return None


@_rule("E042", "For example MINIO_PUBLIC_URL = 'https://cdn.example.com/static/': the URL of the location's root.")
def _public_url(o: OptionValues) -> Iterable[str]:
    if reason := public_url_problem(o["MINIO_PUBLIC_URL"]):
        yield f"MINIO_PUBLIC_URL {reason}, got {_without_userinfo(o['MINIO_PUBLIC_URL'])!r}."


@_rule("E043", "'path' (host/bucket/key, the default) or 'virtual' (bucket.host/key).")
def _addressing_style(o: OptionValues) -> Iterable[str]:
    style = o["MINIO_URL_ADDRESSING_STYLE"]
    if style not in ADDRESSING_STYLES:
        yield f"MINIO_URL_ADDRESSING_STYLE must be 'path' or 'virtual', got {style!r}."


_IP_HOST = re.compile(r"(\d+\.\d+\.\d+\.\d+|\[[0-9A-Fa-f:.]+\])(:\d+)?")


@_rule("E044", "Point MINIO_EXTERNAL_ENDPOINT (or MINIO_ENDPOINT) at a host name whose subdomains name buckets.")
def _virtual_host(o: OptionValues) -> Iterable[str]:
    endpoint = o["MINIO_EXTERNAL_ENDPOINT"] or o["MINIO_ENDPOINT"]
    if o["MINIO_URL_ADDRESSING_STYLE"] == "virtual" and isinstance(endpoint, str) and _IP_HOST.fullmatch(endpoint):
        yield f"MINIO_URL_ADDRESSING_STYLE 'virtual' puts the bucket in the host name, which {endpoint!r} cannot hold."


# What MINIO_OBJECT_PARAMETERS and get_object_parameters() may set, by lower-case name: the headers
# stored and served as they are, user metadata (x-amz-meta-*), tags and the storage class.
OBJECT_PARAMETERS: dict[str, str] = {
    name.lower(): name
    for name in ("Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires",
                 "Metadata", "Tags", "StorageClass")
}  # fmt: skip
_STORAGE_CLASS = re.compile(r"[A-Z][A-Z0-9_]*")


def object_parameter_problems(parameters: object, label: str = "MINIO_OBJECT_PARAMETERS") -> Iterator[str]:
    """A message, naming ``label``, for each way ``parameters`` are not object parameters
    (``OBJECT_PARAMETERS``; names in any case)."""
    if not isinstance(parameters, Mapping):
        yield f"{label} must be a dict of object parameters, got {type(parameters).__name__}."
        return
    for name, value in parameters.items():
        known = OBJECT_PARAMETERS.get(str(name).lower())
        where = f"{label}[{name!r}]"
        if str(name).lower() == "content-type":
            yield f"{where} is not an object parameter: each object is stored with the type of its name or content."
        elif known is None:
            guess = difflib.get_close_matches(str(name).lower(), OBJECT_PARAMETERS, n=1)
            hint = f" (did you mean {OBJECT_PARAMETERS[guess[0]]!r}?)" if guess else ""
            yield f"{label} has an unknown parameter {name!r}{hint}."
        elif known == "Metadata":
            yield from _metadata_problems(value, where)
        elif known == "Tags":
            yield from _tag_problems(value, where)
        elif known == "StorageClass":
            if not (isinstance(value, str) and _STORAGE_CLASS.fullmatch(value)):
                yield f"{where} must be an S3 storage class such as 'STANDARD_IA', got {value!r}."
        elif known == "Expires" and isinstance(value, datetime):
            if value.tzinfo is None:
                yield f"{where} must be an aware datetime (or an HTTP date string), got the naive {value!r}."
        elif not isinstance(value, str):
            yield f"{where} must be a header value string, got {type(value).__name__}."
        elif reason := _header_problem(known, value):
            yield f"{where} {reason}."


def _metadata_problems(metadata: object, where: str) -> Iterator[str]:
    if not isinstance(metadata, Mapping):
        yield f"{where} must be a dict of metadata names to values, got {type(metadata).__name__}."
        return
    for name, value in metadata.items():
        if not isinstance(value, str):
            yield f"{where}[{name!r}] must be a string, got {type(value).__name__}."
        elif reason := _header_problem(name, value):
            yield f"{where}[{name!r}] {reason}."


@_rule("E030", "Names: " + ", ".join(OBJECT_PARAMETERS.values()) + "; e.g. {'Cache-Control': 'max-age=86400'}.")
def _object_parameters(o: OptionValues) -> Iterable[str]:
    yield from object_parameter_problems(o["MINIO_OBJECT_PARAMETERS"])


_ORIGIN = re.compile(r"https?://[^\s/?#]+")


@_rule("E070", "Write each origin as scheme://host[:port], e.g. ['https://www.example.com'], or ['*'].")
def _cors_origins(o: OptionValues) -> Iterable[str]:
    origins = o["MINIO_CORS_ORIGINS"]
    if not _is_list(origins):
        yield f"MINIO_CORS_ORIGINS must be a list, got {type(origins).__name__}."
        return
    for origin in origins:
        if origin != "*" and not (isinstance(origin, str) and _ORIGIN.fullmatch(origin)):
            yield f"MINIO_CORS_ORIGINS has {origin!r}, which is not an origin (scheme://host[:port], no path)."


@_rule("E071", "For example MINIO_DIRECT_UPLOAD_PREFIX = 'direct-uploads/' (its objects are removed when abandoned).")
def _direct_upload_prefix(o: OptionValues) -> Iterable[str]:
    prefix = o["MINIO_DIRECT_UPLOAD_PREFIX"]
    if not (isinstance(prefix, str) and prefix.endswith("/") and prefix.strip("/") and not prefix.startswith("/")):
        yield f"MINIO_DIRECT_UPLOAD_PREFIX must be a key prefix such as 'direct-uploads/', got {prefix!r}."


@_rule("E072", "For example MINIO_DIRECT_UPLOAD_EXPIRY = timedelta(hours=1).")
def _direct_upload_expiry(o: OptionValues) -> Iterable[str]:
    return _not_an_expiry(o, "MINIO_DIRECT_UPLOAD_EXPIRY")


@_rule("E073", "Give a function (request, field_label) -> bool, or its import path.")
def _direct_upload_permission(o: OptionValues) -> Iterable[str]:
    return _value_errors(direct_upload_permission, o["MINIO_DIRECT_UPLOAD_PERMISSION"])


def direct_upload_permission(value: object) -> Callable[..., bool] | None:
    """``MINIO_DIRECT_UPLOAD_PERMISSION`` as a callable, imported when it is a path; ``ValueError`` if neither."""
    if isinstance(value, str):
        try:
            value = import_string(value)
        except ImportError as exc:
            raise ValueError(f"MINIO_DIRECT_UPLOAD_PERMISSION {value!r} cannot be imported ({exc}).") from None
    if value is not None and not callable(value):
        raise ValueError(f"MINIO_DIRECT_UPLOAD_PERMISSION must be callable, got {type(value).__name__}.")
    return value


@_rule("E050", "Write True to keep only the hashed copies of static files, False (the default) to keep both.")
def _keep_only_hashed(o: OptionValues) -> Iterable[str]:
    value = o["MINIO_STATIC_KEEP_ONLY_HASHED_FILES"]
    if not isinstance(value, bool):
        yield f"MINIO_STATIC_KEEP_ONLY_HASHED_FILES must be True or False, got {value!r}."


@sensitive_variables()
def problems(options: OptionValues) -> list[Problem]:
    """Every rule ``options`` break, errors and warnings, in the order of ``RULES``."""
    return [Problem(rule.check_id, message, rule.hint) for rule in RULES for message in rule.find(options)]


@_rule(
    "E060",
    "For example MINIO_CREDENTIALS_PROVIDER = 'minio.credentials.IamAwsProvider', "
    "or an instance such as AssumeRoleProvider(...).",
)
def _credentials_provider(o: OptionValues) -> Iterable[str]:
    return _value_errors(credentials_provider, o["MINIO_CREDENTIALS_PROVIDER"])


@_rule(
    "E061",
    "Keep one: the provider, or MINIO_ACCESS_KEY, MINIO_SECRET_KEY and MINIO_SESSION_TOKEN "
    "(set them to '' beside a provider where another layer sets them).",
)
def _credentials_twice(o: OptionValues) -> Iterable[str]:
    static = [name for name in ("MINIO_ACCESS_KEY", "MINIO_SECRET_KEY", "MINIO_SESSION_TOKEN") if o[name]]
    if o["MINIO_CREDENTIALS_PROVIDER"] is not None and static:
        yield f"MINIO_CREDENTIALS_PROVIDER is set, and so is {' and '.join(static)}: which credentials sign is unclear."


@functools.cache
def _imported_provider(path: str) -> Provider:
    """The provider an import path names, imported (and a class instantiated) once, so that every
    storage reading the path shares one provider and its credentials."""
    try:
        value = import_string(path)
    except ImportError as exc:
        raise ValueError(f"MINIO_CREDENTIALS_PROVIDER {path!r} cannot be imported ({exc}).") from None
    if isinstance(value, type) and issubclass(value, Provider):
        try:
            return value()
        except TypeError as exc:
            raise ValueError(
                f"MINIO_CREDENTIALS_PROVIDER {path!r} needs arguments ({exc}): name an instance."
            ) from None
    return _provider_instance(value)


def _provider_instance(value: object) -> Provider:
    if not isinstance(value, Provider):
        raise ValueError(
            "MINIO_CREDENTIALS_PROVIDER must be a minio.credentials Provider, a Provider class or its import path, "
            f"got {type(value).__name__}."
        )
    return value


def credentials_provider(value: object) -> Provider | None:
    """``MINIO_CREDENTIALS_PROVIDER`` as a provider; ``ValueError`` if it names none."""
    if value is None:
        return None
    return _imported_provider(value) if isinstance(value, str) else _provider_instance(value)


# Validated settings
#
# The records below are NamedTuples, not dataclasses: a frozen dataclass of twenty fields costs
# about 1.5 ms to define (its methods are generated and compiled at import), which a fresh
# process pays before its first read; a NamedTuple costs a tenth of that.


def record_repr(record: Any, hidden: Iterable[str]) -> str:
    """``repr()`` of the NamedTuple ``record`` without the fields ``hidden``."""
    shown = ", ".join(f"{name}={getattr(record, name)!r}" for name in record._fields if name not in hidden)
    return f"{type(record).__name__}({shown})"


class ConnectionSettings(NamedTuple):
    """What it takes to build a client; hashable so equal settings share one client."""

    endpoint: str
    access_key: str
    secret_key: Secret
    use_https: bool
    region: str
    connect_timeout: float
    read_timeout: float
    max_retries: int
    ca_certs: str | None = None
    http_client: urllib3.PoolManager | None = None
    conditional_writes: bool | None = None  # whether the server honours If-None-Match: *; None: ask it
    session_token: Secret | None = None
    credentials_provider: Provider | None = None  # instead of the keys

    def __repr__(self) -> str:
        return record_repr(self, {"access_key", "http_client", "credentials_provider"})


_NOTHING: Mapping[str, Any] = MappingProxyType({})


class PutOptions(NamedTuple):
    """The 4.x ``put_object`` options, validated; ``object_options`` turns them into the headers
    stored with every object. ``headers`` holds 4.4.x's ``headers`` and ``extra_headers``."""

    metadata: Mapping[str, Any] = _NOTHING
    user_metadata: Mapping[str, Any] = _NOTHING
    headers: Mapping[str, Any] = _NOTHING
    tags: Mapping[str, str] = _NOTHING
    sse: Sse | None = None  # an SseCustomerKey holds the key
    retention: Retention | None = None
    legal_hold: bool = False
    progress: Any = None

    def __repr__(self) -> str:
        return record_repr(self, {"sse", "progress"})


class MinioSettings(NamedTuple):
    """Typed, validated settings of one storage instance."""

    connection: ConnectionSettings
    external_endpoint: str
    external_use_https: bool
    url_expiry: timedelta
    private_buckets: tuple[str, ...]
    public_buckets: tuple[str, ...]
    listable_buckets: tuple[str, ...]
    policy_hooks: tuple[Any, ...]
    default_bucket: str
    static_bucket: str
    bucket_check_on_save: bool
    multipart_threshold: int
    multipart_part_size: int
    multipart_parallel: int
    url_caching: bool
    url_cache_timeout: int
    static_cache_control: str
    static_hashed_cache_control: str
    static_parallel_uploads: int
    put_options: PutOptions = PutOptions()
    location: str = ""  # "" or ending in "/"
    public_url: str = ""  # "" or ending in "/"
    addressing_style: str = "path"
    object_parameters: Mapping[str, Any] = _NOTHING  # valid by E030
    cors_origins: tuple[str, ...] = ()
    direct_upload_prefix: str = DEFAULTS["MINIO_DIRECT_UPLOAD_PREFIX"]
    direct_upload_expiry: timedelta = DEFAULTS["MINIO_DIRECT_UPLOAD_EXPIRY"]
    direct_upload_permission: Callable[..., bool] | None = None
    static_keep_only_hashed_files: bool = False

    @classmethod
    @sensitive_variables()
    def load(cls, alias: str | None = None, options: Mapping[str, Any] | None = None) -> MinioSettings:
        """``from_options(read_options(alias, options))``."""
        return cls.from_options(read_options(alias, masked(options or {})))

    @classmethod
    @sensitive_variables()
    def from_options(cls, options: OptionValues) -> MinioSettings:
        """Validate ``options`` by ``RULES``: ``ImproperlyConfigured`` naming the option, with the
        rule's hint and id, for the first error."""
        for problem in problems(options):
            if problem.is_error:
                raise ImproperlyConfigured(str(problem))
        o = options.values
        use_https = bool(o["MINIO_USE_HTTPS"])
        external_https = o["MINIO_EXTERNAL_ENDPOINT_USE_HTTPS"]
        return cls(
            connection=ConnectionSettings(
                endpoint=o["MINIO_ENDPOINT"],
                access_key=str(o["MINIO_ACCESS_KEY"]),
                secret_key=o["MINIO_SECRET_KEY"],  # a Secret: read_options masks it
                use_https=use_https,
                region=str(o["MINIO_REGION"] or DEFAULTS["MINIO_REGION"]),
                connect_timeout=float(o["MINIO_CONNECT_TIMEOUT"]),
                read_timeout=float(o["MINIO_READ_TIMEOUT"]),
                max_retries=int(o["MINIO_MAX_RETRIES"]),
                ca_certs=o["MINIO_CA_CERTS"],
                http_client=_pool_manager(o["MINIO_HTTP_CLIENT"]),
                conditional_writes=o["MINIO_CONDITIONAL_WRITES"],
                session_token=o["MINIO_SESSION_TOKEN"] or None,  # a Secret: read_options masks it
                credentials_provider=credentials_provider(o["MINIO_CREDENTIALS_PROVIDER"]),
            ),
            external_endpoint=o["MINIO_EXTERNAL_ENDPOINT"] or "",
            external_use_https=use_https if external_https is None else bool(external_https),
            url_expiry=o["MINIO_URL_EXPIRY_HOURS"],
            private_buckets=tuple(o["MINIO_PRIVATE_BUCKETS"]),
            public_buckets=tuple(o["MINIO_PUBLIC_BUCKETS"]),
            listable_buckets=tuple(o["MINIO_LISTABLE_BUCKETS"]),
            policy_hooks=tuple(o["MINIO_POLICY_HOOKS"]),
            default_bucket=str(o["MINIO_DEFAULT_BUCKET"] or o["MINIO_MEDIA_FILES_BUCKET"]),
            static_bucket=str(o["MINIO_STATIC_FILES_BUCKET"]),
            bucket_check_on_save=bool(o["MINIO_BUCKET_CHECK_ON_SAVE"]),
            multipart_threshold=int(o["MINIO_MULTIPART_THRESHOLD"]),
            multipart_part_size=int(o["MINIO_MULTIPART_PART_SIZE"]),
            multipart_parallel=int(o["MINIO_MULTIPART_PARALLEL"]),
            url_caching=bool(o["MINIO_URL_CACHING_ENABLED"]),
            url_cache_timeout=int(o["MINIO_URL_CACHE_TIMEOUT"]),
            static_cache_control=(o["MINIO_STATIC_CACHE_CONTROL"] or "").strip(),
            static_hashed_cache_control=(o["MINIO_STATIC_HASHED_CACHE_CONTROL"] or "").strip(),
            static_parallel_uploads=int(o["MINIO_STATIC_PARALLEL_UPLOADS"]),
            put_options=PutOptions(
                metadata=dict(o["metadata"] or {}),
                user_metadata=dict(o["user_metadata"] or {}),
                headers={**(o["headers"] or {}), **(o["extra_headers"] or {})},
                tags=dict(o["tags"] or {}),
                sse=o["MINIO_SERVER_SIDE_ENCRYPTION"],
                retention=o["retention"],
                legal_hold=o["legal_hold"],
                progress=o["progress"],
            ),
            location=as_location(o["MINIO_LOCATION"]),
            public_url=o["MINIO_PUBLIC_URL"].rstrip("/") + "/" if o["MINIO_PUBLIC_URL"] else "",
            addressing_style=o["MINIO_URL_ADDRESSING_STYLE"],
            object_parameters=dict(o["MINIO_OBJECT_PARAMETERS"] or {}),
            cors_origins=tuple(o["MINIO_CORS_ORIGINS"]),
            direct_upload_prefix=o["MINIO_DIRECT_UPLOAD_PREFIX"],
            direct_upload_expiry=o["MINIO_DIRECT_UPLOAD_EXPIRY"],
            direct_upload_permission=direct_upload_permission(o["MINIO_DIRECT_UPLOAD_PERMISSION"]),
            static_keep_only_hashed_files=o["MINIO_STATIC_KEEP_ONLY_HASHED_FILES"],
        )
