"""Batch scoring: stream many transcripts through a suite, in order, losing none."""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import os
import pickle
import sys
import threading
import warnings
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import IO, TYPE_CHECKING, Any, Literal, TypeAlias, cast

import attrs

from ._model import Transcript
from ._suite import Scorecard, Suite, default_suite
from ._table import Rejected, RowBlock, ScoreTable, TableBuilder, scorecard_row
from .exceptions import FormatError, TranscriptError

if TYPE_CHECKING:
    from ._impact import Impact
    from ._score import Score
    from .io._jsonl import RawLine

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
#: Twitter dialogs takes about 1 ms on one core, so a chunk is about a quarter
#: of a second of work: long enough that pickling (about 0.02 ms per
#: transcript, there and back) stays a few percent, short enough that the last
#: chunks keep both workers busy. A worker forked from a warm process starts
#: in milliseconds, but a spawned one spends 2 to 4 s importing nltk and
#: building the lexicon tries before its first score (measured on 2 cores), so
#: processes only pay off beyond about a thousand transcripts: a batch that
#: fits in the chunks the workers hold in flight is scored in the calling process.
DEFAULT_CHUNK_SIZE = 256
#: Chunks in flight per worker: one being scored, one queued, so workers never
#: wait for the reader while memory stays bounded by a few chunks.
_IN_FLIGHT_PER_WORKER = 2
#: While spawned workers start, this process scores chunks itself and holds
#: up to this many times the usual chunks in flight (their results wait for
#: the chunk a worker is scoring before them): about four seconds of work, a
#: spawned worker's start-up on 2 cores.
_HELD_WHILE_HELPING = 4
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
_Result: TypeAlias = "tuple[Mapping[str, Score], Impact | None] | _Failure"


@attrs.frozen
class _Rows:
    """The outcome of a chunk's transcripts as table rows: their columns and the failures among them.

    *failures* maps the index of a transcript among the chunk's transcripts
    to its failure; *block* holds the rows of the others, in order.
    """

    block: RowBlock
    failures: dict[int, _Failure]


#: One slot of a chunk: an input's position and either the transcript to score
#: (or, for a job, the raw line to read and score) or the reason it cannot be scored.
_Slot: TypeAlias = "tuple[int, Transcript | RawLine | _Failure]"
#: What a job is given: a chunk's transcripts and raw lines, in order.
_Work: TypeAlias = "list[Transcript | RawLine]"
#: A chunk's work, done in a worker process or in this one: called with the
#: suite, the chunk's transcripts and raw JSON Lines lines, and whether its
#: result must travel to another process (exceptions that pickle). Module
#: level (or an instance of a module-level class), so that it pickles.
Job: TypeAlias = "Callable[[Suite, _Work, bool], Any]"


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


def _init_worker(suite: Suite | bytes) -> None:
    """Set the suite of this worker process: inherited (forked) or pickled (spawned)."""
    if isinstance(suite, bytes):
        _WORKER_SUITE[:] = [pickle.loads(suite)]
    else:
        # Forked: what the parent built (nltk, lexicon tries, memos) is shared
        # copy-on-write. Frozen, it is never traversed by this process's
        # garbage collector: collections stay short and leave those pages alone.
        gc.freeze()
        _WORKER_SUITE[:] = [suite]


def _score_in_worker(transcripts: list[Transcript], as_rows: bool = False) -> list[_Result] | _Rows:
    """Score a chunk in a worker; return scores and impacts only, to keep the traffic small.

    With *as_rows*, the scorecards travel as the columns of their table rows
    (plain values, each column name once per chunk), which the calling process
    unpickles and appends to its table far faster than score objects or row
    dictionaries.
    """
    suite = _WORKER_SUITE[0]
    if as_rows:
        return _rows_here(suite, transcripts, portable=True)
    results: list[_Result] = []
    for result in _score_each(suite, transcripts):
        if isinstance(result, Scorecard):
            results.append((result.scores, result.impact))
        else:
            results.append(_shippable(result))
    return results


def _run_job(job: Job, work: _Work) -> Any:
    """Do *job* on a chunk in a worker process, with the worker's suite."""
    return job(_WORKER_SUITE[0], work, True)


