package dev.modelops.operator.clients;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * At most a number of asynchronous calls in flight per key (a metric endpoint, a namespace); the
 * others wait in line without holding a thread or a connection. A key's line goes once it is idle,
 * so keys that are no longer used cost nothing.
 */
public final class AsyncLimiter {
  private final int perKey;
  private final Map<String, Line> lines = new ConcurrentHashMap<>();

  public AsyncLimiter(int perKey) {
    this.perKey = Math.max(1, perKey);
  }

  /** Runs {@code call} when the key has a free slot; the slot is freed when it completes. */
  public <T> CompletableFuture<T> submit(String key, Supplier<CompletableFuture<T>> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable start =
        () -> {
          CompletableFuture<T> running;
          try {
            running = call.get();
          } catch (RuntimeException e) {
            running = CompletableFuture.failedFuture(e);
          }
          running.whenComplete(
              (value, error) -> {
                release(key);
                if (error != null) {
                  result.completeExceptionally(error);
                } else {
                  result.complete(value);
                }
              });
        };
    boolean now;
    synchronized (this) {
      Line line = lines.computeIfAbsent(key, k -> new Line());
      now = line.running < perKey;
      if (now) {
        line.running++;
      } else {
        line.waiting.add(start);
      }
    }
    if (now) {
      start.run();
    }
    return result;
  }

  /** Calls in flight or waiting, over all keys (for tests and metrics). */
  public synchronized int pending() {
    return lines.values().stream().mapToInt(l -> l.running + l.waiting.size()).sum();
  }

  private void release(String key) {
    Runnable next;
    synchronized (this) {
      Line line = lines.get(key);
      next = line.waiting.poll();
      if (next == null) {
        line.running--;
        if (line.running == 0) {
          lines.remove(key);
        }
      }
    }
    if (next != null) {
      next.run();
    }
  }

  private static final class Line {
    int running;
    final Deque<Runnable> waiting = new ArrayDeque<>();
  }
}
