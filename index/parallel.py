"""Indexing a big batch on both cores: two worker processes that each write their own segment.

Each worker takes small chunks of the planned paths (from a shared counter over the path list both
inherited at the fork) and does everything for them: read, clean and sketch the file, build the
Whoosh documents and add them to its own ``SegmentWriter``. It sends the main process only small
per-file results (catalog rows, sketches, problems, the document numbers it gave), and at the end
the finished segment. The main process, which holds the library lock and the index's own writer,
does the deletions and commits the workers' segments together with its own: nothing is visible
before that single commit.

This is what ``whoosh.multiproc.MpWriter(multisegment=True)`` does, without its two pickling hops
through the main process (documents into job files, then out of them again). It uses private
``SegmentWriter`` methods the same way ``whoosh/multiproc.py`` does (``SubWriterTask.run`` and
``MpWriter._commit``); Whoosh is pinned (whoosh-reloaded==2.7.5), so they cannot move under us.
"""

from __future__ import annotations

import contextlib
import itertools
import marshal
import os
import signal
import sys
import traceback
from collections.abc import Iterator

from .errors import LibraryError
from . import schema  # noqa: F401  (imports Whoosh the way brief does)

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield  # noqa: E402
from whoosh.util.numeric import byte_to_length  # noqa: E402
from whoosh.writing import PostingPool, SegmentWriter  # noqa: E402

WORKERS = 2  # as Whoosh's procs=2 writer; the main process mostly waits for them
CHUNK = 8  # paths a worker takes at a time: small, so both stay busy to the end
POLL = 1.0  # seconds between liveness checks while waiting for the workers
STUCK_GRACE = 5.0  # seconds past index.documents.READ_TIMEOUT after which a worker stuck on one file is stopped

# What a worker sends back for one file:
#   (path, failure or None, notes, problems, [(catalog_row, docnum, sketch, label), ...])
# ``failure`` is an index.documents.Failure, ``notes`` the reader's remarks, ``problems`` the entries left out
# (an id repeated), ``docnum`` the document's number in that worker's segment, ``label`` names the entry in
# the "repeats an id" message.
FileResult = tuple[str, "tuple | None", list[str], list[str], list[tuple[dict, int, list[int], str]]]


