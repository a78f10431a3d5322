package dev.modelops.operator.support;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * One chain of timed runs per key (a resource), all on one timer thread. A run does its work
 * asynchronously and asks for the next one when that work is done ({@link #next}), so a key never
 * has two runs in flight however slow the work is; a chain that was replaced or cancelled runs no
 * more. Used by the drift measurements and the registry lookups: the number of resources sets the
 * load, not a pool size, and nothing runs on a reconcile thread.
 */
public final class TimerChains<K> {
  /** A chain of runs; {@code tag} names what it runs for (e.g. the reference it looks up). */
  public record Chain(long id, Object tag) {}

  private final ScheduledExecutorService timers;
  private final Map<K, Chain> chains = new ConcurrentHashMap<>();
  private final Map<K, ScheduledFuture<?>> scheduled = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  public TimerChains(String threadName) {
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts a chain for the key, its first run after {@code delay}, unless a chain for the same tag
   * runs already; a chain for another tag is replaced.
   *
   * @return whether a chain started
   */
  public boolean start(K key, Object tag, Duration delay, BiConsumer<K, Chain> run) {
    Chain chain = new Chain(ids.incrementAndGet(), tag);
    Chain before = chains.get(key);
    if (before != null && Objects.equals(before.tag(), tag)) {
      return false;
    }
    boolean started =
        before == null
            ? chains.putIfAbsent(key, chain) == null
            : chains.replace(key, before, chain);
    if (!started) {
      return false;
    }
    if (before != null) {
      cancelTimer(key);
    }
    next(key, chain, delay, run);
    return true;
  }

  /** The chain's next run after {@code delay}, if the chain is still the key's. */
  public void next(K key, Chain chain, Duration delay, BiConsumer<K, Chain> run) {
    if (!current(key, chain)) {
      return;
    }
    try {
      scheduled.put(
          key,
          timers.schedule(
              () -> {
                if (current(key, chain)) {
                  run.accept(key, chain);
                }
              },
              delay.toMillis(),
              TimeUnit.MILLISECONDS));
    } catch (RuntimeException e) {
      // Only a stopped timer refuses; nothing runs after a stop anyway.
      end(key, chain);
    }
  }

  public boolean current(K key, Chain chain) {
    return Objects.equals(chains.get(key), chain);
  }

  /** The key's chain, if it is this one, ends: no further run is scheduled for it. */
  public void end(K key, Chain chain) {
    chains.remove(key, chain);
  }

  /** Ends the key's chain, whichever it is, and its pending run. */
  public void cancel(K key) {
    chains.remove(key);
    cancelTimer(key);
  }

  public void shutdown() {
    timers.shutdownNow();
  }

  private void cancelTimer(K key) {
    ScheduledFuture<?> future = scheduled.remove(key);
    if (future != null) {
      future.cancel(false);
    }
  }
}
