"""The staff-session store as the session middleware uses it: saving never fails a response.

Litestar's server-side session middleware saves (or deletes) the session when the response
starts, after the handler committed its change. A failure there (the database connection
died a moment later) turned a committed finish into a 500, and the client's retry into a
409. A session that could not be saved costs at most its idle-time renewal (or, on sign-in,
a second sign-in); a committed change answered as failed costs far more. Reading the session
still fails the request: nothing has been done yet then.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from litestar.stores.base import Store

log = logging.getLogger("walkin.sessions")


class SavesNeverFail(Store):
    def __init__(self, inner: Store) -> None:
        self.inner = inner

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        try:
            await self.inner.set(key, value, expires_in)
        except Exception as exc:  # after the commit: log it, answer what was done
            # The session id is a credential: only the kind of failure is logged.
            log.warning("a staff session could not be saved: %s", type(exc).__name__)

    async def delete(self, key: str) -> None:
        try:
            await self.inner.delete(key)
        except Exception as exc:
            # The browser drops its cookie all the same; the stored session then lasts at
            # most until its idle timeout.
            log.warning("a staff session could not be deleted: %s", type(exc).__name__)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        return await self.inner.get(key, renew_for)

    async def delete_all(self) -> None:
        await self.inner.delete_all()

    async def exists(self, key: str) -> bool:
        return await self.inner.exists(key)

    async def expires_in(self, key: str) -> int | None:
        return await self.inner.expires_in(key)
