package org.imaginglakehouse.synth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Writes a small table as one Parquet file with parquet-hadoop's example writer straight to the
 * local file system (no Spark session, no Hadoop FileSystem). Columns named {@code *_date} are
 * DATE, the named integer columns INT64, the rest UTF-8 strings; empty values are null.
 */
final class ParquetTables {
  private ParquetTables() {}

  static boolean available() {
    try {
      Class.forName("org.apache.parquet.hadoop.example.ExampleParquetWriter");
      Class.forName("org.apache.parquet.io.LocalOutputFile");
      Class.forName("org.apache.hadoop.conf.Configuration");
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  static void write(Path file, String name, String[] columns, List<String[]> rows, String[] typed)
      throws IOException {
    List<String> typedList = Arrays.asList(typed);
    Types.MessageTypeBuilder mb = Types.buildMessage();
    for (String c : columns) {
      if (typedList.contains(c) && c.endsWith("_date")) {
        mb.optional(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.dateType()).named(c);
      } else if (typedList.contains(c)) {
        mb.optional(PrimitiveTypeName.INT64).named(c);
      } else {
        mb.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(c);
      }
    }
    MessageType schema = mb.named(name);
    Files.deleteIfExists(file);
    SimpleGroupFactory f = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withType(schema)
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .build()) {
      for (String[] row : rows) {
        Group g = f.newGroup();
        for (int i = 0; i < columns.length; i++) {
          String v = row[i];
          if (v == null || v.isEmpty()) {
            continue;
          }
          String c = columns[i];
          if (typedList.contains(c) && c.endsWith("_date")) {
            g.append(c, (int) LocalDate.parse(v).toEpochDay());
          } else if (typedList.contains(c)) {
            g.append(c, Long.parseLong(v));
          } else {
            g.append(c, v);
          }
        }
        w.write(g);
      }
    }
  }
}