def _shippable(failure: _Failure) -> _Failure:
    """*failure* without its record (the parent has it) and with an error that pickles."""
    return attrs.evolve(failure, record=None, error=_portable(failure.error))


def _rows_here(suite: Suite, transcripts: list[Transcript], portable: bool = False) -> _Rows:
    """Score *transcripts* in this process into a :class:`_Rows`."""
    builder = TableBuilder()
    failures: dict[int, _Failure] = {}
    for index, result in enumerate(_score_each(suite, transcripts)):
        if isinstance(result, Scorecard):
            builder.add(scorecard_row(result))
        else:
            failures[index] = _shippable(result) if portable else result
    return _Rows(builder.block(), failures)


def _expand(inputs: Inputs, format: Format | None) -> Iterator[Transcript | Mapping[str, Any] | object]:
    """The inputs in stream order, each path replaced by its transcripts and reader errors."""
    from .io._pandas import frame_source, is_frame

    items: Iterable[object] = [inputs] if isinstance(inputs, str | os.PathLike) else inputs
    if is_frame(inputs):  # a DataFrame iterates over its column names: it is one input
        items = [inputs]
    for item in items:
        if isinstance(item, str | os.PathLike):
            yield from _read_path(item, format)
        elif is_frame(item):  # one row per turn, read as its CSV form
            source, kind = frame_source(item)
            yield from _read_path(source, kind if format is None else format)
        else:
            yield item


def _read_path(
    path: str | os.PathLike[str] | IO[str], format: Format | None
) -> Iterator[Transcript | FormatError]:
    """Transcripts and :class:`FormatError` s of one file (or text stream), in file order."""
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


def _slot(position: int, item: object, raw: type[RawLine] | None = None) -> _Slot:
    """One input as a transcript to score (or a *raw* line to read), or a failure found before scoring."""
    if isinstance(item, Transcript) or (raw is not None and isinstance(item, raw)):
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


def _chunks(items: Iterator[object], size: int, raw: bool = False) -> Iterator[list[_Slot]]:
    """*items* in chunks of *size* slots; with *raw*, raw JSON Lines lines are left to be read by a job."""
    from .io._jsonl import RawLine  # not at import: the readers load only when something is read

    raw_line = RawLine if raw else None
    positions = itertools.count()
    while chunk := [_slot(next(positions), item, raw_line) for item in itertools.islice(items, size)]:
        yield chunk


class _ProgressLine:
    """A tqdm bar of inputs done on *stream* (a widget in Jupyter, through ``tqdm.auto``).

    It shows the count, the rate and, when *total* is known (inputs given as
    a list of transcripts), the share done and the time left. Nothing is
    drawn for a run shorter than *interval* seconds, and the bar is redrawn
    at most every *interval* seconds.
    """

    def __init__(
        self, stream: IO[str], interval: float = _PROGRESS_INTERVAL, total: int | None = None
    ) -> None:
        from tqdm.auto import tqdm  # type: ignore[import-untyped]  # comes with nltk; loaded for a bar only

        # No monitor thread (tqdm's default starts one): with another thread alive, workers could not fork.
        quiet_tqdm = type("_Tqdm", (tqdm,), {"monitor_interval": 0})
        self._bar = quiet_tqdm(
            total=total,
            file=stream,
            unit=" transcripts",
            desc="servicescore",
            delay=interval,
            mininterval=interval,
            dynamic_ncols=True,
            leave=True,
        )

    def __call__(self, done: int) -> None:
        self._bar.update(done - self._bar.n)

    def close(self, done: int) -> None:
        self._bar.update(done - self._bar.n)
        self._bar.close()


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
        workers: Processes to score in. With more than one, inputs travel
            to them in chunks of *chunk_size* and results come back in input
            order, identical to ``workers=1``. On Linux, when the calling
            thread is the only Python thread, workers are forked: the suite
            is first warmed up here (by scoring the first transcript), so
            they inherit its loaded resources and start at once. Otherwise
            (other threads running, as in a Jupyter kernel; macOS, Windows)
            they are spawned: the suite is pickled once per worker, and each
            spends seconds loading its resources, so the calling process
            counts as one of the *workers*: it spawns ``workers - 1``
            processes and scores every chunk that no worker has started
            yet, never waiting for them to start. A batch of at most
            ``2 * workers * chunk_size`` inputs is scored in the calling
            process whatever *workers* says.
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
) -> Iterator[tuple[int, Scorecard | Rejected]]:
    """Scored inputs in order: ``(position, Scorecard | Rejected)``."""
    # Closed on the way out, so that an error stops the workers at once, not
    # when the traceback that holds this frame is collected.
    batches = _batches(inputs, suite, workers, chunk_size, format, as_rows=False)
    with _Progress(progress, _known_total(inputs)) as counter, contextlib.closing(batches):
        for chunk, results in batches:
            for pair in _emit(chunk, results, on_error):
                yield pair
                counter.one()
            counter.chunk()


