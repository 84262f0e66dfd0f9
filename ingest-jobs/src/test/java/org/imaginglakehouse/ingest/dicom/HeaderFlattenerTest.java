package org.imaginglakehouse.ingest.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.io.BufferedInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.imaginglakehouse.synth.SynthOptions;
import org.imaginglakehouse.synth.SyntheticPacs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flattened header names every attribute as PixelMed does (tag, keyword from the standard
 * dictionary, VR), at every depth, on real files of a synthetic PACS of several modalities; and the
 * names it shares between files are the same instances (what the row builder's conversion cache
 * relies on).
 */
class HeaderFlattenerTest {
  @TempDir static Path dir;
  private static List<AttributeList> lists;

  @BeforeAll
  static void readArchive() throws Exception {
    Path root = dir.resolve("pacs");
    SyntheticPacs.generate(
        root,
        SynthOptions.builder()
            .patients(3)
            .seed(11)
            .pixelSize(SynthOptions.PixelSize.TINY)
            .imagesScale(0.1)
            .junkRate(0.0)
            .parquet(false)
            .threads(1)
            .modalityMix(Map.of("CT", 1.0, "MR", 1.0, "US", 1.0, "SR", 1.0, "PT", 1.0))
            .build());
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
    }
    lists = new ArrayList<>();
    for (Path file : files) {
      AttributeList list = new AttributeList();
      try (DicomInputStream in =
          new DicomInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
        list.read(in, TagFromName.PixelData);
      }
      lists.add(list);
    }
    assertThat(lists).hasSizeGreaterThan(20);
  }

  @Test
  void namesEveryAttributeAsPixelMedDoesAtEveryDepth() throws Exception {
    HeaderFlattener flattener = new HeaderFlattener();
    int nested = 0;
    for (AttributeList list : lists) {
      List<HeaderEntry> entries = header(flattener, list);
      List<String[]> expected = new ArrayList<>();
      reference(list, "", expected);
      assertThat(entries).hasSameSizeAs(expected);
      for (int i = 0; i < entries.size(); i++) {
        HeaderEntry e = entries.get(i);
        String[] x = expected.get(i);
        assertThat(new String[] {e.path(), e.tag(), e.keyword(), e.vr()}).containsExactly(x);
        if (e.path().contains("[")) {
          nested++;
        }
      }
    }
    assertThat(nested).as("attributes inside sequences").isPositive();
  }

  @Test
  void sharesEachTagsNamesBetweenFiles() throws Exception {
    HeaderFlattener flattener = new HeaderFlattener();
    List<HeaderEntry> first = header(flattener, lists.get(0));
    List<HeaderEntry> again = header(flattener, lists.get(0));
    for (int i = 0; i < first.size(); i++) {
      HeaderEntry a = first.get(i);
      HeaderEntry b = again.get(i);
      assertThat(b.tag()).isSameAs(a.tag());
      assertThat(b.vr()).isSameAs(a.vr());
      if (a.keyword() != null) {
        assertThat(b.keyword()).isSameAs(a.keyword());
      }
      if (!a.path().contains("[")) {
        assertThat(a.path()).isSameAs(a.tag());
      }
    }
  }

  @Test
  void vrNamesAreTheStandardNamesAsSharedInstances() throws Exception {
    int seen = 0;
    for (AttributeList list : lists) {
      for (Attribute a : list.values()) {
        String name = VrNames.of(a);
        assertThat(name).isEqualTo(a.getVRAsString());
        assertThat(VrNames.of(a)).isSameAs(name);
        seen++;
      }
    }
    assertThat(seen).isGreaterThan(500);
    assertThat(Set.of("OB", "OW", "OF", "OD", "OL", "OV", "UN")).allMatch(VrNames::isBinary);
    assertThat(Set.of("SQ", "UI", "PN", "DA", "US", "FD", "AT")).noneMatch(VrNames::isBinary);
  }

  private static List<HeaderEntry> header(HeaderFlattener flattener, AttributeList list)
      throws Exception {
    return flattener.build(list, null, null, null, null, 0L, "sha256h:x").header();
  }

  /** Path, tag, keyword and VR as PixelMed names them, computed without any cache. */
  private static void reference(AttributeList list, String prefix, List<String[]> out) {
    for (Attribute a : list.values()) {
      AttributeTag tag = a.getTag();
      String hex = String.format(Locale.ROOT, "%04X%04X", tag.getGroup(), tag.getElement());
      String keyword =
          tag.isPrivate() ? null : DicomDictionary.StandardDictionary.getNameFromTag(tag);
      out.add(new String[] {prefix + hex, hex, keyword, a.getVRAsString()});
      if (a instanceof SequenceAttribute sq) {
        for (int i = 0; i < sq.getNumberOfItems(); i++) {
          AttributeList item = sq.getItem(i).getAttributeList();
          if (item != null) {
            reference(item, prefix + hex + "[" + i + "].", out);
          }
        }
      }
    }
  }
}
