package org.imaginglakehouse.ingest.dicom;

import java.io.Serializable;
import java.util.List;

/**
 * One attribute of the complete header, flattened: {@code path} is the tag path ({@code
 * 00400275[0].00321060} for nested items, items counted from 0), {@code values} every value as a
 * string (null for binary VRs, whose bytes are in {@code binary}).
 */
public record HeaderEntry(
    String path,
    String tag,
    String keyword,
    String vr,
    String privateCreator,
    List<String> values,
    byte[] binary)
    implements Serializable {}
