"""Exceptions raised by servicescore.

Every exception derives from :class:`ServiceScoreError`, and each subclass also
inherits the builtin it refines, so ``except ValueError`` keeps working::

    ServiceScoreError
    ├── TranscriptError(ServiceScoreError, ValueError)   invalid turn / transcript
    ├── FormatError(ServiceScoreError, ValueError)       unreadable input record
    ├── SuiteError(ServiceScoreError, ValueError)        bad scorer composition
    └── MissingResourceError(ServiceScoreError, LookupError)
                                                         packaged data not found

Context travels as keyword-only attributes, so programs can react to *where*
an error happened without parsing the message.
"""

from __future__ import annotations

__all__ = [
    "FormatError",
    "MissingResourceError",
    "ServiceScoreError",
    "SuiteError",
    "TranscriptError",
]


class ServiceScoreError(Exception):
    """Root of every error raised by servicescore."""


class TranscriptError(ServiceScoreError, ValueError):
    """A turn or transcript violates the data model.

    Attributes:
        turn: Index of the offending turn, or ``None`` for the transcript itself.
        field: Name of the offending field (``"role"``, ``"time"``, ...).
        value: The offending value.
    """

    def __init__(
        self,
        message: str,
        *,
        turn: int | None = None,
        field: str | None = None,
        value: object = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.turn = turn
        self.field = field
        self.value = value

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_transcript_error, (self.message, self.turn, self.field, self.value))


def _rebuild_transcript_error(
    message: str, turn: int | None, field: str | None, value: object
) -> TranscriptError:
    return TranscriptError(message, turn=turn, field=field, value=value)


class FormatError(ServiceScoreError, ValueError):
    """An input record could not be read.

    The message reads like ``calls.jsonl:7: turns[2].role: unknown role
    'wizard' (expected one of ...)``: the source, the line (or record) number,
    the field path and the reason.

    Attributes:
        path: Name of the file or stream, or ``None`` when unknown.
        line: 1-based line number (text formats) or record number, or ``None``.
        field: Dotted path of the offending field, or ``None``.
        reason: What is wrong, without the location.
        record: 0-based index of the record in the input, when known.
    """

    def __init__(
        self,
        reason: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
        record: int | None = None,
    ) -> None:
        self.reason = reason
        self.path = path
        self.line = line
        self.field = field
        self.record = record
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.reason}"
        return f"{where}: {self.reason}"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_format_error, (self.reason, self.path, self.line, self.field, self.record))


def _rebuild_format_error(
    reason: str, path: str | None, line: int | None, field: str | None, record: int | None
) -> FormatError:
    return FormatError(reason, path=path, line=line, field=field, record=record)


class SuiteError(ServiceScoreError, ValueError):
    """Scorers cannot be composed as asked (duplicate names, unknown scorer, ...)."""


class MissingResourceError(ServiceScoreError, LookupError):
    """A packaged resource (lexicon, sample data, sentiment lexicon) is missing."""
