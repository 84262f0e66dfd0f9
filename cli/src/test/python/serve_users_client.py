"""Client side of ServeUsersTest: two analysts (alice, bob) with their own tokens against
`lakehouse serve --users-file`: authentication, per-user scratch databases and their escapes.
Prints one JSON object per line: {"name": ..., "ok": true/false, "value": ..., "error": ...}.

Usage: serve_users_client.py ADDRESS ALICE_TOKEN BOB_TOKEN IDENTIFIABLE_ROOT DEIDENTIFIED_ROOT
       SCRATCH_ROOT
Run without USER and SPARK_USER in the environment (so a session without user_id sends none).
"""
import sys
import time

from pyspark.sql import SparkSession

from serve_results import attempt, finish

address, alice_token, bob_token, ident, deid, scratch = sys.argv[1:7]


def session(token=None, user=None):
    url = address + "/"
    if token is not None:
        url += f";token={token}"
    if user is not None:
        url += f";user_id={user}"
    return SparkSession.builder.remote(url).create()


def one(spark, sql):
    return spark.sql(sql).collect()[0][0]


alice = session(alice_token, "alice")
bob = session(bob_token, "bob")

# Authentication.
attempt("missing token", lambda: one(session(), "SELECT 1"))
attempt("wrong token", lambda: one(session(alice_token + "x", "alice"), "SELECT 1"))
attempt("bob's token claiming alice", lambda: one(session(bob_token, "alice"), "SELECT 1"))
attempt("alice without user_id", lambda: one(session(alice_token), "SELECT count(*) FROM deidentified.study"))

# Queries of both users.
attempt("alice count study", lambda: one(alice, "SELECT count(*) FROM deidentified.study"))
attempt("bob count series", lambda: one(bob, "SELECT count(*) FROM deidentified.series"))

# Scratch areas: each writes their own; same table name, separate tables.
attempt("alice CTAS", lambda: alice.sql(
    "CREATE TABLE scratch_alice.cohort USING delta AS SELECT * FROM deidentified.study LIMIT 3").collect() and 0)
attempt("alice INSERT", lambda: alice.sql(
    "INSERT INTO scratch_alice.cohort SELECT * FROM deidentified.study LIMIT 2").collect() and 0)
attempt("alice saveAsTable", lambda: alice.table("deidentified.series").write.format("delta")
        .saveAsTable("scratch_alice.series_copy"))
attempt("bob CTAS", lambda: bob.sql(
    "CREATE TABLE scratch_bob.cohort USING delta AS SELECT * FROM deidentified.study LIMIT 1").collect() and 0)
attempt("alice reads her cohort", lambda: one(alice, "SELECT count(*) FROM scratch_alice.cohort"))
attempt("alice reads her copy", lambda: alice.table("scratch_alice.series_copy").count())
attempt("bob reads his cohort", lambda: one(bob, "SELECT count(*) FROM scratch_bob.cohort"))
attempt("alice drops her copy", lambda: alice.sql("DROP TABLE scratch_alice.series_copy").collect() and 0)

# Escapes through the scratch areas.
attempt("escape: alice writes bob's scratch",
        lambda: alice.sql("CREATE TABLE scratch_bob.x USING delta AS SELECT 1 AS x").collect())
attempt("escape: alice saveAsTable into bob's scratch",
        lambda: alice.range(1).write.format("delta").saveAsTable("scratch_bob.y"))
attempt("escape: alice reads bob's cohort", lambda: one(alice, "SELECT count(*) FROM scratch_bob.cohort"))
attempt("escape: alice reads bob's cohort by path",
        lambda: alice.read.format("delta").load(scratch + "/bob/cohort").count())
attempt("escape: alice lists bob's scratch", lambda: [r[1] for r in alice.sql("SHOW TABLES IN scratch_bob").collect()])
attempt("escape: alice drops bob's cohort", lambda: alice.sql("DROP TABLE scratch_bob.cohort").collect())
attempt("escape: alice writes deidentified",
        lambda: alice.sql("CREATE TABLE deidentified.x USING delta AS SELECT 1 AS x").collect())
attempt("escape: alice inserts into deidentified",
        lambda: alice.sql("INSERT INTO deidentified.study SELECT * FROM deidentified.study").collect())
