package org.imaginglakehouse.core.zone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.junit.jupiter.api.Test;

class ZoneLayoutTest {
  @Test
  void zonesAreSeparateRootsUnderTheHomeByDefault() {
    ZoneLayout layout =
        ZoneLayout.from(LakehouseConfig.builder().flag("home", "s3a://bucket/prefix/").build());
    assertThat(layout.home()).isEqualTo("s3a://bucket/prefix");
    assertThat(layout.root(Zone.IDENTIFIABLE)).isEqualTo("s3a://bucket/prefix/identifiable");
    assertThat(layout.table(Zone.DEIDENTIFIED, "study"))
        .isEqualTo("s3a://bucket/prefix/deidentified/study");
    assertThat(layout.projectTable("glioma_2026", "image"))
        .isEqualTo("s3a://bucket/prefix/projects/glioma_2026/image");
    assertThat(ZoneLayout.projectDatabase("glioma_2026")).isEqualTo("project_glioma_2026");
  }

  @Test
  void eachZoneRootCanBeMovedAndRelativeHomesBecomeAbsolute() {
    ZoneLayout layout =
        ZoneLayout.from(
            LakehouseConfig.builder()
                .flag("home", "rel/home")
                .flag("zones.identifiable", "s3a://phi-bucket/zone")
                .build());
    assertThat(layout.root(Zone.IDENTIFIABLE)).isEqualTo("s3a://phi-bucket/zone");
    assertThat(layout.root(Zone.DEIDENTIFIED))
        .isEqualTo(Path.of("rel/home/deidentified").toAbsolutePath().toString());
  }

  @Test
  void namesMustBeSafeSqlIdentifiers() {
    ZoneLayout layout = ZoneLayout.from(LakehouseConfig.defaults());
    assertThatThrownBy(() -> layout.table(Zone.IDENTIFIABLE, "../etc"))
        .hasMessageContaining("Invalid table name '../etc'");
    assertThatThrownBy(() -> layout.projectRoot("Bad-Name"))
        .hasMessageContaining("Invalid project name");
    assertThatThrownBy(() -> Zone.fromId("public")).hasMessageContaining("Unknown zone 'public'");
  }
}
