"""Client side of ServeEscapeTest: connects to `lakehouse serve` with the pyspark Connect client,
runs the allowed queries and the escape attempts, and prints one JSON object per line:
{"name": ..., "ok": true/false, "value": ..., "error": first line of the error}.

Usage: serve_client.py ADDRESS TOKEN IDENTIFIABLE_ROOT DEIDENTIFIED_ROOT PROJECTS_ROOT [URL_PARAMS]
(environment ESCAPE_ARTIFACT: a .py file the client tries to upload, with a .jar next to it)
(the server grants project "granted", not "other"; URL_PARAMS e.g. ";use_ssl=true" are added to
every connection URL)
"""
import contextlib
import io
import os
import socket
import sys

from pyspark.sql import SparkSession

from serve_results import attempt, finish
from pyspark.sql.functions import udf

address, token, ident, deid, projects = sys.argv[1:6]
params = sys.argv[6] if len(sys.argv) > 6 else ""


def session(tok):
    return SparkSession.builder.remote(f"{address}/;token={tok}{params}").create()


def count(df):
    return df.count()


spark = session(token)
sql = spark.sql
other = session(token)

# Allowed: these must work and agree with a direct read.
attempt("count deidentified.study", lambda: sql("SELECT count(*) FROM deidentified.study").collect()[0][0])
attempt("DataFrame deidentified.series", lambda: count(spark.table("deidentified.series")))
attempt("path read of a served table", lambda: count(spark.read.format("delta").load(deid + "/study")))
attempt("our SQL function", lambda: sql("SELECT dicom_age_years('045Y')").collect()[0][0])
attempt("show tables", lambda: sorted(r[1] for r in sql("SHOW TABLES IN deidentified").collect()))
attempt("temp view", lambda: (spark.table("deidentified.study").createOrReplaceTempView("s"),
                              sql("SELECT count(*) FROM s").collect()[0][0])[1])
attempt("second session count", lambda: other.sql("SELECT count(*) FROM deidentified.study").collect()[0][0])

attempt("granted project", lambda: sql("SELECT count(*) FROM project_granted.files").collect()[0][0])

# Escape attempts: every one must fail.
attempt("escape: project not granted", lambda: count(spark.table("project_other.files")))
attempt("escape: path of a project not granted",
        lambda: count(spark.read.format("delta").load(projects + "/other/files")))
attempt("escape: identifiable.instances", lambda: count(sql("SELECT * FROM identifiable.instances")))
attempt("escape: table identifiable.instances", lambda: count(spark.table("identifiable.instances")))
attempt("escape: read.load identifiable path",
        lambda: count(spark.read.format("delta").load(ident + "/instances")))
attempt("escape: delta.`identifiable path`", lambda: count(sql(f"SELECT * FROM delta.`{ident}/instances`")))
attempt("escape: parquet files of identifiable",
        lambda: count(sql(f"SELECT * FROM parquet.`{ident}/instances`")))
attempt("escape: read.text /etc/passwd", lambda: count(spark.read.text("/etc/passwd")))
attempt("escape: json of a served table log", lambda: count(spark.read.json(deid + "/study/_delta_log")))
attempt("escape: second session identifiable path",
        lambda: count(other.read.format("delta").load(ident + "/instances")))
attempt("escape: CREATE TABLE", lambda: sql("CREATE TABLE deidentified.t (x INT) USING delta").collect())
attempt("escape: CREATE TABLE AS identifiable",
        lambda: sql(f"CREATE TABLE t2 USING delta AS SELECT * FROM delta.`{ident}/instances`").collect())
attempt("escape: INSERT", lambda: sql("INSERT INTO deidentified.study SELECT * FROM deidentified.study").collect())
attempt("escape: DELETE", lambda: sql("DELETE FROM deidentified.study").collect())
attempt("escape: DataFrame write to a path",
        lambda: spark.table("deidentified.study").write.format("delta").save(deid + "/copy"))
attempt("escape: saveAsTable", lambda: spark.table("deidentified.study").write.saveAsTable("copy"))
attempt("escape: CREATE TABLE over identifiable location",
        lambda: sql(f"CREATE TABLE x USING delta LOCATION '{ident}/instances'").collect())
attempt("escape: temp view USING parquet path",
        lambda: sql(f"CREATE TEMPORARY VIEW v USING parquet OPTIONS (path '{ident}/instances')").collect())
attempt("escape: ADD JAR", lambda: sql("ADD JAR /tmp/x.jar").collect())
attempt("escape: reflect", lambda: sql("SELECT reflect('java.lang.System', 'getenv', 'HOME')").collect())
attempt("escape: python UDF", lambda: spark.range(1).select(udf(lambda x: open('/etc/hostname').read())("id")).collect())
attempt("escape: DESCRIBE identifiable path", lambda: sql(f"DESCRIBE delta.`{ident}/instances`").collect())
attempt("escape: DROP TABLE", lambda: sql("DROP TABLE deidentified.study").collect())
attempt("escape: CACHE TABLE", lambda: sql("CACHE TABLE deidentified.study").collect())


# Plan-only requests (AnalyzePlan: df.schema, df.columns, explain, printSchema, ...) go through the
# same plan check; printed output is captured so only the JSON lines reach stdout.
def printed(action):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        action()
    return out.getvalue()


identifiable_df = lambda: spark.read.format("delta").load(ident + "/instances")  # noqa: E731
attempt("schema of a served table", lambda: spark.table("deidentified.study").columns)
attempt("escape: schema of identifiable.instances", lambda: str(spark.table("identifiable.instances").schema))
attempt("escape: columns of an identifiable path", lambda: identifiable_df().columns)
attempt("escape: explain of an identifiable path", lambda: printed(lambda: identifiable_df().explain()))
attempt("escape: explain of delta.`identifiable path`",
        lambda: printed(lambda: sql(f"SELECT * FROM delta.`{ident}/instances`").explain(True)))
