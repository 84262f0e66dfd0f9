"""``LakehouseJobOperator``: one lakehouse CLI subcommand through ``spark-submit``.

It is the provider's ``SparkSubmitOperator`` running the CLI's jar
(``--class org.imaginglakehouse.cli.LakehouseCli``), so a site points every DAG at its cluster by
changing the Spark connection only. On top of the provider it:

* reads the lakehouse settings (home, config, jar, connection id, Spark conf) from Airflow
  Variables when the task runs (``lakehouse_airflow.settings``);
* refuses to run when the Spark connection is not defined (the provider would fall back to
  master ``yarn`` silently);
* maps the CLI's exit codes: 0 succeeds, 3 ("finished, some inputs quarantined or rejected")
  succeeds with a warning in the log, anything else fails the task. The job summary (status
  and counts) is the task's XCom ``return_value`` in both success cases, with ``exit_code``.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.common.compat.sdk import AirflowException, AirflowNotFoundException
from airflow.providers.apache.spark.hooks.spark_submit import SparkSubmitHook
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

from lakehouse_airflow import settings, summary

EXIT_QUARANTINED = 3


class LakehouseJobOperator(SparkSubmitOperator):
    """Runs ``lakehouse <subcommand> <lakehouse_args...>`` with the site's home and config.

    :param subcommand: the CLI subcommand (``ingest``, ``promote``, ...)
    :param lakehouse_args: the subcommand's arguments (templated; may be an XComArg)
    :param quarantine_ok: whether exit code 3 counts as success (default True)
    """

    template_fields = (*SparkSubmitOperator.template_fields, "lakehouse_args")
    ui_color = "#b9d7ea"

    def __init__(
        self,
        *,
        subcommand: str,
        lakehouse_args: Any = None,
        quarantine_ok: bool = True,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("name", f"lakehouse-{subcommand}")
        super().__init__(application="", java_class=settings.CLI_CLASS, **kwargs)
        self.subcommand = subcommand
        self.lakehouse_args = lakehouse_args if lakehouse_args is not None else []
        self.quarantine_ok = quarantine_ok

    def _get_hook(self) -> SparkSubmitHook:
        try:
            SparkSubmitHook.get_connection(self._conn_id)
        except AirflowNotFoundException as e:
            raise AirflowException(
                f"Spark connection '{self._conn_id}' is not defined: create it (master, and the "
                "spark-binary extra) or set the Airflow Variable lakehouse_spark_conn_id; the "
                "provider would otherwise submit to master 'yarn'"
            ) from e
        hook = super()._get_hook()
        # Keep every output line for the job summary; the provider still logs each one.
        lines = self._output_lines = []
        process = hook._process_spark_submit_log

        def tee(itr):
            for line in itr:
                lines.append(line)
                yield line

        hook._process_spark_submit_log = lambda itr: process(tee(itr))
        return hook

    def _exit_code(self) -> int | None:
        """The CLI's exit code: spark-submit's, or in Kubernetes cluster mode the driver's."""
        hook = self._hook
        process = getattr(hook, "_submit_sp", None)
        code = None if process is None else process.returncode
        if code == 0 and getattr(hook, "_is_kubernetes", False):
            code = hook._spark_exit_code
        return code

    def _configure(self) -> None:
        jar = settings.get("lakehouse_jar")
        self.application = jar
        self._conn_id = settings.get("lakehouse_spark_conn_id")
        conf = {str(k): str(v) for k, v in settings.get_json("lakehouse_spark_conf").items()}
        # Tesseract (ocr) spawns a thread per core in every task otherwise (README, cluster run).
        conf.setdefault("spark.executorEnv.OMP_THREAD_LIMIT", "1")
        flags = settings.jvm_options(jar, settings.get("lakehouse_jvm_options_file"))
        if flags:
            for key in ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions"):
                conf[key] = f"{flags} {conf[key]}" if key in conf else flags
        self.conf = {**conf, **(self.conf or {})}
        args = ["--home", settings.get("lakehouse_home")]
        config = settings.get("lakehouse_config")
        if config:
            args += ["--config", config]
        self.application_args = [*args, self.subcommand, *[str(a) for a in self.lakehouse_args]]

    def execute(self, context) -> dict:
        self._configure()
        self._output_lines: list[str] = []
        try:
            super().execute(context)
            exit_code = 0
        except AirflowException:
            exit_code = self._exit_code()
            if not (self.quarantine_ok and exit_code == EXIT_QUARANTINED):
                raise
        result = summary.parse(self._output_lines)
        result["exit_code"] = exit_code
        if exit_code == EXIT_QUARANTINED:
            self.log.warning(
                "lakehouse %s finished with quarantined or rejected inputs (exit 3); counts: %s. "
                "The job's error and rejection tables hold each input with its reason.",
                self.subcommand,
                result.get("counts"),
            )
        return result
