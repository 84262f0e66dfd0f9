package org.imaginglakehouse.udfs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Maps free-text body parts (BodyPartExamined as typed at the modality, or a study/series
 * description) to the DICOM defined terms of Body Part Examined (PS3.16 Annex L, e.g. {@code
 * BRAIN}, {@code HEAD}, {@code CHEST}, {@code LSPINE}, {@code CHESTABDPELVIS}).
 *
 * <p>The text is upper-cased, punctuation becomes spaces and {@code &}/{@code AND} are ignored
 * inside phrases. The result is the first phrase, in reading order, that is a defined term or a
 * known synonym, trying the longest phrase first at each position (so {@code "CT Chest, Abdo &
 * Pelvis"} is {@code CHESTABDPELVIS}, not {@code CHEST}); plural {@code S} is dropped when that
 * gives a known term. Text with no recognisable body part gives null.
 */
public final class BodyParts {
  /** Defined terms we return (a subset of PS3.16 Annex L covering common imaging). */
  public static final Set<String> DEFINED_TERMS =
      Set.of(
          "ABDOMEN",
          "ABDOMENPELVIS",
          "ADRENAL",
          "ANKLE",
          "AORTA",
          "ARM",
          "AXILLA",
          "BACK",
          "BLADDER",
          "BRAIN",
          "BREAST",
          "BRONCHUS",
          "BUTTOCK",
          "CALCANEUS",
          "CALF",
          "CAROTID",
          "CEREBELLUM",
          "CERVIX",
          "CHEST",
          "CHESTABDOMEN",
          "CHESTABDPELVIS",
          "CIRCLEOFWILLIS",
          "CLAVICLE",
          "COCCYX",
          "COLON",
          "CORONARYARTERY",
          "CSPINE",
          "CTSPINE",
          "DUODENUM",
          "EAR",
          "ELBOW",
          "ESOPHAGUS",
          "EXTREMITY",
          "EYE",
          "FACE",
          "FEMUR",
          "FINGER",
          "FOOT",
          "GALLBLADDER",
          "HAND",
          "HEAD",
          "HEADNECK",
          "HEART",
          "HIP",
          "HUMERUS",
          "IAC",
          "JAW",
          "KIDNEY",
          "KNEE",
          "LARYNX",
          "LEG",
          "LIVER",
          "LSPINE",
          "LSSPINE",
          "LUNG",
          "MEDIASTINUM",
          "NECK",
          "NECKCHEST",
          "NECKCHESTABDOMEN",
          "NECKCHESTABDPELV",
          "NOSE",
          "ORBIT",
          "OVARY",
          "PANCREAS",
          "PAROTID",
          "PATELLA",
          "PELVIS",
          "PHARYNX",
          "PROSTATE",
          "RECTUM",
          "RIB",
          "SACRUM",
          "SCAPULA",
          "SELLA",
          "SHOULDER",
          "SKULL",
          "SPINE",
          "SPLEEN",
          "STERNUM",
          "STOMACH",
          "TESTIS",
          "THIGH",
          "THUMB",
          "THYROID",
          "TOE",
          "TRACHEA",
          "TSPINE",
          "TLSPINE",
          "UTERUS",
          "WHOLEBODY",
          "WRIST");

  private static final Map<String, String> PHRASES = new HashMap<>();
  private static final int MAX_PHRASE = 4;

  static {
    for (String term : DEFINED_TERMS) {
      PHRASES.put(term, term);
    }
    // Includes typos and abbreviations common in PACS data (HAED, HD, BRIAN).
    synonyms("HEAD", "CRANIUM", "CRANIAL", "HAED", "HD");
    synonyms("BRAIN", "CEREBRAL", "CEREBRUM", "INTRACRANIAL", "NEURO", "BRIAN");
    synonyms("HEADNECK", "HEAD NECK", "HEAD N NECK");
    synonyms("CHEST", "THORAX", "THORACIC", "THX", "CXR");
    synonyms("LUNG", "PULMONARY");
    synonyms("ABDOMEN", "ABDO", "ABD", "ABDOMINAL");
    synonyms("ABDOMENPELVIS", "ABDOMEN PELVIS", "ABDO PELVIS", "ABD PELVIS", "ABDO PELV");
    synonyms("CHESTABDOMEN", "CHEST ABDOMEN", "CHEST ABDO", "THORAX ABDOMEN");
    synonyms(
        "CHESTABDPELVIS",
        "CHEST ABDOMEN PELVIS",
        "CHEST ABDO PELVIS",
        "CHEST ABD PELVIS",
        "CAP",
        "TAP",
        "THORAX ABDOMEN PELVIS");
    synonyms("NECKCHEST", "NECK CHEST");
    synonyms("CSPINE", "C SPINE", "CERVICAL SPINE", "CERVICAL", "C SP");
    synonyms("TSPINE", "T SPINE", "THORACIC SPINE", "DORSAL SPINE", "D SPINE", "T SP");
    synonyms("LSPINE", "L SPINE", "LUMBAR SPINE", "LUMBAR", "L SP", "LUMBOSACRAL SPINE");
    synonyms("LSSPINE", "LS SPINE", "LUMBOSACRAL");
    synonyms("TLSPINE", "TL SPINE", "THORACOLUMBAR SPINE", "THORACOLUMBAR");
    synonyms("CTSPINE", "CERVICOTHORACIC SPINE", "CERVICOTHORACIC");
    synonyms("WHOLEBODY", "WHOLE BODY", "WB", "TOTAL BODY");
    synonyms("IAC", "IAM", "IAMS", "INTERNAL AUDITORY MEATUS", "INTERNAL AUDITORY MEATI");
    synonyms("KIDNEY", "RENAL", "KIDNEYS");
    synonyms("BREAST", "MAMMO", "MAMMOGRAM", "MAMMOGRAPHY");
    synonyms("HEART", "CARDIAC");
    synonyms("LIVER", "HEPATIC");
    synonyms("ORBIT", "ORBITS");
    synonyms("PELVIS", "PELVIC");
    synonyms("FEMUR", "FEMORAL");
    synonyms("CIRCLEOFWILLIS", "CIRCLE OF WILLIS", "COW");
    synonyms("SELLA", "PITUITARY", "PITUITARY FOSSA");
    synonyms("FACE", "FACIAL BONES", "SINUSES", "SINUS");
    synonyms("ESOPHAGUS", "OESOPHAGUS");
    synonyms("CAROTID", "CAROTIDS");
  }

  private BodyParts() {}

  private static void synonyms(String term, String... phrases) {
    if (!DEFINED_TERMS.contains(term)) {
      throw new IllegalStateException("Not a defined term: " + term);
    }
    for (String phrase : phrases) {
      PHRASES.put(phrase, term);
    }
  }

  /** The defined term for {@code text}, or null when no body part is recognised. */
  public static String normalise(String text) {
    if (text == null) {
      return null;
    }
    String cleaned =
        text.toUpperCase(Locale.ROOT).replace('&', ' ').replaceAll("[^A-Z0-9]+", " ").trim();
    if (cleaned.isEmpty()) {
      return null;
    }
    String compact = cleaned.replace(" ", "");
    if (DEFINED_TERMS.contains(compact)) {
      return compact;
    }
    List<String> tokens = new ArrayList<>();
    for (String token : cleaned.split(" ")) {
      if (!token.equals("AND")) {
        tokens.add(token);
      }
    }
    for (int start = 0; start < tokens.size(); start++) {
      for (int length = Math.min(MAX_PHRASE, tokens.size() - start); length >= 1; length--) {
        String phrase = String.join(" ", tokens.subList(start, start + length));
        String term = lookup(phrase);
        if (term != null) {
          return term;
        }
      }
    }
    return null;
  }

  private static String lookup(String phrase) {
    String term = PHRASES.get(phrase);
    if (term == null && phrase.endsWith("S") && phrase.length() > 3) {
      term = PHRASES.get(phrase.substring(0, phrase.length() - 1));
    }
    return term;
  }
}
