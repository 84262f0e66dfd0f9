package org.imaginglakehouse.synth;

import java.math.BigInteger;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic random helpers: every stream is derived from the seed and stable keys. */
final class Rand {
  private Rand() {}

  /** A 64-bit mix (SplitMix64 finaliser). */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A stream for (seed, keys...), independent of thread scheduling. */
  static SplittableRandom stream(long seed, long... keys) {
    long h = mix(seed ^ 0x5DEECE66DL);
    for (long k : keys) {
      h = mix(h ^ mix(k + 0x9E3779B97F4A7C15L));
    }
    return new SplittableRandom(h);
  }

  /** A UID under the 2.25 root (UUID-derived integer form) from (seed, keys...). */
  static String uid(long seed, long... keys) {
    SplittableRandom r = stream(seed ^ 0x2525L, keys);
    long hi = r.nextLong() & 0x7fffffffffffffffL;
    long lo = r.nextLong();
    BigInteger v =
        BigInteger.valueOf(hi).shiftLeft(64).or(new BigInteger(Long.toUnsignedString(lo)));
    return "2.25." + v;
  }

  static <T> T pick(SplittableRandom r, List<T> list) {
    return list.get(r.nextInt(list.size()));
  }

  static boolean chance(SplittableRandom r, double p) {
    return r.nextDouble() < p;
  }

  /** Index drawn with the given relative weights. */
  static int weighted(SplittableRandom r, double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double x = r.nextDouble() * total;
    for (int i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  static int poisson(SplittableRandom r, double mean) {
    double l = Math.exp(-mean);
    int k = 0;
    double p = 1;
    do {
      k++;
      p *= r.nextDouble();
    } while (p > l && k < 1000);
    return k - 1;
  }

  private static final int TABLE = 1 << 14;
  private static final double[] GAUSS = new double[TABLE];
  private static final double[] EXP = new double[TABLE];

  static {
    // fixed tables (same on every run and machine): pixel noise needs speed, not perfect tails
    SplittableRandom t = new SplittableRandom(0x5EED);
    for (int i = 0; i < TABLE; i++) {
      double u1 = t.nextDouble();
      double u2 = t.nextDouble();
      GAUSS[i] = Math.sqrt(-2 * Math.log(u1 + 1e-300)) * Math.cos(2 * Math.PI * u2);
      EXP[i] = -Math.log(1 - t.nextDouble() * 0.999);
    }
  }

  /** A standard normal sample (table-driven, deterministic). */
  static double gaussian(SplittableRandom r) {
    return GAUSS[r.nextInt(TABLE)];
  }

  /** An exponential(1) sample, i.e. fully developed speckle intensity (table-driven). */
  static double exponential(SplittableRandom r) {
    return EXP[r.nextInt(TABLE)];
  }
}
