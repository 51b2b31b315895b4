"""gunicorn's threaded worker with deadlines on what clients send (issue 10).

gunicorn's own workers wait for a client for ever: a sync worker reading a request
is stuck until the worker timeout kills it (then the next slow client takes it), and a
gthread thread reading a slow body is never reclaimed. This worker keeps gthread's
design (idle connections wait in one selector, threads only serve requests that have
started to arrive) and adds three deadlines:

* ``PHIEU_READ_TIMEOUT`` (default 10 s): once a request's first bytes are readable,
  its request line, headers **and body** may keep the server waiting this long in
  total, however the bytes trickle in (a per-``recv`` timeout would let one byte every
  2 s through). Past it the read fails and the thread is free again;
* a new connection that sends nothing is closed after ``keepalive`` seconds, like an
  idle keep-alive connection (gthread keeps those for ever);
* writing a response waits at most ``PHIEU_WRITE_TIMEOUT`` (default 30 s) per send.

The application reads every request body before it opens a transaction
(ballot.db), so a slow client occupies one thread for at most the read deadline and
never a database lock.
"""

from __future__ import annotations

import errno
import os
import selectors
import socket
import time
from functools import partial
from typing import Any

from gunicorn import http, sock
from gunicorn.workers.gthread import TConn, ThreadWorker

READ_TIMEOUT = float(os.environ.get("PHIEU_READ_TIMEOUT", "10"))
WRITE_TIMEOUT = float(os.environ.get("PHIEU_WRITE_TIMEOUT", "30"))


class DeadlineSocket:
    """What the request parser reads from: at most ``READ_TIMEOUT`` s waiting for data.

    The budget counts only the time spent waiting in ``recv`` (the client's slowness),
    not the time the server spends between reads: an overloaded server must not turn
    its own delays into 408s for honest members.
    """

    def __init__(self, raw: socket.socket) -> None:
        self._raw = raw
        self.budget = READ_TIMEOUT

    def recv(self, size: int) -> bytes:
        """Receive, or fail once the request's waiting budget is used up.

        The failure is an ``ENOTCONN`` OSError: gunicorn then drops the connection with
        a debug line instead of logging a traceback for every slow client.
        """
        if self.budget <= 0:
            raise OSError(errno.ENOTCONN, "request read deadline passed")
        self._raw.settimeout(self.budget)
        start = time.monotonic()
        try:
            return self._raw.recv(size)
        except TimeoutError:
            raise OSError(errno.ENOTCONN, "request read deadline passed") from None
        finally:
            self.budget -= time.monotonic() - start
            self._raw.settimeout(WRITE_TIMEOUT)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class DeadlineConn(TConn):  # type: ignore[misc]
    """A connection whose parser reads through a :class:`DeadlineSocket`."""

    reader: DeadlineSocket

    def init(self) -> None:
        """Called each time a request starts to arrive: a fresh waiting budget."""
        self.initialized = True
        self.sock.setblocking(True)
        if self.parser is None:
            if self.cfg.is_ssl:
                self.sock = sock.ssl_wrap_socket(self.sock, self.cfg)
            self.reader = DeadlineSocket(self.sock)
            self.parser = http.RequestParser(self.cfg, self.reader, self.client)
        self.reader.budget = READ_TIMEOUT


class DeadlineThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gthread with read deadlines and a time limit on silent new connections."""

    def accept(self, server: Any, listener: socket.socket) -> None:
        """Accept, and close the connection after ``keepalive`` s if it sends nothing."""
        try:
            raw, client = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        conn = DeadlineConn(self.cfg, raw, client, server)
        self.nr_conns += 1
        conn.set_timeout()
        with self._lock:
            self._keep.append(conn)  # murder_keepalived closes it when silent too long
            self.poller.register(
                conn.sock, selectors.EVENT_READ, partial(self.on_client_socket_readable, conn)
            )

    def on_client_socket_readable(self, conn: DeadlineConn, client: Any) -> None:
        """Hand a readable connection to a thread (new ones leave the idle list too)."""
        with self._lock:
            self.poller.unregister(client)
            try:
                self._keep.remove(conn)
            except ValueError:  # closed as idle in between
                return
        self.enqueue_req(conn)
