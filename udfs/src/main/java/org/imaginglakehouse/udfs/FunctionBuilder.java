package org.imaginglakehouse.udfs;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GetArrayStructFields;
import org.apache.spark.sql.catalyst.expressions.ScalaUDF;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.LakehouseException;
import scala.Option;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.AbstractFunction3;

/**
 * Turns a call {@code f(args)} into a Catalyst {@link ScalaUDF} over the function's body: scalar
 * arguments are cast to STRING, a HEADER argument is checked to be the header column and projected
 * to its {@code path} and {@code values} arrays (the binary values are never read).
 */
final class FunctionBuilder extends AbstractFunction1<Seq<Expression>, Expression>
    implements Serializable {
  private static final long serialVersionUID = 1L;
  private final SqlFunction function;

  FunctionBuilder(SqlFunction function) {
    this.function = function;
  }

  @Override
  public Expression apply(Seq<Expression> arguments) {
    List<Expression> args = CollectionConverters.asJava(arguments);
    List<SqlFunction.Argument> kinds = function.arguments();
    if (args.size() != kinds.size()) {
      throw new LakehouseException(
          function.name()
              + " takes "
              + kinds.size()
              + " argument(s), got "
              + args.size()
              + ": use "
              + function.signature());
    }
    List<Expression> children = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      Expression arg = args.get(i);
      switch (kinds.get(i)) {
        case STRING -> children.add(asString(arg));
        case STRING_LIST -> {
          DataType type = arg.dataType();
          if (type instanceof ArrayType array && array.elementType() == DataTypes.StringType) {
            children.add(arg);
          } else {
            children.add(asString(arg));
          }
        }
        case HEADER -> {
          StructType entry = headerEntry(arg.dataType());
          children.add(field(arg, entry, "path"));
          children.add(field(arg, entry, "values"));
        }
      }
    }
    return new ScalaUDF(
        udf(),
        function.returnType(),
        CollectionConverters.asScala(children).toList(),
        scala.collection.immutable.List$.MODULE$.empty(),
        Option.empty(),
        Option.apply(function.name()),
        true,
        true);
  }

  private static Expression asString(Expression arg) {
    return arg.dataType() == DataTypes.StringType
        ? arg
        : new Cast(arg, DataTypes.StringType, Option.empty());
  }

  /** The element type of the header column, or a clear error for anything else. */
  private StructType headerEntry(DataType type) {
    if (type instanceof ArrayType array && array.elementType() instanceof StructType entry) {
      StructField path = find(entry, "path");
      StructField values = find(entry, "values");
      if (path != null
          && path.dataType() == DataTypes.StringType
          && values != null
          && values.dataType() instanceof ArrayType v
          && v.elementType() == DataTypes.StringType) {
        return entry;
      }
    }
    throw new LakehouseException(
        function.name()
            + " reads only the complete DICOM header, column `header` of identifiable.instances"
            + " (ARRAY<STRUCT<path STRING, ..., values ARRAY<STRING>, ...>>), got "
            + type.simpleString()
            + ". The de-identified zone keeps no complete headers: use the promoted columns.");
  }

  private static StructField find(StructType struct, String name) {
    for (StructField f : struct.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }

  private static Expression field(Expression header, StructType entry, String name) {
    int ordinal = entry.fieldIndex(name);
    StructField f = entry.fields()[ordinal];
    boolean containsNull = ((ArrayType) header.dataType()).containsNull() || f.nullable();
    return new GetArrayStructFields(header, f, ordinal, entry.fields().length, containsNull);
  }

  private Object udf() {
    SqlFunction f = function;
    return switch (f.bodyArity()) {
      case 1 -> new Udf1(f);
      case 2 -> new Udf2(f);
      case 3 -> new Udf3(f);
      default -> throw new IllegalStateException(f.name() + ": unsupported arity " + f.bodyArity());
    };
  }

  /** Scala collections from Catalyst (Seq, nested Seq) to Java Lists; other values unchanged. */
  static Object toJava(Object value) {
    if (value instanceof scala.collection.Seq<?> seq) {
      List<Object> out = new ArrayList<>(seq.size());
      for (Object o : CollectionConverters.asJava(seq)) {
        out.add(toJava(o));
      }
      return out;
    }
    return value;
  }

  static final class Udf1 extends AbstractFunction1<Object, Object> implements Serializable {
    private static final long serialVersionUID = 1L;
    private final SqlFunction f;

    Udf1(SqlFunction f) {
      this.f = f;
    }

    @Override
    public Object apply(Object a) {
      return f.invoke(new Object[] {toJava(a)});
    }
  }

  static final class Udf2 extends AbstractFunction2<Object, Object, Object>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final SqlFunction f;

    Udf2(SqlFunction f) {
      this.f = f;
    }

    @Override
    public Object apply(Object a, Object b) {
      return f.invoke(new Object[] {toJava(a), toJava(b)});
    }
  }

  static final class Udf3 extends AbstractFunction3<Object, Object, Object, Object>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final SqlFunction f;

    Udf3(SqlFunction f) {
      this.f = f;
    }

    @Override
    public Object apply(Object a, Object b, Object c) {
      return f.invoke(new Object[] {toJava(a), toJava(b), toJava(c)});
    }
  }
}
