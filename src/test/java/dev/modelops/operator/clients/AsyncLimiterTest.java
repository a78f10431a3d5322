package dev.modelops.operator.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AsyncLimiterTest {
  @Test
  void atMostTheLimitRunsPerKeyAndTheRestWaitInOrder() {
    AsyncLimiter limiter = new AsyncLimiter(2);
    AtomicInteger started = new AtomicInteger();
    List<CompletableFuture<Integer>> calls = new ArrayList<>();
    List<CompletableFuture<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      CompletableFuture<Integer> call = new CompletableFuture<>();
      calls.add(call);
      results.add(
          limiter.submit(
              "endpoint",
              () -> {
                started.incrementAndGet();
                return call;
              }));
    }
    assertEquals(2, started.get(), "two in flight");
    CompletableFuture<Integer> other =
        limiter.submit("other", () -> CompletableFuture.completedFuture(9));
    assertEquals(9, other.join(), "another key has its own slots");

    calls.get(0).complete(0);
    assertEquals(3, started.get(), "a finished call lets the next one start");
    calls.get(1).completeExceptionally(new IllegalStateException("down"));
    assertEquals(4, started.get(), "so does a failed one");
    assertTrue(results.get(1).isCompletedExceptionally());
    calls.get(2).complete(2);
    calls.get(3).complete(3);
    calls.get(4).complete(4);
    assertEquals(4, results.get(4).join());
    assertEquals(0, limiter.pending(), "idle keys are forgotten");
    assertFalse(results.get(0).isCompletedExceptionally());
  }
}