class Workers:
    """Worker processes indexing ``paths`` into new segments of the index in ``folder``.

    Start them before any other thread exists in this process (they are forked). Iterate
    ``results()`` for the per-file results, then call ``segments()``; ``close()`` always (it
    terminates whatever still runs), or use the object in a ``with`` block.

    The workers never outlive this process: the kernel kills them when it dies (Linux
    PR_SET_PDEATHSIG), and each checks before every file that it is still this process's child. They
    close ``close_fds`` (the library's lock, Whoosh's write lock) as they start, so that only this
    process holds the locks. A worker stuck on one file past index.documents.READ_TIMEOUT (in code the
    alarm cannot interrupt) is stopped, and the run ends with a message naming the file.
    """

    def __init__(self, folder: str, indexname: str, paths: list[str], limitmb: int, workers: int = WORKERS,
                 close_fds: list[int] = ()):
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self.total = len(paths)
        self._paths = paths
        self._counter = ctx.Value("q", 0)
        self._busy = ctx.Array("d", workers, lock=False)  # when each worker started its file (0: none)
        self._current = ctx.Array("q", workers, lock=False)  # the index of that file in ``paths``
        self._procs = []
        self._conns = []
        self._segments: list = [None] * workers
        self._done: set[int] = set()
        parent = os.getpid()
        try:
            for n in range(workers):
                reader, writer = ctx.Pipe(duplex=False)
                proc = ctx.Process(
                    target=_work,
                    args=(folder, indexname, paths, self._counter, writer, limitmb, n, self._busy, self._current,
                          parent, tuple(close_fds)),
                    name=f"brief-index-{n}",
                    daemon=True,  # never outlives this process, whatever happens to it
                )
                self._procs.append(proc)
                self._conns.append(reader)
                proc.start()
                # Only the worker holds the sending end now: its exit, however it happens, is an
                # end-of-file here (the next worker is forked after this close, so it does not
                # inherit it).
                writer.close()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def count(self) -> int:
        return len(self._procs)

    def results(self) -> Iterator[tuple[int, list[FileResult]]]:
        """(worker, results of a few files) as they come, until every path has been reported."""
        received = 0
        while received < self.total:
            for n, kind, payload in self._receive():
                if kind == "files":
                    received += len(payload)
                    yield n, payload
                elif kind == "done":  # a worker only finishes when no path is left to take
                    self._segments[n] = payload
                    self._done.add(n)

    def segments(self) -> list:
        """The workers' finished segments (None for a worker that added no document), in worker order."""
        while len(self._done) < len(self._procs):
            for n, kind, payload in self._receive():
                if kind != "done":
                    raise LibraryError(f"indexing worker {n} sent {kind!r} after the last file")
                self._segments[n] = payload
                self._done.add(n)
        for proc in self._procs:
            proc.join(timeout=10)
        return list(self._segments)

    def _receive(self):
        """Wait for messages from the workers still running; a dead or failed worker is an error."""
        from multiprocessing.connection import wait

        live = {self._conns[n]: n for n in range(len(self._procs)) if n not in self._done}
        self._check_stuck(live.values())
        ready = wait(list(live), timeout=POLL)
        if not ready:
            for conn, n in live.items():
                if not self._procs[n].is_alive() and not conn.poll():
                    raise self._died(n)
            return
        for conn in ready:
            n = live[conn]
            try:
                kind, payload = conn.recv()
            except (EOFError, OSError):
                raise self._died(n) from None
            if kind == "error":
                text, err, filename = payload
                if err is not None:  # disk full, no permission: said as on the serial path
                    raise OSError(err, os.strerror(err), filename)
                raise LibraryError(f"indexing worker {n} failed{text}; nothing was changed")
            yield n, kind, payload

    def _check_stuck(self, workers) -> None:
        """Stop a worker that has been reading one file for longer than its time limit allows (the
        alarm in the worker could not interrupt it): a clear error instead of a hang."""
        import time

        from . import documents

        if not documents.READ_TIMEOUT or documents.READ_TIMEOUT <= 0:
            return
        limit = documents.READ_TIMEOUT + STUCK_GRACE
        now = time.monotonic()
        for n in workers:
            started = self._busy[n]
            if started and now - started > limit:
                from .sanitize import display_path

                path = display_path(self._paths[self._current[n]])
                self._procs[n].kill()
                raise LibraryError(
                    f"{path}: took longer than {limit:g} s to read and could not be stopped; nothing was "
                    f"changed: move it out of the indexed folders and run `brief index` again"
                )

    def _died(self, n: int) -> LibraryError:
        proc = self._procs[n]
        proc.join(timeout=5)
        code = proc.exitcode
        how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
        return LibraryError(f"indexing worker {n} (pid {proc.pid}) {how} before it finished; nothing was changed")

    def close(self) -> None:
        """Stop every worker still running and wait for it; safe to call more than once."""
        for proc in self._procs:
            if proc.is_alive():
                proc.terminate()
        for proc in self._procs:
            proc.join(timeout=5)
            if proc.is_alive():  # ignored SIGTERM
                proc.kill()
                proc.join()
        for conn in self._conns:
            conn.close()


def _work(folder: str, indexname: str, paths: list[str], counter, conn, limitmb: int, n: int, busy, current,
          parent: int, close_fds: tuple[int, ...]) -> None:
    """A worker's life: index chunks of ``paths`` into a new segment, send results, then the segment."""
    # Ctrl-C reaches the whole process group: the main process handles it and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)
    for fd in close_fds:  # the locks stay the main process's alone (closing a copy does not release them)
        with contextlib.suppress(OSError):
            os.close(fd)
    where: list[str] = []  # the file being indexed, for the error message
    try:
        segment = _index_share(folder, indexname, paths, counter, conn, limitmb, where, n, busy, current, parent)
        conn.send(("done", segment))
    except BaseException as exc:
        from .documents import file_of
        from .sanitize import display_path, safe_inline

        frame = traceback.extract_tb(exc.__traceback__)[-1:]
        at = f" at {os.path.basename(frame[0].filename)}:{frame[0].lineno}" if frame else ""
        on = f" on {display_path(where[-1])}" if where else ""
        err = exc.errno if isinstance(exc, OSError) else None
        with contextlib.suppress(BaseException):
            conn.send(("error", (f"{on} ({type(exc).__name__}: {safe_inline(str(exc))[:300]}{at})", err,
                                 file_of(exc) if err is not None else None)))
    finally:
        conn.close()


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when the main process dies, even by SIGKILL (Linux only;
    elsewhere, and as well, a worker checks before each file that ``parent`` is still there)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            PR_SET_PDEATHSIG = 1
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
    if os.getppid() != parent:  # died before the call took effect
        os._exit(1)


