"""Batch scoring: stream many transcripts through a suite, in order, losing none."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from typing import IO, TYPE_CHECKING, Any, Literal, TypeAlias

import attrs

from ._model import Transcript
from ._suite import Scorecard, Suite, default_suite
from ._table import Rejected, ScoreTable, scorecard_row
from .exceptions import FormatError, TranscriptError

if TYPE_CHECKING:
    from ._impact import Impact
    from ._score import Score

__all__ = ["DEFAULT_CHUNK_SIZE", "score_many", "score_stream"]

OnError: TypeAlias = Literal["raise", "skip", "collect"]
Progress: TypeAlias = "bool | Callable[[int], None]"
Format: TypeAlias = Literal["jsonl", "json", "csv", "twcs"]
#: What :func:`score_stream` and :func:`score_many` accept: transcripts,
#: canonical records and file paths, or one path.
Inputs: TypeAlias = (
    "Iterable[Transcript | Mapping[str, Any] | str | os.PathLike[str]] | str | os.PathLike[str]"
)

#: Inputs sent to a worker process at a time. Scoring one transcript of the IBM
#: Twitter dialogs takes about 5 ms on one core, so a chunk is about a second
#: of work: long enough that pickling (about 0.1 ms per transcript, there and
#: back) stays a few percent. A new worker spends 2 to 4 s importing nltk and
#: building the lexicon tries before its first score (measured on 2 cores), so
#: processes only pay off beyond about a thousand transcripts: a batch that
#: fits in the chunks the workers hold in flight is scored in the calling process.
DEFAULT_CHUNK_SIZE = 256
#: Chunks in flight per worker: one being scored, one queued, so workers never
#: wait for the reader while memory stays bounded by a few chunks.
_IN_FLIGHT_PER_WORKER = 2
#: The stderr progress line is redrawn at most this often (seconds).
_PROGRESS_INTERVAL = 0.25


@attrs.frozen
class _Failure:
    """An input that could not be scored, before it becomes a :class:`Rejected`."""

    id: str | None
    reason: str
    record: object
    error: BaseException


#: A scorer's result shipped back from a worker: the scores and the impact of
#: one transcript (the transcript itself stays in the parent process).
_Result: TypeAlias = "tuple[Mapping[str, Score], Impact | None] | dict[str, object] | _Failure"
#: One slot of a chunk: an input's position and either the transcript to score
#: or the reason it cannot be scored.
_Slot: TypeAlias = "tuple[int, Transcript | _Failure]"


def _describe(exc: BaseException) -> str:
    """``Type: message (note; note)``, the reason recorded for a failing scorer."""
    notes = "; ".join(getattr(exc, "__notes__", ()))
    return f"{type(exc).__name__}: {exc}" + (f" ({notes})" if notes else "")


def _portable(exc: BaseException) -> BaseException:
    """*exc* if it pickles, else a ``RuntimeError`` carrying its description."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # any pickling failure: send a stand-in
        return RuntimeError(_describe(exc))
    return exc


def _score_each(suite: Suite, transcripts: Iterable[Transcript]) -> Iterator[Scorecard | _Failure]:
    """Score each transcript, lazily; a scorer's exception becomes a :class:`_Failure`."""
    for transcript in transcripts:
        try:
            yield suite(transcript)
        except Exception as exc:  # every failure is reported, none lost
            yield _Failure(transcript.id, _describe(exc), transcript, exc)


#: The suite of a worker process, set once by :func:`_init_worker`. Only ever
#: written in worker processes; the calling process never reads or writes it.
_WORKER_SUITE: list[Suite] = []


def _init_worker(pickled_suite: bytes) -> None:
    """Unpickle the suite once per worker process."""
    _WORKER_SUITE[:] = [pickle.loads(pickled_suite)]


def _score_in_worker(transcripts: list[Transcript], as_rows: bool = False) -> list[_Result]:
    """Score a chunk in a worker; return scores and impacts only, to keep the traffic small.

    With *as_rows*, each scorecard travels as its table row (plain values),
    which the calling process unpickles far faster than score objects.
    """
    results: list[_Result] = []
    for result in _score_each(_WORKER_SUITE[0], transcripts):
        if isinstance(result, Scorecard):
            results.append(scorecard_row(result) if as_rows else (result.scores, result.impact))
        else:
            results.append(attrs.evolve(result, record=None, error=_portable(result.error)))
    return results


