"""Read replicas: with DATABASE_REPLICA_URLS set, the GET and HEAD requests of blueprints that only read
(`reads_from_replicas`) read from a streaming replica, and everything else uses the primary (DATABASE_URL).

Rules, per request (its state lives in the WSGI environ, as the request's own):
- only a GET or HEAD of a read blueprint may read from a replica; any other request, a job, a CLI command, the
  socket service and pages rendered outside a request (test_request_context) use the primary;
- the first read picks a replica and connects to it: if that fails, the request reads from the primary instead
  (nothing was read yet); a replica that fails after that is the database-unavailable 503 (app/web/errors.py);
- a statement that is not a SELECT, a flush, or pending changes (an autoflush would write) move the request to the
  primary for the rest of it, so it reads what it wrote;
- a replica behind the primary's position when a job last dropped cached views (`fence`, from
  app/storage/cache_keys.changed) is not read by the request: it would fill those caches, and the pages' ETags that
  follow them, with what was there before the change, for as long as they live;
- read-your-writes across requests: a request that wrote sets a short cookie, and while it lasts the visitor's reads
  go to the primary. Its length is REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS: a replica in use was at most the
  lag behind when last checked, at most the check interval ago. A cookie, not the server-side session: visitors who
  are not signed in write too, it costs no store, and forging it only sends oneself to the primary.

Each replica is checked at most every REPLICA_CHECK_SECONDS per process (in the request that needs it, one thread at
a time, with a 2-second connect timeout); one that is unreachable, not a standby, or behind by more than
REPLICA_MAX_LAG_SECONDS is skipped until the next check; with every replica out, reads use the primary.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, current_app, has_request_context, request
from flask.sansio.blueprints import BlueprintSetupState
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import ORMExecuteState, Session

from app.extensions import cache, db

log = logging.getLogger("betscore.replicas")

READS = "betscore.replica_reads"  # app.extensions: names of the blueprints whose GET and HEAD views only read
POOL = "betscore.replicas"  # app.extensions: this process's Replicas
ROUTE = "betscore.db_route"  # request.environ: the request's Route
FENCE = "db:replica-fence"  # cache key: the primary's WAL position when cached views were last dropped
COOKIE = "betscore_primary"  # read-your-writes: until when (Unix seconds) this visitor reads from the primary
SAFE_METHODS = frozenset({"GET", "HEAD"})
CONNECT_TIMEOUT = 2  # seconds; libpq counts whole seconds and treats 1 as 2
UNREACHABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)

# Lag: how long ago the last transaction replayed was committed on the primary, unless the replica has replayed all
# it received while its WAL receiver runs (an idle primary sends nothing: its last commit may be old, the replica
# current). Without a receiver it has lost the primary: it is as far behind as its last replayed commit. NULL when
# it has neither replayed a transaction nor caught up (just started): not known, so skipped.
LAG = sa.text(
    """
    SELECT pg_is_in_recovery() AS standby,
           CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
                     AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 0.0
                ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8
           END AS lag
    """
)


BEHIND = sa.text("SELECT pg_last_wal_replay_lsn() < CAST(:fence AS pg_lsn)")


def reads_from_replicas(bp: Blueprint) -> Blueprint:
    """Mark a blueprint whose GET and HEAD views only read: with replicas configured, they read from one. A view of
    it that writes still works (the write and every read after it go to the primary), its first reads came from a
    replica, so such a view is better in a blueprint of its own."""

    def register(state: BlueprintSetupState) -> None:
        state.app.extensions.setdefault(READS, set()).add(state.blueprint.name)

    bp.record_once(register)
    return bp


class Replica:
    """One replica's engine and whether it is in use, as this process last found it."""

    def __init__(self, url: str, options: dict[str, Any]) -> None:
        self.engine = sa.create_engine(url, **options)
        self.name = self.engine.url.render_as_string(hide_password=True)
        self.usable = False
        self.reason = "not checked yet"
        self.checked_at = -math.inf
        self._checking = threading.Lock()
        event.listen(self.engine, "handle_error", self._failed)

    def usable_now(self, max_lag: float, every: float) -> bool:
        """Whether to read from it: checked again when the last check is `every` seconds old, by one thread (the
        others go by the last check meanwhile)."""
        if time.monotonic() - self.checked_at >= every and self._checking.acquire(blocking=False):
            try:
                self._check(max_lag)
            finally:
                self._checking.release()
        return self.usable

    def _check(self, max_lag: float) -> None:
        try:
            with self.engine.connect() as connection:
                standby, lag = connection.execute(LAG).one()
        except UNREACHABLE as error:
            self.down(error)
            return
        if not standby:
            self._found(False, "not a standby (promoted, or the primary itself)")
        elif lag is None:
            self._found(False, "has replayed nothing yet")
        elif lag > max_lag:
            self._found(False, f"{lag:.1f} s behind (REPLICA_MAX_LAG_SECONDS {max_lag:g})")
        else:
            self._found(True, f"{lag:.1f} s behind")

    def down(self, error: BaseException) -> None:
        """Out until the next check: it failed to connect or lost its connection."""
        self._found(False, "unreachable: " + (str(error).splitlines() or [type(error).__name__])[0])

    def _found(self, usable: bool, reason: str) -> None:
        self.checked_at = time.monotonic()
        if usable != self.usable:
            if usable:
                log.info("replica %s in use: %s", self.name, reason)
            else:
                log.warning("replica %s skipped: %s", self.name, reason)
        self.usable, self.reason = usable, reason

    def _failed(self, context: ExceptionContext) -> None:
        if context.is_disconnect:
            self.down(context.original_exception)