def _known_total(inputs: object) -> int | None:
    """How many inputs there are, when that is known without reading: a list of transcripts or records."""
    if not isinstance(inputs, Sequence) or isinstance(inputs, str):
        return None
    if any(
        isinstance(item, str | os.PathLike) or not isinstance(item, Transcript | Mapping) for item in inputs
    ):
        return None  # files (and DataFrames) hold an unknown number of transcripts
    return len(inputs)


class _Progress:
    """Counts inputs done and reports them as *progress* asks (see :func:`score_stream`)."""

    def __init__(self, progress: Progress, total: int | None = None) -> None:
        self._line = _ProgressLine(sys.stderr, total=total) if progress is True else None
        self._after_chunk = progress if callable(progress) else None
        self.done = 0
        self._chunks = 0

    def __enter__(self) -> _Progress:
        return self

    def one(self, count: int = 1) -> None:
        """*count* more inputs are done."""
        self.done += count
        if self._line is not None:
            self._line(self.done)

    def chunk(self) -> None:
        """A chunk is done."""
        self._chunks += 1
        if self._after_chunk is not None:
            self._after_chunk(self.done)

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is None and self._chunks == 0 and self._after_chunk is not None:
            self._after_chunk(0)
        if self._line is not None:
            self._line.close(self.done)


def _batches(
    inputs: Inputs,
    suite: Suite,
    workers: int,
    chunk_size: int,
    format: Format | None,
    as_rows: bool,
    job: Job | None = None,
) -> Generator[tuple[list[_Slot], Any], None, None]:
    """Each chunk of inputs with its outcome, in order.

    The outcome is an iterator of results (a :class:`Scorecard` or a
    :class:`_Failure` per transcript of the chunk, lazily when scored here),
    with *as_rows* a :class:`_Rows`, or with a *job* what it returns for the
    chunk's work (see :data:`Job`).
    """
    chunks = _chunks(_expand(inputs, format), chunk_size, raw=job is not None)
    # Look ahead by as many chunks as the workers would hold in flight: a
    # batch that ends within them is scored here, sparing the start-up.
    in_flight = workers * _IN_FLIGHT_PER_WORKER if workers > 1 else 0
    head = list(itertools.islice(chunks, in_flight + 1))
    if len(head) > in_flight > 0:
        yield from _in_workers(suite, workers, in_flight, itertools.chain(head, chunks), as_rows, job)
        return
    for chunk in itertools.chain(head, chunks):
        if job is not None:
            yield chunk, job(suite, _work(chunk), False)
            continue
        transcripts = _to_score(chunk)
        yield chunk, (_rows_here(suite, transcripts) if as_rows else _score_each(suite, transcripts))


def _to_score(chunk: list[_Slot]) -> list[Transcript]:
    return [item for _, item in chunk if isinstance(item, Transcript)]


def _work(chunk: list[_Slot]) -> _Work:
    return [item for _, item in chunk if not isinstance(item, _Failure)]


def _start_method() -> Literal["fork", "spawn"]:
    """How to start worker processes: ``"fork"`` where it is safe and available, else ``"spawn"``.

    A forked worker inherits the calling process's loaded resources (nltk,
    the lexicon tries, warm memos) and starts at once; a spawned one starts a
    fresh interpreter and loads them again, for seconds. Forking is safe when
    no other Python thread runs, since then no lock the child could need is
    held by a thread that does not exist in the child; so it is used on Linux
    when the calling thread is the only one. Elsewhere (macOS, where system
    libraries do not survive a fork; Windows, which has no fork; a program
    running other threads) workers are spawned.
    """
    if (
        sys.platform == "linux"
        and threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
    ):
        return "fork"
    return "spawn"