def _expand(inputs: Inputs, format: Format | None) -> Iterator[Transcript | Mapping[str, Any] | object]:
    """The inputs in stream order, each path replaced by its transcripts and reader errors."""
    items: Iterable[object] = [inputs] if isinstance(inputs, str | os.PathLike) else inputs
    for item in items:
        if isinstance(item, str | os.PathLike):
            yield from _read_path(item, format)
        else:
            yield item


def _read_path(path: str | os.PathLike[str], format: Format | None) -> Iterator[Transcript | FormatError]:
    """Transcripts and :class:`FormatError` s of one file, in file order."""
    from . import io

    errors: list[FormatError] = []
    for transcript in io.read(path, format, on_error="collect", errors=errors):
        # Errors collected before a transcript is yielded come before it in the file.
        yield from errors
        errors.clear()
        yield transcript
    yield from errors


def _record_id(record: Mapping[str, Any]) -> str | None:
    value = record.get("id")
    return value if isinstance(value, str) else None


def _slot(position: int, item: object) -> _Slot:
    """Turn one input into a transcript to score, or a failure found before scoring."""
    if isinstance(item, Transcript):
        return position, item
    if isinstance(item, FormatError):
        return position, _Failure(None, str(item), item, item)
    if isinstance(item, Mapping):
        try:
            return position, Transcript.from_dict(item)
        except TranscriptError as exc:
            reason = f"{exc.field}: {exc.message}" if exc.field else exc.message
            return position, _Failure(_record_id(item), reason, item, exc)
    error = TypeError(f"expected a Transcript, a record mapping or a path, got {type(item).__name__}")
    return position, _Failure(None, str(error), item, error)


def _chunks(items: Iterator[object], size: int) -> Iterator[list[_Slot]]:
    positions = itertools.count()
    while chunk := [_slot(next(positions), item) for item in itertools.islice(items, size)]:
        yield chunk


class _ProgressLine:
    """A one-line count of inputs done, redrawn on *stream* at most every *interval* seconds.

    Nothing is written for a run shorter than *interval*.
    """

    def __init__(self, stream: IO[str], interval: float = _PROGRESS_INTERVAL) -> None:
        self._stream = stream
        self._interval = interval
        self._start = self._last = time.monotonic()
        self._shown = False

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self._last >= self._interval:
            self._last = now
            self._draw(done, now)

    def close(self, done: int) -> None:
        if self._shown:
            self._draw(done, time.monotonic())
            self._stream.write("\n")
            self._stream.flush()

    def _draw(self, done: int, now: float) -> None:
        elapsed = now - self._start
        rate = f" ({done / elapsed:,.0f}/s)" if elapsed >= 1 else ""
        self._stream.write(f"\rservicescore: {done:,} inputs done{rate}")
        self._stream.flush()
        self._shown = True