class Replicas:
    """This process's replicas, and the choice of one for a request."""

    def __init__(self, urls: tuple[str, ...], options: dict[str, Any], max_lag: float, every: float) -> None:
        self.all = [Replica(url, options) for url in urls]
        self.max_lag = max_lag
        self.every = every

    def choose(self) -> Replica | None:
        usable = [replica for replica in self.all if replica.usable_now(self.max_lag, self.every)]
        return random.choice(usable) if usable else None

    def dispose(self) -> None:
        for replica in self.all:
            replica.engine.dispose()


@dataclass
class Route:
    """Where one request's statements go: `replica` once its first read has connected to one, until `primary`."""

    may_use_replica: bool
    replica: Replica | None = None
    primary: bool = False
    wrote: bool = False

    def to_primary(self, wrote: bool) -> None:
        self.primary = True
        self.wrote = self.wrote or wrote


def replicas(app: Flask) -> Replicas | None:
    found: Replicas | None = app.extensions.get(POOL)
    return found


def init_app(app: Flask) -> None:
    """With replicas configured: their engines, and the request hooks that route reads and remember writes."""
    urls = app.config["DATABASE_REPLICA_URLS"]
    if not urls:
        return
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    options["connect_args"] = {**options.get("connect_args", {}), "connect_timeout": CONNECT_TIMEOUT}
    app.extensions[POOL] = Replicas(
        urls, options, app.config["REPLICA_MAX_LAG_SECONDS"], app.config["REPLICA_CHECK_SECONDS"]
    )
    app.before_request(_begin)
    app.after_request(_remember_writes)
    # One set of listeners for db.session, whichever app uses it; they act only inside a request begun above.
    if not event.contains(db.session, "do_orm_execute", _route):
        event.listen(db.session, "do_orm_execute", _route)
        event.listen(db.session, "after_flush", _flushed)


def fence() -> None:
    """Before a committed change's cached views are dropped: the primary's WAL position now (it holds the commit),
    that a replica must have replayed before a request reads from it, so no replica refills them with the past."""
    if replicas(current_app) is None:
        return
    try:
        with db.engine.connect() as connection:
            position = connection.execute(sa.text("SELECT pg_current_wal_flush_lsn()::text")).scalar()
    except UNREACHABLE as error:  # the commit went through; the views are dropped anyway
        log.warning("no replica fence for a change: %s", str(error).splitlines()[0])
        return
    cache.set(FENCE, position, timeout=0)


def _window() -> int:
    """Seconds after a write during which its writer reads from the primary."""
    config = current_app.config
    return max(1, math.ceil(config["REPLICA_MAX_LAG_SECONDS"] + config["REPLICA_CHECK_SECONDS"]))


def _wrote_recently() -> bool:
    try:
        until = int(request.cookies.get(COOKIE, ""))
    except ValueError:  # absent, or not ours: no reason to read from the primary
        return False
    now = time.time()
    return now < until <= now + _window()


def _begin() -> None:
    may = (
        request.method in SAFE_METHODS
        and request.blueprint in current_app.extensions.get(READS, ())
        and not _wrote_recently()
    )
    request.environ[ROUTE] = Route(may_use_replica=may)


def _current() -> Route | None:
    if not has_request_context():
        return None
    route: Route | None = request.environ.get(ROUTE)
    return route


def _route(state: ORMExecuteState) -> None:
    """Send a read of a request that may use a replica to one; anything else moves the request to the primary."""
    route = _current()
    if route is None or route.primary:
        return
    session = state.session
    if not state.is_select or session.new or session.dirty or session.deleted:
        route.to_primary(wrote=state.statement.is_dml)
        return
    if not route.may_use_replica:
        return
    if route.replica is None:
        route.replica = _connect(session)
        if route.replica is None:
            route.to_primary(wrote=False)
            return
    state.bind_arguments["bind"] = route.replica.engine


def _connect(session: Session) -> Replica | None:
    """A usable replica, connected in this session's transaction; None (the primary) if there is none, the one
    chosen fails to connect, or it is behind the fence."""
    pool = replicas(current_app)
    replica = pool.choose() if pool else None
    if replica is None:
        return None
    try:
        connection = session.connection(bind_arguments={"bind": replica.engine})
    except UNREACHABLE as error:
        replica.down(error)
        log.warning("replica %s failed to connect, reading from the primary: %s", replica.name, replica.reason)
        return None
    position = cache.get(FENCE)
    try:
        behind = bool(position) and bool(connection.execute(BEHIND, {"fence": position}).scalar())
    except sa_exc.DBAPIError:  # lost since, or a fence it cannot read: nothing was read from it yet
        return None
    return None if behind else replica


def _flushed(_session: Session, _context: Any) -> None:
    route = _current()
    if route is not None:
        route.to_primary(wrote=True)


def _remember_writes(response: Response) -> Response:
    route = _current()
    if route is not None and route.wrote:
        window = _window()
        response.set_cookie(
            COOKIE,
            str(int(time.time()) + window),
            max_age=window,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response
