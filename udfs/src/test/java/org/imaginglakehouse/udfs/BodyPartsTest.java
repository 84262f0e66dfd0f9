package org.imaginglakehouse.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class BodyPartsTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "BRAIN|BRAIN",
        "brain|BRAIN",
        "MR Brain with contrast|BRAIN",
        "Head|HEAD",
        "BRIAN|BRAIN",
        "MRI  Hd|HEAD",
        "SKULL|SKULL",
        "BRAIN HEAD|BRAIN",
        "HEAD/BRAIN|HEAD",
        "MRI Head & Neck|HEADNECK",
        "head and neck|HEADNECK",
        "CT Chest, Abdo & Pelvis|CHESTABDPELVIS",
        "CHESTABDPELVIS|CHESTABDPELVIS",
        "Thorax|CHEST",
        "L-Spine|LSPINE",
        "Lumbar spine|LSPINE",
        "C SPINE|CSPINE",
        "Knees|KNEE",
        "whole body|WHOLEBODY",
        "IAMs|IAC",
        "Oesophagus|ESOPHAGUS"
      })
  void recognised(String text, String expected) {
    assertThat(BodyParts.normalise(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "   ", "---", "PHANTOM", "unknown", "QA test"})
  void unrecognisedIsNull(String text) {
    assertThat(BodyParts.normalise(text)).isNull();
  }
}