def score_stream(
    transcripts: Iterable[Transcript | Mapping[str, Any] | str | os.PathLike[str]] | str | os.PathLike[str],
    suite: Suite | None = None,
    *,
    workers: int = 1,
    on_error: OnError = "raise",
    progress: bool | Callable[[int], None] = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    format: Literal["jsonl", "json", "csv", "twcs"] | None = None,
) -> Iterator[tuple[int, Scorecard | Rejected]]:
    """Score inputs one by one, yielding each input's position and its scorecard or rejection, in order.

    The streaming form of :func:`score_many`: it never holds more than a few
    chunks of inputs, so any number of transcripts can be scored and written
    out as they come. Every input yields exactly one pair.

    Args:
        transcripts: An iterable of :class:`~servicescore.Transcript` objects,
            canonical record mappings (converted with
            :meth:`Transcript.from_dict <servicescore.Transcript.from_dict>`)
            and file paths (read with :func:`servicescore.io.read`, their
            transcripts spliced in); or one path. It is consumed lazily.
        suite: The :class:`~servicescore.Suite`; :func:`~servicescore.default_suite`
            when ``None``.
        workers: Processes to score in. With more than one, the suite is
            pickled once per worker and inputs travel in chunks of
            *chunk_size*; results come back in input order, identical to
            ``workers=1``. A batch of at most ``2 * workers * chunk_size``
            inputs is scored in the calling process whatever *workers* says:
            a new process spends seconds loading its resources, more than it
            would save.
        on_error: What to do with an input that cannot be scored (a record
            that is not a valid transcript, a line a reader cannot parse, a
            scorer that raises): ``"raise"`` re-raises the first such error,
            with a note naming the input's position, after yielding the inputs
            before it; ``"skip"`` yields a :class:`~servicescore.Rejected`
            without the record (``record`` is ``None``); ``"collect"`` yields
            one that keeps the record (the mapping, the transcript, or the
            reader's :class:`~servicescore.FormatError`).
        progress: ``True`` draws a one-line count on ``sys.stderr`` (at most
            four times a second, only on runs longer than that); a callable
            is called with the number of inputs done after each chunk, the
            last call giving the total.
        chunk_size: Inputs per chunk.
        format: The format of the files given as paths (inferred when ``None``).

    Yields:
        ``(position, result)``: *position* is the input's 0-based index in the
        stream, counting transcripts, records, and each bad record a reader
        reports (a file's records count in file order, after the inputs
        before the file); *result* is a :class:`~servicescore.Scorecard` or a
        :class:`~servicescore.Rejected` with that position. The reason of a
        reader's error starts with ``file:line:``.

    Raises:
        ValueError: If *workers*, *on_error* or *chunk_size* is invalid.
        Exception: With ``on_error="raise"``, the first input's error.

    >>> from servicescore import Transcript, Turn
    >>> good = Transcript("t1", [Turn("customer", "My bill is wrong"), Turn("agent", "Sorry, fixed it.")])
    >>> bad = {"id": "t2", "turns": "nope"}
    >>> for position, result in score_stream([good, bad], on_error="skip"):
    ...     print(position, type(result).__name__, result.id if isinstance(result, Rejected) else "")
    0 Scorecard
    1 Rejected t2
    """
    _check_arguments(on_error, workers, chunk_size)
    return _stream(transcripts, suite or default_suite(), workers, on_error, progress, chunk_size, format)


def _check_arguments(on_error: object, workers: object, chunk_size: object) -> None:
    if on_error not in ("raise", "skip", "collect"):
        raise ValueError(f"on_error must be 'raise', 'skip' or 'collect', got {on_error!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}")


def _stream(
    inputs: Inputs,
    suite: Suite,
    workers: int,
    on_error: OnError,
    progress: Progress,
    chunk_size: int,
    format: Format | None,
    as_rows: bool = False,
) -> Iterator[tuple[int, Any]]:
    """Scored inputs in order: ``(position, Scorecard | Rejected)``.

    With *as_rows*, each scorecard's table row (a dict) comes in its place.
    """
    chunks = _chunks(_expand(inputs, format), chunk_size)
    line = _ProgressLine(sys.stderr) if progress is True else None
    after_chunk = progress if callable(progress) else None
    done = 0
    try:
        # Look ahead by as many chunks as the workers would hold in flight: a
        # batch that ends within them is scored here, sparing the start-up.
        in_flight = workers * _IN_FLIGHT_PER_WORKER if workers > 1 else 0
        head = list(itertools.islice(chunks, in_flight + 1))
        batches: Iterator[tuple[list[_Slot], Iterator[Any]]]
        if len(head) > in_flight > 0:
            batches = _in_workers(suite, workers, in_flight, itertools.chain(head, chunks), as_rows)
        else:
            batches = (
                (chunk, _local(suite, _to_score(chunk), as_rows)) for chunk in itertools.chain(head, chunks)
            )
        for chunk, results in batches:
            for pair in _emit(chunk, results, on_error):
                yield pair
                done += 1
                if line is not None:
                    line(done)
            if after_chunk is not None:
                after_chunk(done)
        if done == 0 and after_chunk is not None:
            after_chunk(0)
    finally:
        if line is not None:
            line.close(done)


def _local(suite: Suite, transcripts: list[Transcript], as_rows: bool) -> Iterator[Any]:
    """Score in this process: scorecards, or their table rows with *as_rows*."""
    for result in _score_each(suite, transcripts):
        yield scorecard_row(result) if as_rows and isinstance(result, Scorecard) else result


def _to_score(chunk: list[_Slot]) -> list[Transcript]:
    return [item for _, item in chunk if isinstance(item, Transcript)]


