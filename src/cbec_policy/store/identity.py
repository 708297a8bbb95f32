"""Is the SQLite file still the one the store opened? Refuse to write (or reconnect) when it is not.

A long-running server keeps its SQLite file open. If the file is deleted or replaced under it
(a clean-up script, a restore, a second ``cbec init`` on another path with the same name), the
open connections go on writing into an unlinked inode — acknowledged uploads that no one will
ever read — and every new connection would silently create a fresh, empty database in its
place. The store therefore remembers the file's device and inode once its schema is in place
and checks them (one ``stat``) before each write transaction and before each new connection;
a mismatch is an :class:`InputError` naming the file and what happened, and nothing is written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from cbec_policy.errors import InputError


class FileIdentity:
    """The (device, inode) of one SQLite database file, checked before writes and new connections."""

    def __init__(self, path: Path, masked_url: str) -> None:
        self.path = path
        self.masked_url = masked_url
        self._expected: tuple[int, int] | None = None

    def remember(self) -> None:
        """Record the file as it is now (after the schema is created), the one to keep using."""
        info = os.stat(self.path)
        self._expected = (info.st_dev, info.st_ino)

    def check(self) -> None:
        """Raise :class:`InputError` when the remembered file was deleted or replaced."""
        if self._expected is None:
            return
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            raise InputError(
                f"database {str(self.path)!r}",
                "the database file was deleted while in use; nothing was written "
                "(restore the file, or create a new one with `cbec init`, then restart)",
            ) from None
        if (info.st_dev, info.st_ino) != self._expected:
            raise InputError(
                f"database {str(self.path)!r}",
                "the database file was replaced by another file while in use; nothing was written (restart to use it)",
            )

    def watch(self, engine: Engine) -> None:
        """Check before every new DBAPI connection and every write transaction of ``engine``.

        Registered before the store's own ``begin`` listener, which consumes the write flag.
        """

        def before_connect(*_args: Any) -> None:
            self.check()

        def before_begin(conn: Connection) -> None:
            if conn.info.get("immediate"):  # the store's write transactions (BEGIN IMMEDIATE)
                self.check()

        event.listen(engine, "do_connect", before_connect)
        event.listen(engine, "begin", before_begin)
