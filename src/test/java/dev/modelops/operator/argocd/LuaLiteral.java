package dev.modelops.operator.argocd;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * A Kubernetes object as a Lua table constructor, as Argo CD hands it to its scripts: objects
 * become tables keyed by field name, arrays become sequences (1-based), null fields are absent.
 */
final class LuaLiteral {
  private LuaLiteral() {}

  static String of(JsonNode node) {
    StringBuilder out = new StringBuilder();
    append(out, node);
    return out.toString();
  }

  private static void append(StringBuilder out, JsonNode node) {
    if (node.isObject()) {
      out.append('{');
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (field.getValue().isNull()) {
          continue;
        }
        out.append('[');
        string(out, field.getKey());
        out.append("]=");
        append(out, field.getValue());
        out.append(',');
      }
      out.append('}');
    } else if (node.isArray()) {
      out.append('{');
      for (JsonNode item : node) {
        if (item.isNull()) {
          throw new IllegalArgumentException(
              "a null inside an array has no Lua equivalent: " + node);
        }
        append(out, item);
        out.append(',');
      }
      out.append('}');
    } else if (node.isTextual()) {
      string(out, node.asText());
    } else if (node.isIntegralNumber()) {
      out.append(node.asText());
    } else if (node.isNumber()) {
      out.append(Double.toString(node.asDouble()));
    } else if (node.isBoolean()) {
      out.append(node.asBoolean());
    } else {
      throw new IllegalArgumentException("cannot write " + node.getNodeType() + " as Lua");
    }
  }

  /**
   * A double-quoted Lua string; control characters as decimal escapes, other bytes as they are
   * (UTF-8).
   */
  private static void string(StringBuilder out, String value) {
    out.append('"');
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append('\\').append(String.format("%03d", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
