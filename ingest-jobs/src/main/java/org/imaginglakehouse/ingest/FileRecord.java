package org.imaginglakehouse.ingest;

import java.io.Serializable;

/**
 * What the driver learns about one input file (or archive entry) from the executors: everything
 * except the header itself. The driver decides duplicates from these and writes {@code
 * ingest_errors} and {@code file_index} rows from them, so the wide instance rows are encoded only
 * once, straight into the instances table. (A plain class: Spark's Kryo cannot construct records.)
 */
public final class FileRecord implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String INSTANCE = "instance";
  public static final String ERROR = "error";
  public static final String SKIPPED = "skipped";

  final String filePath;
  final String archivePath;
  final String archiveEntry;
  final long fileSize;
  final long fileModifiedMillis;
  final Long containerSize;
  final Long containerModifiedMillis;
  final String outcome;
  final String errorClass;
  final String message;
  final String sopInstanceUid;
  final String checksum;

  FileRecord(
      String filePath,
      String archivePath,
      String archiveEntry,
      long fileSize,
      long fileModifiedMillis,
      Long containerSize,
      Long containerModifiedMillis,
      String outcome,
      String errorClass,
      String message,
      String sopInstanceUid,
      String checksum) {
    this.filePath = filePath;
    this.archivePath = archivePath;
    this.archiveEntry = archiveEntry;
    this.fileSize = fileSize;
    this.fileModifiedMillis = fileModifiedMillis;
    this.containerSize = containerSize;
    this.containerModifiedMillis = containerModifiedMillis;
    this.outcome = outcome;
    this.errorClass = errorClass;
    this.message = message;
    this.sopInstanceUid = sopInstanceUid;
    this.checksum = checksum;
  }

  public String filePath() {
    return filePath;
  }

  public String outcome() {
    return outcome;
  }

  public String errorClass() {
    return errorClass;
  }

  public String sopInstanceUid() {
    return sopInstanceUid;
  }

  boolean isInstance() {
    return INSTANCE.equals(outcome);
  }

  boolean isError() {
    return ERROR.equals(outcome);
  }
}
