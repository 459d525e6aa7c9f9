package io.astro.testkit.kube;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code pod-template-hash} a Deployment controller gives a pod template, and the random name
 * suffixes of the pods. Like Kubernetes: FNV-1a (32 bit) of the template, rendered with the "safe"
 * alphabet that has no vowels.
 */
final class PodTemplateHash {

  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

  private PodTemplateHash() {}

  /**
   * Empty lists and maps are dropped before hashing: the official client sends {@code finalizers:
   * []} where other writers send nothing, and a real server's defaulting makes both the same
   * template — no spurious rollout.
   */
  static String of(V1PodTemplateSpec template) {
    JsonElement normalized = withoutEmpties(JsonParser.parseString(JSON.serialize(template)));
    int hash = 0x811c9dc5;
    for (byte b : String.valueOf(normalized).getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x01000193;
    }
    return safeEncode(Integer.toUnsignedString(hash));
  }

  static String randomSuffix() {
    StringBuilder s = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      s.append(ALPHABET.charAt(ThreadLocalRandom.current().nextInt(ALPHABET.length())));
    }
    return s.toString();
  }

  /**
   * A stable pseudo-random suffix for a name, for messages that must not change between reconciles.
   */
  static String stableSuffix(String seed) {
    return safeEncode(String.format("%010d", Integer.toUnsignedLong(seed.hashCode()))).substring(5);
  }

  private static String safeEncode(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      out.append(ALPHABET.charAt(s.charAt(i) % ALPHABET.length()));
    }
    return out.toString();
  }

  private static JsonElement withoutEmpties(JsonElement e) {
    if (e.isJsonObject()) {
      JsonObject out = new JsonObject();
      for (Map.Entry<String, JsonElement> field : e.getAsJsonObject().entrySet()) {
        JsonElement v = withoutEmpties(field.getValue());
        if (!isEmpty(v)) {
          out.add(field.getKey(), v);
        }
      }
      return out;
    }
    if (e.isJsonArray()) {
      JsonArray out = new JsonArray();
      e.getAsJsonArray().forEach(v -> out.add(withoutEmpties(v)));
      return out;
    }
    return e;
  }

  private static boolean isEmpty(JsonElement e) {
    return e.isJsonNull()
        || (e.isJsonObject() && e.getAsJsonObject().size() == 0)
        || (e.isJsonArray() && e.getAsJsonArray().isEmpty());
  }
}
