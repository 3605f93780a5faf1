"""The console's outbox worker: sends the queued notifications in a background thread, at once
after a change and every `interval` seconds. `send(store, smtp)` is the mailer's function
(knowledge.tickets.send_with_settings), given by the console."""
from __future__ import annotations

import logging
import threading
from typing import Callable

log = logging.getLogger("aiguillage.console")


class Notifier:
    def __init__(self, store, smtp, send: Callable, interval: float = 30.0) -> None:
        self.store, self.smtp, self.send, self.interval = store, smtp, send, interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None

    def start(self) -> None:
        """Start the worker (no SMTP settings: nothing to send, no worker)."""
        if self.smtp is None or self._worker is not None:
            return

        def run():
            while not self._stop.is_set():
                try:
                    self.send(self.store, self.smtp)
                except Exception:  # noqa: BLE001 - keep the worker alive; rows stay in the outbox
                    log.exception("notification worker failed")
                self._wake.wait(self.interval)
                self._wake.clear()

        self._worker = threading.Thread(target=run, name="aiguillage-notify", daemon=True)
        self._worker.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def wake(self) -> None:
        """Send soon: a request was created or its status changed."""
        self._wake.set()
