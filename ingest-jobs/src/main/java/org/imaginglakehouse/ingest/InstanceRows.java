package org.imaginglakehouse.ingest;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.imaginglakehouse.ingest.dicom.HeaderEntry;
import org.imaginglakehouse.ingest.dicom.ParsedHeader;

/**
 * Builds {@code instances} rows in Spark's internal form, one builder per partition (not
 * thread-safe). Building {@code InternalRow}s directly skips the external-row encoder, whose
 * generated code for the nested header is large and was a quarter of the executors' time in
 * profiles.
 *
 * <p>The parser hands out one {@code String} instance per distinct tag's hex form, keyword and VR
 * ({@code HeaderFlattener}), so those are converted to UTF-8 once per partition here, by identity,
 * instead of for every attribute of every file.
 */
final class InstanceRows {
  private static final StructType S = IngestSchemas.INSTANCES_SCHEMA;
  private static final int[] STRING_FIELDS = fields(ParsedHeader.STRING_KEYWORDS);
  private static final int[] INT_FIELDS = fields(ParsedHeader.INT_KEYWORDS);
  private static final int IMAGE_TYPE = S.fieldIndex("ImageType");
  private static final int PIXEL_DATA_OFFSET = S.fieldIndex("pixel_data_offset");
  private static final int PIXEL_DATA_LENGTH = S.fieldIndex("pixel_data_length");
  private static final int PIXEL_DATA_VR = S.fieldIndex("pixel_data_vr");
  private static final int HEADER_LENGTH = S.fieldIndex("header_length");
  private static final int FILE_CHECKSUM = S.fieldIndex("file_checksum");
  private static final int HEADER = S.fieldIndex("header");
  private static final int FILE_PATH = S.fieldIndex("file_path");
  private static final int FILE_SIZE = S.fieldIndex("file_size");
  private static final int FILE_MODIFIED = S.fieldIndex("file_modified");
  private static final int RUN_ID = S.fieldIndex("ingest_run_id");
  private static final int INGEST_TIME = S.fieldIndex("ingest_time");

  /** Shared strings converted before the cache starts afresh. */
  static final int SHARED_LIMIT = 1 << 16;

  private final UTF8String runId;
  private final long ingestMicros;
  private final Map<String, UTF8String> shared = new IdentityHashMap<>();

  InstanceRows(String runId, long ingestMillis) {
    this.runId = UTF8String.fromString(runId);
    this.ingestMicros = ingestMillis * 1000L;
  }

  /** The {@link IngestSchemas#INSTANCES_SCHEMA} row of one parsed file. */
  InternalRow of(SourceFile f, ParsedHeader h) {
    Object[] v = new Object[S.length()];
    for (int i = 0; i < STRING_FIELDS.length; i++) {
      v[STRING_FIELDS[i]] = utf8(h.string(ParsedHeader.STRING_KEYWORDS.get(i)));
    }
    for (int i = 0; i < INT_FIELDS.length; i++) {
      v[INT_FIELDS[i]] = h.integer(ParsedHeader.INT_KEYWORDS.get(i));
    }
    v[IMAGE_TYPE] = strings(h.imageType());
    v[PIXEL_DATA_OFFSET] = h.pixelDataOffset();
    v[PIXEL_DATA_LENGTH] = h.pixelDataLength();
    v[PIXEL_DATA_VR] = utf8(h.pixelDataVr());
    v[HEADER_LENGTH] = h.headerLength();
    v[FILE_CHECKSUM] = utf8(h.checksum());
    v[FILE_PATH] = utf8(f.path());
    v[FILE_SIZE] = f.size();
    v[FILE_MODIFIED] = f.modifiedMillis() * 1000L;
    v[RUN_ID] = runId;
    v[INGEST_TIME] = ingestMicros;
    Object[] entries = new Object[h.header().size()];
    int i = 0;
    for (HeaderEntry e : h.header()) {
      UTF8String tag = shared(e.tag());
      entries[i++] =
          new GenericInternalRow(
              new Object[] {
                e.path() == e.tag() ? tag : utf8(e.path()),
                tag,
                shared(e.keyword()),
                shared(e.vr()),
                utf8(e.privateCreator()),
                strings(e.values()),
                e.binary()
              });
    }
    v[HEADER] = new GenericArrayData(entries);
    return new GenericInternalRow(v);
  }

  /** A string the parser shares between files (tag, keyword, VR), converted once. */
  private UTF8String shared(String s) {
    if (s == null) {
      return null;
    }
    UTF8String u = shared.get(s);
    if (u == null) {
      if (shared.size() >= SHARED_LIMIT) {
        shared.clear();
      }
      u = UTF8String.fromString(s);
      shared.put(s, u);
    }
    return u;
  }

  static UTF8String utf8(String s) {
    return s == null ? null : UTF8String.fromString(s);
  }

  private static GenericArrayData strings(List<String> values) {
    if (values == null) {
      return null;
    }
    Object[] out = new Object[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = utf8(values.get(i));
    }
    return new GenericArrayData(out);
  }

  private static int[] fields(List<String> keywords) {
    int[] out = new int[keywords.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = S.fieldIndex(keywords.get(i));
    }
    return out;
  }
}
