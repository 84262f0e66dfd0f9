package org.imaginglakehouse.synth;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** The sequentially planned skeleton of an archive; workers fill in pixels and headers. */
final class Plan {
  final List<PatientPlan> patients = new ArrayList<>();
  final List<StudyPlan> studies = new ArrayList<>();
  final List<String[]> smr06 = new ArrayList<>();
  final List<String[]> prescribing = new ArrayList<>();
  final List<String[]> chiEupi = new ArrayList<>();

  static final class PatientPlan {
    int index;
    String chi;
    String idStatus;
    String writtenId;
    String family;
    String given;

    /** DICOM PN value (possibly with ideographic/phonetic groups). */
    String dicomName;

    /** SpecificCharacterSet values joined by '\' ("" = none written). */
    String charset;

    String sex;
    LocalDate birth;
    String address;
    String postcode;
    int board;
    String eupi;
    String hospitalNumber;
    LocalDate gbmDiagnosis;
    String otherCancer;
    LocalDate otherCancerDate;
    boolean gabapentin;
    LocalDate gabapentinStart;
    boolean gabapentinBrainMri;

    String prefix() {
      return "M".equals(sex) ? "Mr" : "Mrs";
    }

    GroundTruth.Patient toGroundTruth() {
      return new GroundTruth.Patient(
          index,
          chi,
          idStatus,
          writtenId,
          family,
          given,
          dicomName,
          charset,
          sex,
          birth.toString(),
          address,
          postcode,
          Vocab.BOARDS.get(board)[0],
          eupi);
    }
  }

  static final class StudyPlan {
    int index;
    PatientPlan patient;
    String modality;

    /** Canonical region: BRAIN, HEAD, CHEST, ABDOMEN, PELVIS, SPINE, KNEE, HAND, BREAST, ... */
    String region;

    LocalDate date;
    int timeSeconds;
    int board;
    String hospital;
    String accession;
    String studyUid;
    String description;
    String bodyPart;
    String[] device;
    boolean contrast;
    boolean bolus;

    /** Why the study exists: ROUTINE, GBM_PRE, GBM_POST, GABAPENTIN, CANCER. */
    String reason;

    final List<SeriesPlan> series = new ArrayList<>();
    final List<JunkKind> junk = new ArrayList<>();
  }

  static final class SeriesPlan {
    int number;
    String uid;

    /** ORIGINAL, LOCALIZER or DERIVED. */
    String typeClass;

    /** Modality-specific kind: AXIAL, T1, T2, FLAIR, DWI, SWI, CINE, ... */
    String kind;

    String description;
    int images;
    int framesPerImage;
    int acquisitions;
  }
}
