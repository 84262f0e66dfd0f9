package org.imaginglakehouse.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/** Executor-side file access sees the session's {@code spark.hadoop.*} settings. */
class HadoopConfTest extends SparkTestBase {

  @Test
  void carriesEverySparkHadoopSettingThatBareHadoopDefaultsLack() {
    Map<String, String> sparkHadoop = new TreeMap<>();
    for (Tuple2<String, String> e :
        spark().sparkContext().getConf().getAllWithPrefix("spark.hadoop.")) {
      sparkHadoop.put(e._1(), e._2());
    }
    // The session factory sets the S3A endpoint region, path style, retries and timeouts.
    assertThat(sparkHadoop).containsKeys("fs.s3a.endpoint.region", "fs.s3a.path.style.access");

    Configuration conf = HadoopConf.get();
    sparkHadoop.forEach((key, value) -> assertThat(conf.get(key)).as(key).isEqualTo(value));
    // What the jobs used before: Hadoop's defaults, which differ (an executor reached AWS).
    Configuration bare = new Configuration();
    assertThat(sparkHadoop.entrySet())
        .anySatisfy(e -> assertThat(bare.get(e.getKey())).isNotEqualTo(e.getValue()));
    // One configuration per Spark configuration: read once per file, built once.
    assertThat(HadoopConf.get()).isSameAs(conf);
  }
}