attempt("escape: scratch table with a location",
        lambda: alice.sql(f"CREATE TABLE scratch_alice.l USING delta LOCATION '{ident}/copy' "
                          "AS SELECT 1 AS x").collect())
attempt("escape: scratch table in parquet",
        lambda: alice.sql("CREATE TABLE scratch_alice.p USING parquet AS SELECT 1 AS x").collect())
attempt("escape: scratch copy of identifiable",
        lambda: alice.sql(f"CREATE TABLE scratch_alice.i USING delta AS SELECT * FROM delta.`{ident}/instances`")
        .collect())
attempt("escape: alice's scratch by path write",
        lambda: alice.range(1).write.format("delta").save(scratch + "/alice/direct"))

# Cohorts saved through the cohort command's rules, with plain SQL (CALL lakehouse.create_cohort).
COHORT_SQL = ("SELECT eupi, StudyInstanceUID, StudyDate FROM deidentified.study "
              "WHERE StudyInstanceUID IS NOT NULL")


def quoted(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def create_cohort(spark, name, sql, extra=""):
    return [r[0] for r in spark.sql(
        f"CALL lakehouse.create_cohort(name => {quoted(name)}, sql => {quoted(sql)}{extra})").collect()]


attempt("alice saves a cohort", lambda: create_cohort(alice, "serve_studies", COHORT_SQL))
attempt("alice saves a cohort at study level", lambda: create_cohort(
    alice, "serve_studies_level", COHORT_SQL, ", level => 'study'"))
attempt("alice passes parameter markers", lambda: alice.sql(
    "CALL lakehouse.create_cohort(name => :name, sql => :sql)",
    args={"name": "serve_params", "sql": COHORT_SQL}).collect())
attempt("alice reads the cohort's members", lambda: one(
    alice, "SELECT count(*) FROM deidentified.cohort_members WHERE cohort_name = 'serve_studies'"))
attempt("alice reads the cohort's creator", lambda: one(
    alice, "SELECT created_by FROM deidentified.cohorts WHERE cohort_name = 'serve_studies'"))
attempt("alice runs the pinned SQL", lambda: alice.sql(one(
    alice, "SELECT pinned_sql FROM deidentified.cohorts WHERE cohort_name = 'serve_studies'")).count())
attempt("alice replaces her cohort", lambda: create_cohort(
    alice, "serve_studies", COHORT_SQL + " AND StudyDate IS NOT NULL", ", replace => true"))
attempt("escape: bob replaces alice's cohort", lambda: create_cohort(
    bob, "serve_studies", "SELECT eupi, StudyInstanceUID FROM deidentified.study LIMIT 1", ", replace => true"))
attempt("escape: cohort of identifiable.instances", lambda: create_cohort(
    alice, "bad_identifiable", "SELECT * FROM identifiable.instances"))
attempt("escape: cohort of an identifiable path", lambda: create_cohort(
    alice, "bad_path", f"SELECT * FROM delta.`{ident}/instances`"))
attempt("escape: cohort of the audit table", lambda: create_cohort(
    alice, "bad_audit", f"SELECT user AS eupi, session_id AS StudyInstanceUID FROM delta.`{deid}/serve_audit`"))
attempt("escape: cohort of a scratch table", lambda: create_cohort(
    alice, "bad_scratch", "SELECT eupi, StudyInstanceUID FROM scratch_alice.cohort"))
attempt("escape: cohort SQL as a command", lambda: create_cohort(
    alice, "bad_command", "DROP TABLE deidentified.study"))
attempt("escape: cohort SQL calling Java", lambda: create_cohort(
    alice, "bad_reflect",
    "SELECT eupi, StudyInstanceUID, reflect('java.lang.System', 'getenv', 'HOME') AS h FROM deidentified.study"))
attempt("escape: cohort SQL saving a cohort", lambda: create_cohort(
    alice, "bad_nested", "CALL lakehouse.create_cohort(name => 'x', sql => 'SELECT 1')"))

# Plan-only requests (AnalyzePlan) are checked and audited like queries.
attempt("alice columns of study", lambda: alice.table("deidentified.study").columns[:2])
attempt("escape: schema of an identifiable path",
        lambda: str(alice.read.format("delta").load(ident + "/instances").schema))

# The audit table is written by the server (every 500 ms here), never readable by clients.
time.sleep(3)
attempt("escape: read the audit table", lambda: alice.read.format("delta").load(deid + "/serve_audit").count())

finish()
