package io.astro.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Renders a kustomization the way {@code kubectl kustomize} does, for the subset of kustomize that
 * k8s/ uses: {@code resources} (files and directories), {@code namespace}, {@code
 * configMapGenerator} (files), {@code images}, {@code replicas} and {@code patches}
 * (strategic-merge patches keyed by kind and name, and JSON 6902 patches with a target). Anything
 * else in a kustomization fails the render, so the manifests cannot drift into features these
 * checks do not see. Two known differences, by design: generated ConfigMaps keep their plain name
 * (kustomize adds a content hash and rewrites the references), and no defaults are added. {@link
 * KustomizeCrossCheckTest} compares this with the real kustomize when kubectl is at hand.
 */
final class Kustomize {

  private static final Set<String> KNOWN =
      Set.of(
          "apiVersion",
          "kind",
          "namespace",
          "resources",
          "images",
          "replicas",
          "patches",
          "configMapGenerator");

  /** Kinds without a namespace (of those Astro could use). */
  static final Set<String> CLUSTER_SCOPED =
      Set.of(
          "Namespace",
          "ClusterRole",
          "ClusterRoleBinding",
          "CustomResourceDefinition",
          "PersistentVolume",
          "StorageClass",
          "PriorityClass");

  private static final Set<String> WORKLOADS =
      Set.of("Deployment", "StatefulSet", "DaemonSet", "Job");

  private Kustomize() {}

  static Yaml yaml() {
    return new Yaml(new SafeConstructor(new LoaderOptions()));
  }