def _index_share(folder: str, indexname: str, paths: list[str], counter, conn, limitmb: int, where: list[str],
                 n: int, busy, current, parent: int):
    import random
    import time

    from whoosh.filedb.filestore import FileStorage

    from . import documents  # its functions looked up at call time, so that tests can patch them

    random.seed()  # Whoosh names segments and temporary files with `random`: never as the other worker
    ix = FileStorage(folder, supports_mmap=False).open_index(indexname=indexname)
    writer = _writer(ix, limitmb)
    seen: set[str] = set()
    total = len(paths)
    while True:
        with counter.get_lock():
            start = counter.value
            counter.value = min(total, start + CHUNK)
        if start >= total:
            break
        out: list[FileResult] = []
        for number in range(start, min(total, start + CHUNK)):
            if os.getppid() != parent:  # the main process is gone: nobody will commit this
                os._exit(1)
            path = paths[number]
            where[:] = [path]
            current[n] = number
            busy[n] = time.monotonic()
            path, articles, failure, notes, sketches = documents.read_one(path)
            busy[n] = 0.0
            entries, problems = [], []
            for a in articles if failure is None else ():
                if a.id in seen:
                    problems.append(documents.repeated_id(path, a))
                    continue
                seen.add(a.id)
                entries.append((documents.catalog_row(a), writer.docnum, sketches[a.id], a.key or a.title))
                writer.add_document(**documents.article_doc(a, path))
            out.append((path, failure, notes, problems, entries))
        where.clear()
        conn.send(("files", out))
    if writer._added:
        return writer._finalize_segment()  # flush the postings, close and assemble the segment files
    # Nothing added: close without _finish(), which would delete the temp folder the others share.
    writer._close_segment()
    return None


# ----------------------------------------------------------------------------------------------
# A worker's Whoosh writer: the stock SegmentWriter with two costs per posting taken out. The segment
# files are the same; only how the postings get there changes.

POSTING_BYTES = 200  # about what one pooled posting (a 5-tuple with its bytes) takes in memory
RUN_BLOCK = 10_000  # postings marshalled together when the pool spills to disk (and read back at once)


