"""The steady-rate loop: one request every 1/RATE seconds, answered by a small pool of threads, each
answer's true label fed back FEEDBACK_DELAY seconds later."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from .batches import TrafficRecorder
from .client import ModelClient
from .stats import Stats
from .traffic import IrisSampler

log = logging.getLogger(__name__)


class FeedbackScheduler:
    """Sends each feedback at its due time from one thread (a timer thread per request would not scale)."""

    def __init__(self, client: ModelClient, stats: Stats):
        self._client = client
        self._stats = stats
        self._queue: list = []
        self._order = itertools.count()
        self._condition = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="feedback", daemon=True)
        self._thread.start()

    def schedule(self, due: float, request_id: str, row, label: int) -> None:
        with self._condition:
            heapq.heappush(self._queue, (due, next(self._order), request_id, row, label))
            self._condition.notify()

    def close(self, timeout: float) -> None:
        """Send what is still pending (at its due time), then stop."""
        with self._condition:
            self._closed = True
            self._condition.notify()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._condition:
                while True:
                    if not self._queue:
                        if self._closed:
                            return
                        self._condition.wait()
                        continue
                    wait = self._queue[0][0] - time.monotonic()
                    if wait <= 0:
                        _, _, request_id, row, label = heapq.heappop(self._queue)
                        break
                    self._condition.wait(wait)
            self._stats.record_feedback(self._client.send_feedback(request_id, row, label))


class LoadGenerator:
    def __init__(self, client: ModelClient, sampler: IrisSampler, stats: Stats, rate: float,
                 feedback_delay: float | None, concurrency: int = 4, recorder: TrafficRecorder | None = None,
                 log_interval: float = 30.0):
        if rate <= 0:
            raise ValueError("RATE must be > 0 requests per second")
        self.client = client
        self.sampler = sampler
        self.stats = stats
        self.rate = rate
        self.feedback_delay = feedback_delay
        self.recorder = recorder
        self.log_interval = log_interval
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="request")
        # At most `concurrency` requests in flight: when the server is slower than the rate, the
        # generator falls behind rather than queueing without bound.
        self._slots = threading.BoundedSemaphore(concurrency)
        self._stop = threading.Event()
        self._feedback = FeedbackScheduler(client, stats) if feedback_delay is not None else None

    def stop(self) -> None:
        self._stop.set()

    def set_shift(self, amount: float) -> None:
        self.sampler.shift = amount
        self.stats.shift = amount
        log.info("input shift is now %.3f standard deviations", amount)

    def run(self, max_requests: int = 0, duration: float = 0) -> dict:
        """Send until stopped, or `max_requests` requests / `duration` seconds (0: no limit); returns /stats."""
        self.stats.shift = self.sampler.shift
        started = time.monotonic()
        next_log = started + self.log_interval
        for number in itertools.count():
            if max_requests and number >= max_requests:
                break
            due = started + number / self.rate
            if duration and due - started >= duration:
                break
            if self._stop.wait(max(0.0, due - time.monotonic())):
                break
            self._slots.acquire()
            self._pool.submit(self._one_request)
            if self.log_interval and time.monotonic() >= next_log:
                next_log += self.log_interval
                self._log_progress()
        self._pool.shutdown(wait=True)
        if self._feedback:
            self._feedback.close(timeout=self.feedback_delay + 2 * self.client.timeout + 5)
        if self.recorder:
            self.recorder.flush(self.sampler.shift)
        return self.stats.as_json()

    def _log_progress(self) -> None:
        s = self.stats
        log.info("sent %d, ok %d, failed %d %s, retried %d, feedback %s, shift %.2f", s.sent, s.ok, s.failed,
                 {k: v for k, v in s.failures.items() if v}, s.retried, dict(s.feedback), s.shift)

    def _one_request(self) -> None:
        try:
            row, label = self.sampler.sample()
            request_id = uuid.uuid4().hex
            self.stats.record_sent()
            started = time.perf_counter()
            answer = self.client.infer(request_id, row, self.stats)
            self.stats.latency.observe(time.perf_counter() - started)
            if answer.failure:
                self.stats.record_failure(answer.failure)
                return
            self.stats.record_answer(row, label, answer.predicted)
            if self._feedback:
                self._feedback.schedule(time.monotonic() + self.feedback_delay, request_id, row, label)
            if self.recorder:
                self.recorder.add(row, label, self.sampler.shift)
        except Exception:  # a bug here must not silently stop the traffic
            log.exception("request failed unexpectedly")
            self.stats.record_failure("bad_response")
        finally:
            self._slots.release()