  /** Every document of {@code file}, as plain maps. */
  static List<Map<String, Object>> documents(Path file) {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : yaml().loadAll(Repo.read(file))) {
      if (doc == null) {
        continue;
      }
      if (!(doc instanceof Map)) {
        throw new IllegalStateException(file + ": a document that is not a mapping");
      }
      docs.add(cast(doc));
    }
    return docs;
  }

  /** The objects the kustomization in {@code dir} renders to. */
  static List<Map<String, Object>> render(Path dir) {
    Path file = dir.resolve("kustomization.yaml");
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("no kustomization.yaml in " + dir);
    }
    Map<String, Object> k = cast(yaml().load(Repo.read(file)));
    for (String key : k.keySet()) {
      if (!KNOWN.contains(key)) {
        throw new IllegalStateException(
            file + ": '" + key + "' is not rendered by these checks (Kustomize.java)");
      }
    }
    if (!"Kustomization".equals(k.get("kind"))) {
      throw new IllegalStateException(file + ": kind must be Kustomization");
    }
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Object entry : list(k.get("resources"))) {
      Path resource = dir.resolve((String) entry).normalize();
      if (Files.isDirectory(resource)) {
        objects.addAll(render(resource));
      } else {
        objects.addAll(documents(resource));
      }
    }
    for (Object generator : list(k.get("configMapGenerator"))) {
      objects.add(configMap(dir, cast(generator)));
    }
    for (Object patch : list(k.get("patches"))) {
      applyPatch(dir, cast(patch), objects);
    }
    String namespace = (String) k.get("namespace");
    if (namespace != null) {
      for (Map<String, Object> o : objects) {
        if (!CLUSTER_SCOPED.contains(o.get("kind"))) {
          metadata(o).put("namespace", namespace);
        }
      }
    }
    for (Object image : list(k.get("images"))) {
      setImage(cast(image), objects);
    }
    for (Object replicas : list(k.get("replicas"))) {
      Map<String, Object> r = cast(replicas);
      only(r, Set.of("name", "count"), "replicas");
      Map<String, Object> target =
          objects.stream()
              .filter(o -> Set.of("Deployment", "StatefulSet").contains(o.get("kind")))
              .filter(o -> r.get("name").equals(metadata(o).get("name")))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "replicas: no Deployment/StatefulSet " + r.get("name")));
      cast(target.get("spec")).put("replicas", r.get("count"));
    }
    return objects;
  }

  private static Map<String, Object> configMap(Path dir, Map<String, Object> generator) {
    only(generator, Set.of("name", "files"), "configMapGenerator");
    Map<String, Object> data = new LinkedHashMap<>();
    for (Object f : list(generator.get("files"))) {
      String spec = (String) f;
      if (spec.contains("=")) {
        throw new IllegalStateException(
            "configMapGenerator: key=path files are not rendered here: " + spec);
      }
      Path file = dir.resolve(spec);
      data.put(file.getFileName().toString(), Repo.read(file));
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", generator.get("name"));
    Map<String, Object> cm = new LinkedHashMap<>();
    cm.put("apiVersion", "v1");
    cm.put("kind", "ConfigMap");
    cm.put("metadata", metadata);
    cm.put("data", data);
    return cm;
  }

  private static void applyPatch(
      Path dir, Map<String, Object> patch, List<Map<String, Object>> objects) {
    only(patch, Set.of("path", "target"), "patches");
    Path file = dir.resolve((String) patch.get("path"));
    List<Object> contents = new ArrayList<>();
    yaml().loadAll(Repo.read(file)).forEach(contents::add);
    Object content = contents.size() == 1 ? contents.get(0) : null;
    Map<String, Object> target = patch.get("target") == null ? null : cast(patch.get("target"));
    if (target != null) {
      only(target, Set.of("kind", "name"), "patches.target");
    }
    if (content instanceof List<?> ops) {
      if (target == null) {
        throw new IllegalStateException(file + ": a JSON 6902 patch needs a target");
      }
      List<Map<String, Object>> matched = select(objects, target);
      for (Map<String, Object> o : matched) {
        for (Object op : ops) {
          JsonPatch.apply(o, cast(op), file);
        }
      }
      return;
    }
    for (Object doc : contents) {
      Map<String, Object> smp = cast(doc);
      Map<String, Object> selector =
          target != null
              ? target
              : Map.of("kind", smp.get("kind"), "name", metadata(smp).get("name"));
      for (Map<String, Object> o : select(objects, selector)) {
        Map<String, Object> body = new LinkedHashMap<>(smp);
        if (target != null) {
          // with a target, the patch's own name does not select anything
          body.remove("metadata");
          if (smp.get("metadata") instanceof Map<?, ?> m) {
            Map<String, Object> meta = new LinkedHashMap<>(cast(m));
            meta.remove("name");
            body.put("metadata", meta);
          }
        }
        StrategicMerge.merge(o, body, file.toString());
      }
    }
  }

  private static List<Map<String, Object>> select(
      List<Map<String, Object>> objects, Map<String, Object> target) {
    List<Map<String, Object>> matched =
        objects.stream()
            .filter(o -> target.get("kind") == null || target.get("kind").equals(o.get("kind")))
            .filter(
                o ->
                    target.get("name") == null
                        || target.get("name").equals(metadata(o).get("name")))
            .toList();
    if (matched.isEmpty()) {
      throw new IllegalStateException("a patch matches nothing: " + target);
    }
    return matched;
  }

  private static void setImage(Map<String, Object> image, List<Map<String, Object>> objects) {
    only(image, Set.of("name", "newName", "newTag", "digest"), "images");
    String name = (String) image.get("name");
    int hits = 0;
    for (Map<String, Object> o : objects) {
      for (Map<String, Object> c : containers(o)) {
        String current = (String) c.get("image");
        if (current == null || !name.equals(imageName(current))) {
          continue;
        }
        String newName = image.get("newName") != null ? (String) image.get("newName") : name;
        String tag = current.substring(imageName(current).length());
        if (image.get("newTag") != null) {
          tag = ":" + image.get("newTag");
        }
        if (image.get("digest") != null) {
          tag = "@" + image.get("digest");
        }
        c.put("image", newName + tag);
        hits++;
      }
    }
    if (hits == 0) {
      throw new IllegalStateException("images: no container runs " + name);
    }
  }

  /** The image reference without its tag or digest. */
  static String imageName(String image) {
    String withoutDigest = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    int slash = withoutDigest.lastIndexOf('/');
    int colon = withoutDigest.lastIndexOf(':');
    return colon > slash ? withoutDigest.substring(0, colon) : withoutDigest;
  }

  /** The pod template of a workload, or null. */
  static Map<String, Object> podTemplate(Map<String, Object> o) {
    if (!WORKLOADS.contains(o.get("kind"))) {
      return null;
    }
    return cast(cast(o.get("spec")).get("template"));
  }

  /** The containers and init containers of a workload's pod template (empty for other kinds). */
  static List<Map<String, Object>> containers(Map<String, Object> o) {
    Map<String, Object> template = podTemplate(o);
    if (template == null) {
      return List.of();
    }
    Map<String, Object> spec = cast(template.get("spec"));
    List<Map<String, Object>> all = new ArrayList<>();
    for (String key : List.of("initContainers", "containers")) {
      for (Object c : list(spec.get(key))) {
        all.add(cast(c));
      }
    }
    return all;
  }

  static Map<String, Object> metadata(Map<String, Object> o) {
    return cast(Objects.requireNonNull(o.get("metadata"), "an object without metadata: " + o));
  }

  private static void only(Map<String, Object> map, Set<String> allowed, String where) {
    for (String key : map.keySet()) {
      if (!allowed.contains(key)) {
        throw new IllegalStateException(
            where + ": '" + key + "' is not rendered by these checks (Kustomize.java)");
      }
    }
  }

  /**
   * A deep copy of plain YAML data: a value patched into several objects must not be shared by
   * them.
   */
  static Object copy(Object value) {
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put((String) k, copy(v)));
      return out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(v -> out.add(copy(v)));
      return out;
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object value) {
    return value == null ? List.of() : (List<Object>) value;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> cast(Object value) {
    return (Map<String, Object>) value;
  }

  /**
   * Kustomize's strategic merge for the fields Astro patches: maps merge, lists of named items
   * merge by name.
   */
  static final class StrategicMerge {
    private StrategicMerge() {}

    static void merge(Map<String, Object> into, Map<String, Object> patch, String where) {
      for (Map.Entry<String, Object> e : patch.entrySet()) {
        String key = e.getKey();
        Object value = e.getValue();
        if (key.startsWith("$")) {
          throw new IllegalStateException(
              where + ": patch directive " + key + " is not rendered here");
        }
        Object current = into.get(key);
        if (value == null) {
          into.remove(key);
        } else if (value instanceof Map<?, ?> m && current instanceof Map<?, ?> c) {
          merge(cast(c), cast(m), where);
        } else if (value instanceof List<?> l
            && current instanceof List<?> c
            && named(l)
            && named(c)) {
          into.put(key, mergeNamed(c, l, where));
        } else {
          into.put(key, copy(value));
        }
      }
    }

    private static boolean named(List<?> list) {
      return !list.isEmpty()
          && list.stream().allMatch(i -> i instanceof Map<?, ?> m && m.get("name") != null);
    }

    // kustomize puts the patch's new items first, in the patch's order, then the current ones
    private static List<Object> mergeNamed(List<?> current, List<?> patch, String where) {
      List<Object> merged = new ArrayList<>(current);
      List<Object> added = new ArrayList<>();
      for (Object p : patch) {
        Map<String, Object> item = cast(p);
        Map<String, Object> existing =
            merged.stream()
                .map(Kustomize::cast)
                .filter(c -> item.get("name").equals(c.get("name")))
                .findFirst()
                .orElse(null);
        if (existing != null) {
          merge(existing, item, where);
        } else {
          added.add(copy(item));
        }
      }
      added.addAll(merged);
      return added;
    }
  }

  /** JSON 6902 (add, replace, remove) on plain maps and lists. */
  static final class JsonPatch {
    private JsonPatch() {}

    static void apply(Map<String, Object> doc, Map<String, Object> op, Path where) {
      String verb = (String) op.get("op");
      String path = (String) op.get("path");
      if (!Set.of("add", "replace", "remove").contains(verb)
          || path == null
          || !path.startsWith("/")) {
        throw new IllegalStateException(
            where + ": only add/replace/remove with a path are rendered here: " + op);
      }
      String[] parts = path.substring(1).split("/");
      Object parent = doc;
      for (int i = 0; i < parts.length - 1; i++) {
        parent = child(parent, unescape(parts[i]), where, path);
      }
      String last = unescape(parts[parts.length - 1]);
      if (parent instanceof Map<?, ?> m) {
        Map<String, Object> map = cast(m);
        if (!"add".equals(verb) && !map.containsKey(last)) {
          throw new IllegalStateException(where + ": " + verb + " of a missing " + path);
        }
        if ("remove".equals(verb)) {
          map.remove(last);
        } else {
          map.put(last, copy(op.get("value")));
        }
      } else if (parent instanceof List<?> l) {
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) l;
        if ("add".equals(verb) && "-".equals(last)) {
          list.add(copy(op.get("value")));
          return;
        }
        int index = Integer.parseInt(last);
        switch (verb) {
          case "add" -> list.add(index, copy(op.get("value")));
          case "replace" -> list.set(index, copy(op.get("value")));
          default -> list.remove(index);
        }
      } else {
        throw new IllegalStateException(where + ": " + path + " does not lead into a map or list");
      }
    }

    private static Object child(Object parent, String key, Path where, String path) {
      Object next =
          parent instanceof Map<?, ?> m
              ? m.get(key)
              : parent instanceof List<?> l
                      && key.matches("\\d+")
                      && Integer.parseInt(key) < l.size()
                  ? l.get(Integer.parseInt(key))
                  : null;
      if (next == null) {
        throw new IllegalStateException(where + ": " + path + " does not exist");
      }
      return next;
    }

    private static String unescape(String token) {
      return token.replace("~1", "/").replace("~0", "~");
    }
  }
}
