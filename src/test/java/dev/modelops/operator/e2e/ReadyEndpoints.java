package dev.modelops.operator.e2e;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every state of a Service's ready endpoints while it is watched (its EndpointSlices, as kube-proxy
 * sees them): the fewest ready endpoints it ever had, once it had one.
 */
final class ReadyEndpoints implements AutoCloseable {
  private final Map<String, Integer> readyBySlice = new ConcurrentHashMap<>();
  private final List<Integer> history = new ArrayList<>();
  private final Watch watch;
  private int fewest = Integer.MAX_VALUE;

  ReadyEndpoints(String namespace, String service) {
    watch =
        RealWorkloads.api()
            .discovery()
            .v1()
            .endpointSlices()
            .inNamespace(namespace)
            .withLabel("kubernetes.io/service-name", service)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, EndpointSlice slice) {
                    record(action, slice);
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
  }

  private synchronized void record(Watcher.Action action, EndpointSlice slice) {
    String name = slice.getMetadata().getName();
    if (action == Watcher.Action.DELETED) {
      readyBySlice.remove(name);
    } else {
      int ready = 0;
      for (Endpoint e : slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()) {
        if (e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady())) {
          ready++;
        }
      }
      readyBySlice.put(name, ready);
    }
    int total = readyBySlice.values().stream().mapToInt(Integer::intValue).sum();
    history.add(total);
    if (total > 0 || fewest != Integer.MAX_VALUE) {
      fewest = Math.min(fewest, total);
    }
  }

  /** The fewest ready endpoints seen since the first ready one (MAX_VALUE: none yet). */
  synchronized int fewest() {
    return fewest;
  }

  /** The ready count after each change, for a failure message. */
  synchronized List<Integer> history() {
    return List.copyOf(history);
  }

  synchronized int current() {
    return readyBySlice.values().stream().mapToInt(Integer::intValue).sum();
  }

  @Override
  public void close() {
    watch.close();
  }
}
