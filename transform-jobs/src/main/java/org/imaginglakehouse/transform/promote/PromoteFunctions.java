package org.imaginglakehouse.transform.promote;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import scala.collection.Iterator;
import scala.collection.Seq;

/**
 * The one SQL function promote registers per session: where the header values a plan needs are in a
 * row's header, found in one pass (the values themselves are then read by compiled element access,
 * and typed by {@link RowPromoter}).
 */
final class PromoteFunctions {
  static final String HEADER_POSITIONS = "promote_header_positions";

  private PromoteFunctions() {}

  /**
   * Registers {@link #HEADER_POSITIONS}(header.path): the position of each of {@code paths} in the
   * row's header (see {@link #headerPositions}).
   */
  static void registerHeaderPositions(SparkSession spark, List<String> paths) {
    Map<String, Integer> wanted = new HashMap<>();
    for (int i = 0; i < paths.size(); i++) {
      wanted.put(paths.get(i), i);
    }
    spark
        .udf()
        .register(
            HEADER_POSITIONS,
            (UDF1<Seq<String>, List<Integer>>)
                header -> headerPositions(wanted, header == null ? null : header.iterator()),
            DataTypes.createArrayType(DataTypes.IntegerType, true));
  }

  /**
   * 0-based position in the header of each wanted path ({@code wanted}: path → output index), NULL
   * for a path the header lacks (so {@code header[NULL]} gives NULL); the first entry wins if a
   * path repeats. One pass over the header.
   */
  static List<Integer> headerPositions(Map<String, Integer> wanted, Iterator<String> header) {
    Integer[] positions = new Integer[wanted.size()];
    int found = 0;
    for (int i = 0; header != null && header.hasNext() && found < positions.length; i++) {
      Integer slot = wanted.get(header.next());
      if (slot != null && positions[slot] == null) {
        positions[slot] = i;
        found++;
      }
    }
    return Arrays.asList(positions);
  }
}
