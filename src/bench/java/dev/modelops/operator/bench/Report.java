package dev.modelops.operator.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/** Medians over runs, per N: the printed table and the PNG chart. */
final class Report {
  private static final Color[] COLORS = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)
  };
  private final List<Integer> ns;
  private final List<Scenarios.OperatorRun> operator;
  private final List<Scenarios.BaselineRun> baseline;

  Report(
      List<Integer> ns,
      List<Scenarios.OperatorRun> operator,
      List<Scenarios.BaselineRun> baseline) {
    this.ns = ns;
    this.operator = operator;
    this.baseline = baseline;
  }

  private double op(int n, ToDoubleFunction<Scenarios.OperatorRun> value) {
    return Stats.median(
        operator.stream().filter(r -> r.n() == n).map(r -> value.applyAsDouble(r)).toList());
  }

  private double base(int n, ToDoubleFunction<Scenarios.BaselineRun> value) {
    return Stats.median(
        baseline.stream().filter(r -> r.n() == n).map(r -> value.applyAsDouble(r)).toList());
  }

  String table() {
    long runs = operator.stream().filter(r -> r.n() == ns.get(0)).count();
    StringBuilder out = new StringBuilder();
    out.append("Medians of ")
        .append(runs)
        .append(" run(s); ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(
            " cores. Convergence: N ModelDeployments (1 replica) applied at once until all Ready.\n\n");
    out.append(
        "| N | operator: all Ready | baseline: all Ready | baseline/operator | MD Ready/s (operator / baseline) "
            + "| operator reconciles/s | API requests per MD (operator / baseline) | CPU-s (operator / baseline JVM) "
            + "| ClusterIP allocator busy (operator / baseline) | operator writes in idle window |\n"
            + "|---|---|---|---|---|---|---|---|---|---|\n");
    for (int n : ns) {
      double o = op(n, r -> r.convergence().seconds());
      double b = base(n, r -> r.convergence().seconds());
      out.append(
          ("| %d | %.1f s | %.1f s | **%.2f** | %.1f / %.1f | %.1f | %.1f / %.1f | %.1f / %.1f "
                  + "| %.0f %% / %.0f %% | %.0f |\n")
              .formatted(
                  n,
                  o,
                  b,
                  b / o,
                  n / o,
                  n / b,
                  op(n, r -> r.reconciles() / r.convergence().seconds()),
                  op(n, Scenarios.OperatorRun::requestsPerModelDeployment),
                  base(n, Scenarios.BaselineRun::requestsPerModelDeployment),
                  op(n, r -> r.load().controllerCpu()),
                  base(n, r -> r.load().controllerCpu()),
                  op(n, r -> 100 * r.load().clusterIpAllocation() / r.convergence().seconds()),
                  base(n, r -> 100 * r.load().clusterIpAllocation() / r.convergence().seconds()),
                  op(n, r -> r.idleWrites())));
    }
    out.append(
        "\n| N | policies (10 s interval) | evaluation lag p50 | p99 | max | evaluations | edit → Deployment p50 | max |\n"
            + "|---|---|---|---|---|---|---|---|\n");
    for (int n : ns) {
      out.append(
          "| %d | %.0f | %.3f s | %.3f s | %.3f s | %.0f | %.3f s | %.3f s |\n"
              .formatted(
                  n,
                  op(n, r -> r.drift().policies()),
                  op(n, r -> r.drift().lagP50()),
                  op(n, r -> r.drift().lagP99()),
                  op(n, r -> r.drift().lagMax()),
                  op(n, r -> r.drift().evaluations()),
                  op(n, r -> r.drift().editP50()),
                  op(n, r -> r.drift().editMax())));
    }
    out.append("\n| operator cost | live heap after GC | RSS |\n|---|---|---|\n");
    out.append(
        "| N = 0 (after start) | %.0f MiB | %.0f MiB |\n"
            .formatted(
                Stats.median(operator.stream().map(r -> r.memoryAtStart().heapMiB()).toList()),
                Stats.median(operator.stream().map(r -> r.memoryAtStart().rssMiB()).toList())));
    for (int n : ns) {
      out.append(
          "| N = %d ModelDeployments | %.0f MiB | %.0f MiB |\n"
              .formatted(
                  n,
                  op(n, r -> r.memoryConverged().heapMiB()),
                  op(n, r -> r.memoryConverged().rssMiB())));
      out.append(
          "| N = %d + %.0f RetrainPolicies | %.0f MiB | %.0f MiB |\n"
              .formatted(
                  n,
                  op(n, r -> r.drift().policies()),
                  op(n, r -> r.memoryWithPolicies().heapMiB()),
                  op(n, r -> r.memoryWithPolicies().rssMiB())));
    }
    out.append(
        "| startup: launch → first reconcile | %.1f s | |\n"
            .formatted(
                Stats.median(
                    operator.stream().map(Scenarios.OperatorRun::startupSeconds).toList())));
    return out.toString();
  }

  /**
   * Left: share of ModelDeployments Ready over time (operator solid, baseline dashed). Right:
   * memory by N.
   */
  void chart(Path file) throws Exception {
    int width = 1200;
    int height = 480;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));

    double maxSeconds = 1;
    for (var r : operator) {
      maxSeconds = Math.max(maxSeconds, r.convergence().seconds());
    }
    for (var r : baseline) {
      maxSeconds = Math.max(maxSeconds, r.convergence().seconds());
    }
    Plot left = new Plot(g, 70, 50, 480, 360, maxSeconds * 1.05, 100);
    left.axes(
        "seconds after the first create",
        "% Ready",
        "Convergence: operator (solid) vs baseline (dashed)");
    for (int i = 0; i < ns.size(); i++) {
      int n = ns.get(i);
      Color color = COLORS[i % COLORS.length];
      operator.stream()
          .filter(r -> r.n() == n)
          .reduce((a, b) -> b)
          .ifPresent(r -> left.curve(r.convergence().readyAt(), color, false));
      baseline.stream()
          .filter(r -> r.n() == n)
          .reduce((a, b) -> b)
          .ifPresent(r -> left.curve(r.convergence().readyAt(), color, true));
      left.legend(i, color, "N = " + n);
    }

    List<Double> xs = new ArrayList<>(List.of(0.0));
    List<Double> heap =
        new ArrayList<>(
            List.of(
                Stats.median(operator.stream().map(r -> r.memoryAtStart().heapMiB()).toList())));
    List<Double> rss =
        new ArrayList<>(
            List.of(Stats.median(operator.stream().map(r -> r.memoryAtStart().rssMiB()).toList())));
    for (int n : ns) {
      xs.add((double) n);
      heap.add(op(n, r -> r.memoryConverged().heapMiB()));
      rss.add(op(n, r -> r.memoryConverged().rssMiB()));
    }
    double maxMemory = rss.stream().mapToDouble(Double::doubleValue).max().orElse(1) * 1.1;
    Plot right = new Plot(g, 690, 50, 460, 360, xs.get(xs.size() - 1) * 1.05, maxMemory);
    right.axes("ModelDeployments", "MiB", "Operator memory: RSS and live heap after GC");
    right.points(xs, rss, COLORS[0], "RSS", 0);
    right.points(xs, heap, COLORS[1], "live heap", 1);
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }

  private record Plot(Graphics2D g, int x, int y, int w, int h, double maxX, double maxY) {
    int px(double v) {
      return x + (int) (v / maxX * w);
    }

    int py(double v) {
      return y + h - (int) (v / maxY * h);
    }

    void axes(String xLabel, String yLabel, String title) {
      g.setColor(Color.BLACK);
      g.drawRect(x, y, w, h);
      g.drawString(title, x, y - 22);
      g.drawString(xLabel, x + w / 2 - 60, y + h + 38);
      g.drawString(yLabel, x - 55, y - 2);
      for (int i = 0; i <= 4; i++) {
        g.setColor(new Color(0xdddddd));
        g.drawLine(x, py(maxY * i / 4), x + w, py(maxY * i / 4));
        g.setColor(Color.DARK_GRAY);
        g.drawString("%.0f".formatted(maxY * i / 4), x - 45, py(maxY * i / 4) + 5);
        g.drawString("%.0f".formatted(maxX * i / 4), px(maxX * i / 4) - 10, y + h + 18);
      }
    }

    void curve(List<Double> readyAt, Color color, boolean dashed) {
      g.setColor(color);
      g.setStroke(
          dashed
              ? new BasicStroke(
                  2, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {8, 6}, 0)
              : new BasicStroke(2));
      // One path, so that the dash pattern runs along the whole curve.
      java.awt.geom.Path2D.Double path = new java.awt.geom.Path2D.Double();
      path.moveTo(px(0), py(0));
      for (int i = 0; i < readyAt.size(); i++) {
        path.lineTo(px(readyAt.get(i)), py(100.0 * (i + 1) / readyAt.size()));
      }
      g.draw(path);
      g.setStroke(new BasicStroke(1));
    }

    void points(List<Double> xs, List<Double> ys, Color color, String label, int row) {
      g.setColor(color);
      g.setStroke(new BasicStroke(2));
      for (int i = 0; i < xs.size(); i++) {
        g.fillOval(px(xs.get(i)) - 4, py(ys.get(i)) - 4, 8, 8);
        g.drawString("%.0f".formatted(ys.get(i)), px(xs.get(i)) + 6, py(ys.get(i)) - 6);
        if (i > 0) {
          g.drawLine(px(xs.get(i - 1)), py(ys.get(i - 1)), px(xs.get(i)), py(ys.get(i)));
        }
      }
      g.setStroke(new BasicStroke(1));
      legend(row, color, label);
    }

    void legend(int row, Color color, String label) {
      g.setColor(color);
      g.fillRect(x + 12, y + 12 + row * 18, 14, 10);
      g.setColor(Color.BLACK);
      g.drawString(label, x + 32, y + 22 + row * 18);
    }
  }
}