@contextlib.contextmanager
def _forking() -> Iterator[None]:
    """Silence Python's warning that forking a process that has threads may deadlock.

    Used only when :func:`_start_method` found no other Python thread: the
    threads Python 3.12 and later count are then those native libraries keep
    idle (OpenBLAS's pool, started by numpy), which hold no lock the worker
    needs and which those libraries reset in a forked child.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r".*multi-threaded, use of fork\(\)", DeprecationWarning)
        yield


def _warm(suite: Suite, chunk: list[_Slot]) -> None:
    """Score the chunk's first transcript here, discarding the result: forked workers inherit a warm suite.

    The first score loads the suite's resources (seconds, once per process);
    done here, it is paid once rather than by every worker, and not at all
    when this process has scored before. A failure is left for the worker
    that scores the transcript to report.
    """
    from .io._jsonl import RawLine, parse_raw

    for _, item in chunk:
        transcript = parse_raw(item) if isinstance(item, RawLine) else item
        if isinstance(transcript, Transcript):
            with contextlib.suppress(Exception):
                suite(transcript)
            return


def _in_workers(
    suite: Suite,
    workers: int,
    in_flight: int,
    chunks: Iterator[list[_Slot]],
    as_rows: bool = False,
    job: Job | None = None,
) -> Iterator[tuple[list[_Slot], Any]]:
    """Score chunks in *workers* processes, at most *in_flight* at a time, yielding them in order."""
    first = next(chunks, None)
    if first is None:
        return
    if _start_method() == "fork":
        _warm(suite, first)
    method = _start_method()  # again: a scorer may have started a thread
    initarg = suite if method == "fork" else pickle.dumps(suite)
    # Spawned workers take seconds to start: this process is one of the workers.
    processes = workers if method == "fork" else max(1, workers - 1)
    pool = ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(initarg,),
    )
    # Each entry: a chunk and its future in a worker, or its outcome scored here.
    pending: deque[tuple[list[_Slot], Future[Any] | tuple[list[_Slot], Any]]] = deque()
    # Chunks held at once while this process helps: enough to bridge a worker's start-up.
    held = in_flight if method == "fork" else in_flight * _HELD_WHILE_HELPING

    def submit(chunk: list[_Slot]) -> Future[Any]:
        if job is not None:
            return pool.submit(_run_job, job, _work(chunk))
        return pool.submit(_score_in_worker, _to_score(chunk), as_rows)

    def here(chunk: list[_Slot]) -> tuple[list[_Slot], Any]:
        if job is not None:
            return chunk, job(suite, _work(chunk), False)
        transcripts = _to_score(chunk)
        if as_rows:
            return chunk, _rows_here(suite, transcripts)
        return chunk, iter(list(_score_each(suite, transcripts)))

    def done(chunk: list[_Slot], outcome: Future[Any] | tuple[list[_Slot], Any]) -> tuple[list[_Slot], Any]:
        if not isinstance(outcome, Future):
            return outcome
        return (chunk, outcome.result()) if job is not None else _rebuild(chunk, outcome)

    def help_out() -> bool:
        """Score here a chunk no worker has started (the next one out first); False if none."""
        order = (0, *range(len(pending) - 1, 0, -1)) if pending else ()
        for index in order:
            chunk, outcome = pending[index]
            if isinstance(outcome, Future) and outcome.cancel():
                pending[index] = (chunk, here(chunk))
                return True
        return False

    def next_out() -> tuple[list[_Slot], Any]:
        if method == "spawn":
            while isinstance(pending[0][1], Future) and not pending[0][1].done() and help_out():
                pass
        return done(*pending.popleft())

    try:
        # The first submission starts the processes (all of them, when forking).
        with _forking() if method == "fork" else contextlib.nullcontext():
            pending.append((first, submit(first)))
        for chunk in chunks:
            pending.append((chunk, submit(chunk)))
            while not isinstance(pending[0][1], Future) or pending[0][1].done():
                yield done(*pending.popleft())  # ready: hand it on at once
                if not pending:
                    break
            if method == "spawn" and len(pending) < held and help_out():
                continue  # scored one here; read on rather than wait
            if len(pending) >= (held if method == "spawn" else in_flight):
                yield next_out()
        while pending:
            yield next_out()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _rebuild(chunk: list[_Slot], future: Future[Any]) -> tuple[list[_Slot], Any]:
    """Reattach each worker result to the transcript kept in this process."""
    outcome = future.result()
    if isinstance(outcome, _Rows):
        return chunk, outcome
    results = iter(outcome)
    cards: list[Scorecard | _Failure] = []
    for transcript in _to_score(chunk):
        result = next(results)
        if isinstance(result, _Failure):
            cards.append(attrs.evolve(result, record=transcript))
        else:
            cards.append(Scorecard(transcript, result[0], result[1]))
    return chunk, iter(cards)


def score_chunks(
    inputs: Iterable[Transcript | RawLine | FormatError],
    suite: Suite,
    job: Job,
    *,
    workers: int = 1,
    progress: bool | Callable[[int], None] = False,
    chunk_size: int | None = None,
) -> Iterator[tuple[list[_Slot], Any]]:
    """Each chunk of *inputs* with what *job* made of it, in order: the command line's batch engine.

    The inputs (transcripts, raw lines of JSON Lines files as
    :func:`servicescore.io._jsonl.read_raw` gives them, and reader errors)
    are cut into chunks of *chunk_size*, each input with its position as in
    :func:`score_stream`. Each chunk's transcripts and raw lines go to
    ``job(suite, work, portable)``, in one of *workers* processes (started as
    :func:`score_stream` starts them, with the same fallback for small
    batches) or in this one, so that whatever the job does with the
    scorecards (reading the lines, rendering output rows) is spread over the
    workers too and only its compact result comes back. A chunk's reader
    errors stay in the chunk, as :class:`_Failure` slots. *chunk_size* is
    :data:`DEFAULT_CHUNK_SIZE` when ``None``.

    Raises:
        ValueError: If *workers* or *chunk_size* is invalid.
    """
    chunk_size = DEFAULT_CHUNK_SIZE if chunk_size is None else chunk_size
    _check_arguments("raise", workers, chunk_size)
    items = cast("Iterable[Transcript]", inputs)  # raw lines and reader errors pass through as inputs
    batches = _batches(items, suite, workers, chunk_size, None, as_rows=False, job=job)
    with _Progress(progress) as counter, contextlib.closing(batches):  # see _stream
        for chunk, outcome in batches:
            yield chunk, outcome
            counter.one(len(chunk))
            counter.chunk()


def _reject(position: int, failure: _Failure, on_error: OnError) -> Rejected:
    """The :class:`Rejected` of a failure, or with ``on_error="raise"`` its error, raised."""
    if on_error == "raise":
        failure.error.add_note(f"while scoring input {position} of the batch")
        raise failure.error
    record = failure.record if on_error == "collect" else None
    return Rejected(position, failure.id, failure.reason, record)


def _emit(chunk: list[_Slot], scored: Iterator[Any], on_error: OnError) -> Iterator[tuple[int, Any]]:
    for position, item in chunk:
        result = next(scored) if isinstance(item, Transcript) else cast("_Failure", item)  # no raw line here
        if isinstance(result, Scorecard):
            yield position, result
        else:
            yield position, _reject(position, result, on_error)


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
    builder = TableBuilder()
    errors: list[Rejected] = []
    batches = _batches(transcripts, suite or default_suite(), workers, chunk_size, format, as_rows=True)
    with (
        _Progress(progress, _known_total(transcripts)) as counter,
        contextlib.closing(batches),
    ):  # see _stream
        for chunk, rows in batches:
            failures = rows.failures
            index = 0
            for position, item in chunk:
                if isinstance(item, Transcript):
                    failure = failures.get(index)
                    index += 1
                    if failure is not None:  # scored elsewhere or here: its record is the input
                        errors.append(_reject(position, attrs.evolve(failure, record=item), on_error))
                else:  # no raw line here: they are a job's inputs
                    errors.append(_reject(position, cast("_Failure", item), on_error))
            builder.extend(rows.block)
            counter.one(len(chunk))
            counter.chunk()
    return builder.table(errors)