def _in_workers(
    suite: Suite, workers: int, in_flight: int, chunks: Iterator[list[_Slot]], as_rows: bool = False
) -> Iterator[tuple[list[_Slot], Iterator[Any]]]:
    """Score chunks in *workers* processes, at most *in_flight* at a time, yielding them in order."""
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(pickle.dumps(suite),),
    )
    pending: deque[tuple[list[_Slot], Future[list[_Result]]]] = deque()
    try:
        for chunk in chunks:
            pending.append((chunk, pool.submit(_score_in_worker, _to_score(chunk), as_rows)))
            if len(pending) >= in_flight:
                yield _rebuild(*pending.popleft())
        while pending:
            yield _rebuild(*pending.popleft())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _rebuild(chunk: list[_Slot], future: Future[list[_Result]]) -> tuple[list[_Slot], Iterator[Any]]:
    """Reattach each worker result to the transcript kept in this process."""
    results = iter(future.result())
    cards: list[Any] = []
    for transcript in _to_score(chunk):
        result = next(results)
        if isinstance(result, _Failure):
            cards.append(attrs.evolve(result, record=transcript))
        elif isinstance(result, dict):
            cards.append(result)  # a table row
        else:
            cards.append(Scorecard(transcript, result[0], result[1]))
    return chunk, iter(cards)


def _emit(chunk: list[_Slot], scored: Iterator[Any], on_error: OnError) -> Iterator[tuple[int, Any]]:
    for position, item in chunk:
        result = next(scored) if isinstance(item, Transcript) else item
        if isinstance(result, Scorecard | dict):
            yield position, result
            continue
        if on_error == "raise":
            result.error.add_note(f"while scoring input {position} of the batch")
            raise result.error
        record = result.record if on_error == "collect" else None
        yield position, Rejected(position, result.id, result.reason, record)


def score_many(
    transcripts: Iterable[Transcript | Mapping[str, Any] | str | os.PathLike[str]] | str | os.PathLike[str],
    suite: Suite | None = None,
    *,
    workers: int = 1,
    on_error: OnError = "raise",
    progress: bool | Callable[[int], None] = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    format: Literal["jsonl", "json", "csv", "twcs"] | None = None,
) -> ScoreTable:
    """Score many transcripts into a :class:`~servicescore.ScoreTable`, losing none.

    Inputs are streamed (see :func:`score_stream` for what is accepted and
    for the arguments): each becomes a row, in input order, or, when it
    cannot be scored and *on_error* is ``"skip"`` or ``"collect"``, an entry
    of :attr:`ScoreTable.errors <servicescore.ScoreTable.errors>` with its
    position and reason. So ``len(table) + len(table.errors)`` is the number
    of inputs. ``"skip"`` and ``"collect"`` differ only in
    :attr:`Rejected.record <servicescore.Rejected.record>`: ``None`` with
    ``"skip"``, the input itself with ``"collect"``.

    With ``workers=N`` the work is spread over *N* processes and the table
    is exactly the one ``workers=1`` gives; a small batch (at most
    ``2 * workers * chunk_size`` inputs) is scored in this process.

    Raises:
        ValueError: If an argument is invalid.
        Exception: With ``on_error="raise"``, the first input's error, with a
            note naming its position.

    >>> from servicescore import Transcript, Turn
    >>> records = [
    ...     {"id": "a", "channel": "chat", "turns": [{"role": "customer", "text": "Still broken."}]},
    ...     {"id": "b", "channel": "chat", "turns": [{"role": "wizard", "text": "?"}]},
    ...     Transcript("c", [Turn("customer", "Thanks, it works now!")]),
    ... ]
    >>> table = score_many(records, on_error="collect")
    >>> list(table["id"]), [(e.position, e.id) for e in table.errors]
    (['a', 'c'], [(1, 'b')])
    >>> table.errors[0].reason
    "turns[0].role: unknown role 'wizard' ..."
    """
    _check_arguments(on_error, workers, chunk_size)
    errors: list[Rejected] = []

    def rows() -> Iterator[dict[str, object]]:
        stream = _stream(
            transcripts,
            suite or default_suite(),
            workers,
            on_error,
            progress,
            chunk_size,
            format,
            as_rows=True,
        )
        for _, result in stream:
            if isinstance(result, Rejected):
                errors.append(result)
            else:
                yield result

    table = ScoreTable.from_rows(rows())
    return ScoreTable(table.columns, errors)
