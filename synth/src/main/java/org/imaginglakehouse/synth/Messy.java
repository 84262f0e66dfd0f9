package org.imaginglakehouse.synth;

import java.util.Map;
import java.util.SplittableRandom;

/** Real-world mess for descriptions: case, spacing, abbreviations and typos ("BRIAN"). */
final class Messy {
  private Messy() {}

  private static final Map<String, String[]> REGION_WORDS =
      Map.ofEntries(
          Map.entry("BRAIN", new String[] {"Brain", "BRAIN", "brain", "Head", "BRIAN", "Brain "}),
          Map.entry("HEAD", new String[] {"Head", "HEAD", "head", "Hd", "Brain", "HAED"}),
          Map.entry("CHEST", new String[] {"Chest", "CHEST", "Thorax", "chest", "CXR", "CHST"}),
          Map.entry(
              "ABDOMEN",
              new String[] {"Abdomen", "ABDO", "abdo/pelvis", "ABDOMEN", "Abd", "ABDOMAN"}),
          Map.entry("PELVIS", new String[] {"Pelvis", "PELVIS", "pelvis", "Pelv", "PELIVS"}),
          Map.entry(
              "SPINE", new String[] {"L Spine", "LUMBAR SPINE", "C-Spine", "spine", "Whole Spine"}),
          Map.entry("KNEE", new String[] {"Knee", "KNEE RT", "L knee", "Knee  Left", "KNE"}),
          Map.entry("HAND", new String[] {"Hand", "HAND LT", "R hand", "Hand/wrist"}),
          Map.entry("HIP", new String[] {"Hip", "HIPS", "Pelvis/hips", "L Hip"}),
          Map.entry("NECK", new String[] {"Neck", "Thyroid", "NECK", "thyroid"}),
          Map.entry("BREAST", new String[] {"Breast", "BREASTS", "Bilat breast", "breast"}),
          Map.entry("HEART", new String[] {"Coronary", "CORONARY ANGIO", "Cardiac cath", "Heart"}),
          Map.entry("ESOPHAGUS", new String[] {"Barium swallow", "BA SWALLOW", "Ba Swallow"}),
          Map.entry("WHOLEBODY", new String[] {"Whole Body", "WB", "Whole body", "WHOLEBODY"}));

  private static final Map<String, String> BODY_PART =
      Map.ofEntries(
          Map.entry("BRAIN", "BRAIN"),
          Map.entry("HEAD", "HEAD"),
          Map.entry("CHEST", "CHEST"),
          Map.entry("ABDOMEN", "ABDOMEN"),
          Map.entry("PELVIS", "PELVIS"),
          Map.entry("SPINE", "LSPINE"),
          Map.entry("KNEE", "KNEE"),
          Map.entry("HAND", "HAND"),
          Map.entry("HIP", "HIP"),
          Map.entry("NECK", "NECK"),
          Map.entry("BREAST", "BREAST"),
          Map.entry("HEART", "HEART"),
          Map.entry("ESOPHAGUS", "ESOPHAGUS"),
          Map.entry("WHOLEBODY", "WHOLEBODY"));

  static String studyDescription(String m, String region, boolean contrast, SplittableRandom r) {
    String[] words = REGION_WORDS.getOrDefault(region, new String[] {region});
    String w = words[r.nextInt(words.length)];
    String prefix =
        switch (m) {
          case "CT" -> new String[] {"CT ", "CT  ", "ct ", "CT-"}[r.nextInt(4)];
          case "MR" -> new String[] {"MRI ", "MR ", "mri ", "MRI  ", "MR-"}[r.nextInt(5)];
          case "US" -> new String[] {"US ", "USS ", "Ultrasound ", "us "}[r.nextInt(4)];
          case "CR", "DX" -> new String[] {"XR ", "X-Ray ", "XR", "DX "}[r.nextInt(4)];
          case "MG" -> new String[] {"Mammo ", "MAMMOGRAM ", "Screening mammo "}[r.nextInt(3)];
          case "PT" -> "PET-CT ";
          case "NM" -> new String[] {"NM Bone scan ", "Bone Scan ", "NM "}[r.nextInt(3)];
          case "XA" -> "";
          case "RF" -> "Fluoro ";
          case "SR" -> "Dose report ";
          default -> "Secondary capture ";
        };
    String suffix = "";
    if (contrast) {
      suffix = new String[] {" +C", " with contrast", " C+", " W/CONT", " post gad"}[r.nextInt(5)];
      if (m.equals("CT") && suffix.equals(" post gad")) {
        suffix = " +IV contrast";
      }
    } else if (Rand.chance(r, 0.3)) {
      suffix = new String[] {" routine", " w/o contrast", " NON CONTRAST", " ?bleed"}[r.nextInt(4)];
    }
    return (prefix + w + suffix).trim();
  }

  /**
   * BodyPartExamined is CS (upper case, digits, space, underscore): the mess stays within the VR:
   * typos, synonyms, abbreviations, empty values.
   */
  static String bodyPart(String region, SplittableRandom r) {
    String bp = BODY_PART.getOrDefault(region, region);
    double x = r.nextDouble();
    if (region.equals("BRAIN") && x < 0.1) {
      return "BRIAN";
    }
    if (x < 0.2) {
      String[] alt =
          switch (region) {
            case "BRAIN" -> new String[] {"HEAD", "SKULL", "BRAIN HEAD"};
            case "HEAD" -> new String[] {"BRAIN", "SKULL", "HEAD NECK"};
            case "CHEST" -> new String[] {"THORAX", "CHEST_TO_PELVIS", "LUNG"};
            case "ABDOMEN" -> new String[] {"ABDO", "ABDOMENPELVIS", "ABD PELVIS"};
            case "SPINE" -> new String[] {"L SPINE", "SPINE", "CSPINE"};
            case "WHOLEBODY" -> new String[] {"WHOLE BODY", "WB", ""};
            default -> new String[] {bp, ""};
          };
      return alt[r.nextInt(alt.length)];
    }
    if (x < 0.25) {
      return "";
    }
    return bp;
  }

  static String seriesDescription(String m, String kind, String region) {
    return switch (kind) {
      case "LOCALIZER" -> m.equals("CT") ? "Topogram  0.6  T20s" : "3 Plane Loc";
      case "AXIAL" -> region + " 5.0 B30f";
      case "BOLUS" -> "Bolus tracking / multiphase";
      case "MPR" -> "COR MPR 3mm";
      case "T1" -> "t1_se_tra";
      case "T1POST" -> "T1 MPRAGE POST GAD";
      case "T2" -> "t2_tse_tra";
      case "FLAIR" -> "t2_tirm_tra_dark-fluid FLAIR";
      case "DWI" -> "ep2d_diff_3scan_trace";
      case "SWI" -> "SWI_Images";
      case "SWI_MIP" -> "mIP_Images(SW)";
      case "ADC" -> "ep2d_diff ADC";
      case "US", "CINE" -> kind.equals("CINE") ? "Cine loop" : "Abdominal";
      case "PROJ" -> "PA";
      case "MAMMO" -> "Screening";
      case "ANGIO" -> "LCA";
      case "FLUORO" -> "Swallow";
      case "NM" -> "WB ANT/POST";
      case "PET" -> "PET WB AC";
      case "SR" -> "Radiation Dose Report";
      default -> "Secondary Capture";
    };
  }
}