class _Pool(PostingPool):
    """Whoosh's PostingPool type-checks and sizes every posting it is given and, once more than
    ``limitmb`` has come, writes each sorted run one pickled posting at a time and reads it back the
    same way. Here the count of postings stands for their size, and runs are written and read in
    marshalled blocks. (This and _Lengths took a worker from 37 s to 28-31 s for 3,000 articles,
    with byte-identical postings, stored fields and lengths.)"""

    def __init__(self, tempstore, segment, limitmb):
        super().__init__(tempstore, segment, limitmb=limitmb)
        self.maxitems = max(RUN_BLOCK, self.limit // POSTING_BYTES)

    def add(self, item):
        current = self.current
        current.append(item)
        if len(current) >= self.maxitems:
            self.save()

    def _write_run(self, f, items):
        items = iter(items)
        while block := list(itertools.islice(items, RUN_BLOCK)):
            marshal.dump(block, f)
        f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    block = marshal.load(f)
                except EOFError:
                    return
                yield from block
        finally:
            f.close()
            self._remove_run(path)


class _Lengths:
    """The field lengths ``add_postings`` asks for once per posting, which Whoosh's reader answers with
    a seek and a one-byte read of the length column each time: here each column is read once."""

    def __init__(self, pdr):
        self._pdr = pdr
        self._fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        lengths = self._fields.get(fieldname)
        if lengths is None:
            lengths = self._fields[fieldname] = self._load(fieldname)
        return (lengths[docnum] or default) if docnum < len(lengths) else default

    def _load(self, fieldname):
        column = _lenfield(fieldname)
        if not self._pdr.has_column(column):
            return []
        return [byte_to_length(b) if b else 0 for b in self._pdr.column_reader(column, LENGTHS_COLUMN)]


class _Writer(SegmentWriter):
    def _flush_segment(self):  # SegmentWriter._flush_segment, with _Lengths around the reader
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        lengths = _Lengths(pdr) if pdr is not None else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if pdr:
            pdr.close()


def _writer(ix, limitmb: int) -> SegmentWriter:
    """A worker's writer: no lock of its own (the main process holds the index's write lock for all of
    us, as for whoosh.multiproc.SubWriterTask), with the cheaper pool and length lookup, and the stemmed
    text fields analysed in one loop (fast_analysis)."""
    writer = _Writer(ix, _lk=False, limitmb=limitmb)
    writer.pool = _Pool(writer._tempstorage, writer.newsegment, limitmb)
    fast_analysis(writer.schema)
    return writer


# ----------------------------------------------------------------------------------------------
# Analysis of a stemmed text field in one loop.
#
# Whoosh analyses a TEXT field through a chain of generators (RegexTokenizer | LowercaseFilter |
# StopFilter | StemFilter, then Positions.word_values), one Token object passed down per word, and the
# stems through an LFU cache whose bookkeeping costs more than the stemming it saves. For short articles
# that is a third of a worker's time. fast_index does the same steps in one loop: the same pattern, the
# same lower-casing, stop words and renumbered positions, the same stem function (cached in a plain dict:
# it is a pure function), the same encoding of the positions: it yields exactly what field.index yields
# (tests/test_indexer_fast.py compares them). Only a field of that exact make is given it, and only in a
# worker's own copy of the schema (an attribute of the field object, never pickled into the index's TOC:
# workers do not write the TOC).

STEM_CACHE_MAX = 200_000  # stems kept per worker (a few tens of MB at most) before the cache starts over


def fast_index_for(field):
    """A drop-in for ``field.index`` doing the same work in one loop, or None for a field that is not a
    Positions-format field analysed by RegexTokenizer | LowercaseFilter | StopFilter | StemFilter exactly."""
    from whoosh.analysis import CompositeAnalyzer, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
    from whoosh.formats import Positions

    ana, fmt = getattr(field, "analyzer", None), getattr(field, "format", None)
    if type(fmt) is not Positions or type(ana) is not CompositeAnalyzer:
        return None
    items = ana.items
    if [type(i) for i in items] != [RegexTokenizer, LowercaseFilter, StopFilter, StemFilter]:
        return None
    tokenizer, _, stop, stemmer = items
    if tokenizer.gaps or not stop.renumber or stemmer.lang or "index" in vars(field):
        return None
    finditer = tokenizer.expression.finditer
    stops, minsize, maxsize = stop.stops, stop.min, stop.max
    ignore, stemfn = stemmer.ignore, stemmer.stemfn
    encode, boost = fmt.encode, fmt.field_boost
    stems: dict[str, str] = {}
    stock = field.index

    def fast_index(value, **kwargs):
        if kwargs or type(value) is not str:
            yield from stock(value, **kwargs)
            return
        poses: dict[str, list[int]] = {}
        pos = None
        for n, match in enumerate(finditer(value)):
            text = match.group(0).lower()
            size = len(text)
            if size < minsize or (maxsize is not None and size > maxsize) or text in stops:
                continue
            pos = n if pos is None else pos + 1
            if text not in ignore:
                stem = stems.get(text)
                if stem is None:
                    if len(stems) >= STEM_CACHE_MAX:
                        stems.clear()
                    stem = stems[text] = stemfn(text)
                text = stem
            at = poses.get(text)
            if at is None:
                poses[text] = [pos]
            else:
                at.append(pos)
        for word, poslist in poses.items():
            yield word.encode("utf-8"), len(poslist), float(len(poslist)) * boost, encode(poslist)

    return fast_index


def fast_analysis(schema) -> list[str]:
    """Give each stemmed text field of ``schema`` (a worker's own copy) fast_index; returns their names."""
    done = []
    for name in schema.names():
        field = schema[name]
        fast = fast_index_for(field)
        if fast is not None:
            field.index = fast
            done.append(name)
    return done
