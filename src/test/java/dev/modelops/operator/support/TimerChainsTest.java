package dev.modelops.operator.support;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TimerChainsTest {
  final TimerChains<String> chains = new TimerChains<>("test-timers");
  final List<String> runs = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    chains.shutdown();
  }

  void record(String key, TimerChains.Chain chain) {
    runs.add(key + ":" + chain.tag());
  }

  @Test
  void oneChainPerKeyAndTagANewTagReplacesIt() {
    assertTrue(chains.start("a", "v1", Duration.ofMillis(300), this::record));
    assertFalse(chains.start("a", "v1", Duration.ZERO, this::record), "running for that tag");
    assertTrue(chains.start("a", "v2", Duration.ZERO, this::record), "another tag replaces it");
    await().atMost(Duration.ofSeconds(5)).until(() -> runs.contains("a:v2"));
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !runs.contains("a:v1"));
  }

  @Test
  void aChainRunsAgainOnlyWhenItAsksAndUntilItIsCancelled() {
    chains.start(
        "b",
        "t",
        Duration.ZERO,
        new java.util.function.BiConsumer<>() {
          @Override
          public void accept(String key, TimerChains.Chain chain) {
            record(key, chain);
            if (runs.size() < 3) {
              chains.next(key, chain, Duration.ofMillis(10), this);
            }
          }
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> runs.size() == 3);
    assertEquals(List.of("b:t", "b:t", "b:t"), runs);

    chains.start("c", "t", Duration.ofMillis(200), this::record);
    chains.cancel("c");
    await()
        .during(Duration.ofMillis(400))
        .atMost(Duration.ofSeconds(2))
        .until(() -> runs.size() == 3);
    assertTrue(
        chains.start("c", "t", Duration.ZERO, this::record), "a cancelled key starts afresh");
  }
}
