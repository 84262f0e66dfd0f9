package org.imaginglakehouse.transform.features;

import java.util.Map;

/**
 * Extension point for site-specific pixel features. An implementation computes named numbers from
 * the decoded (sampled) frames of one instance; {@code lakehouse features} stores them in {@code
 * identifiable.pixel_features.extra_features} as {@code <name()>.<key>}.
 *
 * <p>Register an implementation by listing its class name in {@code
 * META-INF/services/org.imaginglakehouse.transform.features.FeatureExtractor} of a jar on the job's
 * classpath (Java {@link java.util.ServiceLoader}); it needs a public no-argument constructor, must
 * be thread-safe (one instance serves all tasks of an executor) and must not keep pixel data. Keep
 * it cheap: it runs on every decoded instance. Return no value (rather than NaN) when a feature
 * does not apply. Select extractors with the job option {@code extractors} (default: all
 * registered).
 */
public interface FeatureExtractor {
  /** Short lower-case name used as key prefix, e.g. {@code texture}. */
  String name();

  /** Whether extra features marked promotable contain nothing identifying (default true). */
  default boolean promotable() {
    return true;
  }

  /** Computes the features of one instance. */
  Map<String, Double> extract(FeatureInput input);
}
