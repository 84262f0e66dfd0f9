package org.imaginglakehouse.transform.pseudonym;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.Optional;
import java.util.Properties;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;

/**
 * Patient identifier (CHI) → pseudonym (EUPI), for Spark jobs. Reads the mapping table named in
 * {@link PseudonymConfig} (CSV, Parquet, Delta or JDBC) inside the job only; it is never written
 * anywhere. Patients not in the table get a keyed HMAC pseudonym when the fallback is enabled,
 * otherwise they are rejected with a reason.
 *
 * <p>Usage: {@code Pseudonymiser.create(spark, PseudonymConfig.from(config,
 * System.getenv())).apply(df, "PatientID")} adds {@value #EUPI}, {@value #EUPI_SOURCE} and {@value
 * #REJECTION} columns; rows with a non-null rejection have a null EUPI and must not cross into the
 * de-identified zone.
 */
public final class Pseudonymiser {
  /** The pseudonym column added by {@link #apply}. */
  public static final String EUPI = "eupi";

  /** {@code mapping} or {@code hmac:<key id>}: where the pseudonym came from. */
  public static final String EUPI_SOURCE = "eupi_source";

  /** Null when pseudonymised, else why not (one of the {@code REASON_} constants). */
  public static final String REJECTION = "pseudonym_rejection";

  public static final String REASON_MISSING_ID = "missing_patient_id";
  public static final String REASON_UNMAPPED = "unmapped_patient";
  public static final String REASON_AMBIGUOUS = "ambiguous_mapping";

  /** Columns of {@link #mapping()}: normalised CHI and its EUPI. */
  public static final String MAP_CHI = "chi";

  public static final String MAP_EUPI = "eupi";

  private final SparkSession spark;
  private final PseudonymConfig config;
  private final Optional<HmacPseudonymiser> hmac;
  private Dataset<Row> grouped;

  private Pseudonymiser(SparkSession spark, PseudonymConfig config) {
    this.spark = spark;
    this.config = config;
    this.hmac =
        config.hmacKey().map(k -> HmacPseudonymiser.of(k, HmacPseudonymiser.PATIENT_DOMAIN));
  }

  public static Pseudonymiser create(SparkSession spark, PseudonymConfig config) {
    return new Pseudonymiser(spark, config);
  }

  /** From the {@code pseudonym.*} config keys and secrets in the process environment. */
  public static Pseudonymiser create(SparkSession spark, LakehouseConfig config) {
    return create(spark, PseudonymConfig.from(config, System.getenv()));
  }

  public PseudonymConfig config() {
    return config;
  }

  /** Key id of the HMAC fallback, when enabled: record it with the pseudonyms. */
  public Optional<String> hmacKeyId() {
    return hmac.map(HmacPseudonymiser::keyId);
  }

  /** The HMAC fallback itself (plain Java), when enabled. */
  public Optional<HmacPseudonymiser> hmac() {
    return hmac;
  }

  /** The raw mapping rows as read: columns chi (normalised), eupi; blanks dropped. */
  public Dataset<Row> rawMapping() {
    if (config.source() == PseudonymConfig.Source.NONE) {
      return spark
          .emptyDataFrame()
          .selectExpr("cast(null as string) chi", "cast(null as string) eupi")
          .limit(0);
    }
    Dataset<Row> raw = read();
    for (String column : new String[] {config.chiColumn(), config.eupiColumn()}) {
      if (!java.util.Arrays.asList(raw.columns()).contains(column)) {
        throw new LakehouseException(
            "Pseudonym mapping ("
                + config.describe()
                + ") has no column '"
                + column
                + "'; its columns are "
                + String.join(", ", raw.columns())
                + ". Set "
                + PseudonymConfig.CHI_COLUMN
                + " / "
                + PseudonymConfig.EUPI_COLUMN);
      }
    }
    return raw.select(
            PatientIds.normaliseColumn(col(config.chiColumn()).cast("string")).as(MAP_CHI),
            functions.trim(col(config.eupiColumn()).cast("string")).as(MAP_EUPI))
        .where(
            col(MAP_CHI)
                .isNotNull()
                .and(col(MAP_EUPI).isNotNull())
                .and(col(MAP_EUPI).notEqual("")));
  }

  /** Per CHI: its distinct EUPIs (more than one = ambiguous, rejected). */
  private Dataset<Row> grouped() {
    if (grouped == null) {
      grouped =
          rawMapping()
              .groupBy(MAP_CHI)
              .agg(
                  functions.min(MAP_EUPI).as("_eupi"),
                  functions.countDistinct(col(MAP_EUPI)).as("_eupis"));
    }
    return grouped;
  }

