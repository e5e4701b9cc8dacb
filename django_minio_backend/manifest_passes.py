"""Django's repeated post-processing passes, run only when the first pass left a reference stale.

``HashedFilesMixin.post_process`` hashes and stores every file in a first pass, then repeats
passes over the files whose references it rewrites (CSS, JavaScript) until no hashed name
changes. The second pass reads, rewrites, hashes and saves every such file again, and it
changes nothing unless the first pass resolved a reference to a name that changed after it
(a stylesheet importing one that was rewritten later in the pass).

``SkipsUnneededPasses`` records every reference the first pass resolves, with the URL it
wrote. When the first pass has ended, each is resolved again; if every URL comes out the
same, a second pass would write exactly what the first wrote, so no further pass runs.
Otherwise Django's passes run as they always do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from django.contrib.staticfiles.storage import HashedFilesMixin

Converter = Callable[[Any], str]


class _Reference:
    """What Django's URL converters read of a match (``groupdict()``, ``start()``), kept
    without the file's content."""

    def __init__(self, match: re.Match[str]):
        self._groups = match.groupdict()
        self._start = match.start()

    def groupdict(self) -> dict[str, str]:
        return dict(self._groups)

    def start(self) -> int:
        return self._start


class SkipsUnneededPasses(HashedFilesMixin):
    """``HashedFilesMixin`` whose passes after the first run only when one would change something."""

    _resolved: list[tuple[Converter, _Reference, str]] | None = None
    """During ``post_process()``: each reference the first pass rewrote, its converter and its URL."""
    _first_pass_done = False

    def post_process(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        self._resolved, self._first_pass_done = [], False
        try:
            yield from super().post_process(*args, **kwargs)
        finally:
            self._resolved, self._first_pass_done = None, False

    def _post_process(self, *args: Any) -> Iterator[Any]:
        yield from super()._post_process(*args)  # type: ignore[misc]  # not in django-stubs
        self._first_pass_done = True

    def url_converter(self, name: str, hashed_files: dict[str, Any], *args: Any, **kwargs: Any) -> Converter:
        converter: Converter = super().url_converter(name, hashed_files, *args, **kwargs)
        resolved = self._resolved
        if resolved is None or self._first_pass_done:
            return converter

        def recording(match: re.Match[str]) -> str:
            url = converter(match)
            resolved.append((converter, _Reference(match), url))
            return url

        return recording

    def _unchanged(self, resolved: list[tuple[Converter, _Reference, str]]) -> bool:
        """Whether every recorded reference resolves to the URL written for it. A converter
        that reads more of its match than ``_Reference`` keeps counts as a change."""
        try:
            return all(converter(reference) == url for converter, reference, url in resolved)
        except AttributeError:
            return False

    @property
    def max_post_process_passes(self) -> int:  # type: ignore[override]  # a class attribute in Django
        """Django's number of passes; none after a first pass whose every reference still
        resolves to the URL it wrote (Django reads this as that pass ends)."""
        resolved = self._resolved
        if self._first_pass_done and resolved is not None and self._unchanged(resolved):
            return 0
        return int(HashedFilesMixin.max_post_process_passes)