attempt("escape: printSchema of an identifiable path", lambda: printed(lambda: identifiable_df().printSchema()))
attempt("escape: isStreaming of an identifiable path", lambda: identifiable_df().isStreaming)
attempt("escape: inputFiles of an identifiable path", lambda: identifiable_df().inputFiles())
attempt("escape: semanticHash of an identifiable path", lambda: identifiable_df().semanticHash())
attempt("escape: schema of parquet files of identifiable", lambda: str(spark.read.parquet(ident + "/instances").schema))
attempt("escape: cohort with a shared token", lambda: sql(
    "CALL lakehouse.create_cohort(name => 'shared', sql => 'SELECT eupi, id AS StudyInstanceUID FROM deidentified.study')"
).collect())


def python_udtf():
    from pyspark.sql.functions import udtf

    @udtf(returnType="x: string")
    class ReadsAFile:
        def eval(self):
            yield (open("/etc/hostname").read(),)

    return ReadsAFile().collect()


def python_data_source():
    from pyspark.sql.datasource import DataSource, DataSourceReader

    class Reader(DataSourceReader):
        def read(self, partition):
            yield (open("/etc/hostname").read(),)

    class ReadsFiles(DataSource):
        @classmethod
        def name(cls):
            return "reads_files"

        def schema(self):
            return "x string"

        def reader(self, schema):
            return Reader()

    spark.dataSource.register(ReadsFiles)
    return spark.read.format("reads_files").load().collect()


attempt("escape: python UDTF", python_udtf)
attempt("escape: python data source", python_data_source)
attempt("escape: TRANSFORM script", lambda: sql("SELECT TRANSFORM(1) USING 'cat /etc/passwd' AS (x)").collect())

# Artifacts: uploads of code and files are refused; pyspark's cached local relations (large
# createDataFrame data, uploaded as cache/ artifacts above the threshold) still work.
artifact = os.environ["ESCAPE_ARTIFACT"]
attempt("escape: addArtifacts pyfile", lambda: spark.addArtifacts(artifact, pyfile=True))
attempt("escape: addArtifacts jar", lambda: spark.addArtifacts(artifact[:-3] + ".jar"))
attempt("escape: addArtifacts file", lambda: spark.addArtifacts(artifact, file=True))


def large_local_data():
    spark.conf.set("spark.sql.session.localRelationCacheThreshold", "1024")
    return spark.createDataFrame([(i, "x" * 20) for i in range(2000)], "id long, s string").count()


attempt("cached local relation", large_local_data)

# Outbound connections: a JDBC source must never be opened, however it is named. The listener
# counts the connections the server makes to it.
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(8)
jdbc_url = (f"jdbc:postgresql://127.0.0.1:{listener.getsockname()[1]}/x"
            "?connectTimeout=2&socketTimeout=2&loginTimeout=2")
attempt("escape: read.jdbc", lambda: count(spark.read.jdbc(jdbc_url, "t")))
attempt("escape: format jdbc", lambda: count(spark.read.format("jdbc").option("url", jdbc_url)
                                             .option("dbtable", "t").load()))
attempt("escape: format by class name", lambda: count(
    spark.read.format("org.apache.spark.sql.execution.datasources.jdbc.JdbcRelationProvider")
    .option("url", jdbc_url).option("dbtable", "t").load()))
attempt("escape: temp view USING jdbc", lambda: sql(
    f"CREATE TEMPORARY VIEW j USING jdbc OPTIONS (url '{jdbc_url}', dbtable 't')").collect())


def jdbc_catalog():
    spark.conf.set("spark.sql.catalog.pg",
                   "org.apache.spark.sql.execution.datasources.v2.jdbc.JDBCTableCatalog")
    spark.conf.set("spark.sql.catalog.pg.url", jdbc_url)
    return sql("SELECT * FROM pg.public.t").collect()


attempt("escape: JDBC catalog", jdbc_catalog)
attempt("escape: JDBC catalog with SQL SET", lambda: (
    sql("SET spark.sql.catalog.pg2=org.apache.spark.sql.execution.datasources.v2.jdbc.JDBCTableCatalog")
    .collect(), sql(f"SET spark.sql.catalog.pg2.url={jdbc_url}").collect(),
    sql("SELECT * FROM pg2.public.t").collect())[2])


def connections():
    listener.setblocking(False)
    made = 0
    while True:
        try:
            listener.accept()[0].close()
            made += 1
        except BlockingIOError:
            return made


attempt("connections to the JDBC listener", connections)

# Last: pyspark takes the latest session as the active one, which some calls (udf) use.
attempt("wrong token", lambda: session(token + "x").sql("SELECT 1").collect()[0][0])
attempt("missing token", lambda: SparkSession.builder.remote(f"{address}/{params}").create().sql("SELECT 1").collect()[0][0])

# Releasing a session (spark.stop()): the server must close it (pyspark ignores a failed release,
# so only the server's answer to the same session id afterwards tells): closed, not re-created.
released = other.session_id
attempt("release: stop", lambda: other.stop())
attempt("release: same session id after stop",
        lambda: SparkSession.builder.remote(f"{address}/;token={token}{params};session_id={released}")
        .create().sql("SELECT 1").collect()[0][0])
attempt("release: a new session after stop", lambda: session(token).sql("SELECT 1").collect()[0][0])

finish()