  /** Unambiguous CHI → EUPI pairs (chi normalised). */
  public Dataset<Row> mapping() {
    return grouped().where("_eupis = 1").select(col(MAP_CHI), col("_eupi").as(MAP_EUPI));
  }

  /** CHIs that the mapping table gives more than one EUPI: their patients are rejected. */
  public Dataset<Row> ambiguousChis() {
    return grouped().where("_eupis > 1").select(MAP_CHI);
  }

  /**
   * Adds {@value #EUPI}, {@value #EUPI_SOURCE} and {@value #REJECTION} to {@code df}, looking up
   * {@code idColumn} (normalised with {@link PatientIds}). The input's row count is kept.
   */
  public Dataset<Row> apply(Dataset<Row> df, String idColumn) {
    String key = "_pseudonym_key";
    String lookupKey = "_pseudonym_lookup_key";
    Dataset<Row> lookup =
        grouped()
            .select(
                col(MAP_CHI).as(lookupKey),
                when(col("_eupis").equalTo(1), col("_eupi")).as("_mapped"),
                col("_eupis").gt(1).as("_ambiguous"));
    Dataset<Row> joined =
        df.withColumn(key, PatientIds.normaliseColumn(col(idColumn).cast("string")))
            .join(lookup, col(key).equalTo(col(lookupKey)), "left");
    Column missing = col(key).isNull();
    Column ambiguous = functions.coalesce(col("_ambiguous"), lit(false));
    Column mapped = col("_mapped");
    Column eupi = mapped;
    Column source = when(mapped.isNotNull(), lit("mapping"));
    if (hmac.isPresent()) {
      HmacPseudonymiser fallback = hmac.get();
      UserDefinedFunction pseudonym =
          functions
              .udf((UDF1<String, String>) fallback::pseudonym, DataTypes.StringType)
              .withName("hmac_pseudonym");
      Column hashed = when(missing.or(ambiguous), lit(null)).otherwise(pseudonym.apply(col(key)));
      eupi = functions.coalesce(mapped, hashed);
      source =
          when(mapped.isNotNull(), lit("mapping"))
              .when(missing.or(ambiguous), lit(null))
              .otherwise(lit("hmac:" + fallback.keyId()));
    }
    Column rejection =
        when(missing, lit(REASON_MISSING_ID))
            .when(ambiguous, lit(REASON_AMBIGUOUS))
            .when(eupi.isNull(), lit(REASON_UNMAPPED));
    return joined
        .withColumn(EUPI, when(rejection.isNull(), eupi).cast("string"))
        .withColumn(EUPI_SOURCE, when(rejection.isNull(), source).cast("string"))
        .withColumn(REJECTION, rejection.cast("string"))
        .drop(key, lookupKey, "_mapped", "_ambiguous");
  }

  /**
   * An order-independent fingerprint of the effective mapping and fallback key: it changes when any
   * CHI → EUPI pair or the key changes, so a job can tell cheaply whether to re-map.
   */
  public String fingerprint() {
    Row row =
        grouped()
            .agg(
                functions.count(lit(1)),
                functions.coalesce(
                    functions.expr("bit_xor(xxhash64(chi, _eupi, _eupis))"), lit(0L)))
            .first();
    return row.getLong(0) + ":" + row.get(1) + hmacKeyId().map(k -> ":hmac:" + k).orElse("");
  }

  private Dataset<Row> read() {
    try {
      return switch (config.source()) {
        case CSV ->
            spark
                .read()
                .option("header", "true")
                .option("inferSchema", "false")
                .option("delimiter", config.csvDelimiter())
                .csv(config.location());
        case PARQUET -> spark.read().parquet(config.location());
        case DELTA -> spark.read().format("delta").load(config.location());
        case JDBC -> readJdbc();
        case NONE -> throw new IllegalStateException("no mapping source");
      };
    } catch (LakehouseException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new LakehouseException(
          "Cannot read the pseudonym mapping ("
              + config.describe()
              + "): "
              + org.imaginglakehouse.core.config.Secrets.redact(e.getMessage())
              + ". Check "
              + PseudonymConfig.SOURCE
              + " and "
              + PseudonymConfig.LOCATION,
          e);
    }
  }

  private Dataset<Row> readJdbc() {
    Properties properties = new Properties();
    if (config.jdbcUser() != null) {
      properties.setProperty("user", config.jdbcUser());
    }
    config.jdbcPassword().ifPresent(p -> properties.setProperty("password", p.reveal()));
    DataFrameReader reader = spark.read();
    String table =
        config.jdbcTable() != null ? config.jdbcTable() : "(" + config.jdbcQuery() + ") mapping";
    return reader.jdbc(config.jdbcUrl(), table, properties);
  }
}
