package org.imaginglakehouse.transform.features;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import org.imaginglakehouse.core.LakehouseException;

/** Finds the registered {@link FeatureExtractor}s (ServiceLoader) and selects them by name. */
public final class FeatureRegistry {
  private FeatureRegistry() {}

  /** All registered extractors, sorted by name. */
  public static List<FeatureExtractor> all() {
    TreeMap<String, FeatureExtractor> byName = new TreeMap<>();
    for (FeatureExtractor e : ServiceLoader.load(FeatureExtractor.class, classLoader())) {
      if (!e.name().matches("[a-z][a-z0-9_]*")) {
        throw new LakehouseException(
            "Feature extractor "
                + e.getClass().getName()
                + " has invalid name '"
                + e.name()
                + "': use lower-case letters, digits and _");
      }
      FeatureExtractor previous = byName.put(e.name(), e);
      if (previous != null && previous.getClass() != e.getClass()) {
        throw new LakehouseException(
            "Two feature extractors are named '"
                + e.name()
                + "': "
                + previous.getClass().getName()
                + " and "
                + e.getClass().getName());
      }
    }
    return new ArrayList<>(byName.values());
  }

  /** The extractors named in {@code names} ("all" or empty = every registered one). */
  public static List<FeatureExtractor> select(Set<String> names) {
    List<FeatureExtractor> all = all();
    if (names.isEmpty() || names.contains("all")) {
      return all;
    }
    List<FeatureExtractor> out = new ArrayList<>();
    for (String name : names) {
      FeatureExtractor found =
          all.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
      if (found == null) {
        throw new LakehouseException(
            "Unknown feature extractor '"
                + name
                + "'; registered: "
                + all.stream().map(FeatureExtractor::name).toList());
      }
      out.add(found);
    }
    return out;
  }

  private static ClassLoader classLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : FeatureRegistry.class.getClassLoader();
  }
}
