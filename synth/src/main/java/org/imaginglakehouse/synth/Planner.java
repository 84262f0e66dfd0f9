package org.imaginglakehouse.synth;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.imaginglakehouse.core.identity.Chi;
import org.imaginglakehouse.synth.Plan.PatientPlan;
import org.imaginglakehouse.synth.Plan.SeriesPlan;
import org.imaginglakehouse.synth.Plan.StudyPlan;

/** Plans population, clinical history, studies and series sequentially from the seed. */
final class Planner {
  /** Letters allowed in the inward code of a UK postcode (no C, I, K, M, O, V). */
  private static final String POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ";

  private final SynthOptions o;
  private final long seed;
  private final String[] modalities;
  private final double[] modalityWeights;

  Planner(SynthOptions options) {
    this.o = options;
    this.seed = options.seed();
    Map<String, Double> mix = options.modalityMix();
    this.modalities = mix.keySet().toArray(new String[0]);
    this.modalityWeights = mix.values().stream().mapToDouble(Double::doubleValue).toArray();
  }

  Plan plan() {
    Plan plan = new Plan();
    for (int i = 0; i < o.patients(); i++) {
      plan.patients.add(patient(i));
    }
    assignClinical(plan);
    for (PatientPlan p : plan.patients) {
      planStudies(plan, p);
    }
    // stable study order: by date, then patient, then plan order -> indices
    plan.studies.sort(
        (a, b) -> {
          int c = a.date.compareTo(b.date);
          if (c != 0) {
            return c;
          }
          c = Integer.compare(a.patient.index, b.patient.index);
          return c != 0 ? c : Integer.compare(a.index, b.index);
        });
    for (int i = 0; i < plan.studies.size(); i++) {
      StudyPlan s = plan.studies.get(i);
      s.index = i;
      s.studyUid = Rand.uid(seed, 2, i);
      s.accession = String.format("%s%02d%07d", boardCode(s.board), s.date.getYear() % 100, i + 1);
      planSeries(s);
    }
    assignJunk(plan);
    linkedTables(plan);
    return plan;
  }

  private static String boardCode(int board) {
    String area = Vocab.BOARDS.get(board)[1];
    return area.length() == 1 ? area + "G" : area;
  }

  // ---------------------------------------------------------------- population

  private PatientPlan patient(int i) {
    SplittableRandom r = Rand.stream(seed, 1, i);
    PatientPlan p = new PatientPlan();
    p.index = i;
    double kind = r.nextDouble();
    if (o.patients() >= 10 && i >= 1 && i <= 4) {
      // every character set appears in any archive of 10+ patients
      kind = new double[] {0.95, 0.90, 0.97, 0.99}[i - 1];
    }
    String sex = r.nextBoolean() ? "M" : "F";
    if (kind < 0.84) {
      p.family = Rand.pick(r, Vocab.SURNAMES);
      p.given = Rand.pick(r, "M".equals(sex) ? Vocab.MALE_GIVEN : Vocab.FEMALE_GIVEN);
      p.dicomName = p.family + "^" + p.given;
      p.charset = r.nextBoolean() ? "" : "ISO_IR 100";
    } else if (kind < 0.91) {
      String[] n = Rand.pick(r, Vocab.LATIN1_NAMES);
      p.family = n[0];
      p.given = n[1];
      sex = n[2];
      p.dicomName = p.family + "^" + p.given;
      // Latin-1 names are written in Latin-1 or, by newer systems, in UTF-8
      p.charset = Rand.chance(r, 0.7) ? "ISO_IR 100" : "ISO_IR 192";
    } else if (kind < 0.96) {
      String[] n = Rand.pick(r, Vocab.UTF8_NAMES);
      p.family = n[0];
      p.given = n[1];
      sex = n[2];
      p.dicomName = p.family + "^" + p.given;
      p.charset = "ISO_IR 192";
    } else if (kind < 0.985) {
      String[] n = Rand.pick(r, Vocab.JAPANESE_NAMES);
      p.dicomName = n[0];
      p.family = n[1];
      p.given = n[2];
      sex = n[3];
      p.charset = "\\ISO 2022 IR 87";
    } else {
      String[] n = Rand.pick(r, Vocab.KOREAN_NAMES);
      p.dicomName = n[0];
      p.family = n[1];
      p.given = n[2];
      sex = n[3];
      p.charset = "\\ISO 2022 IR 149";
    }
    p.sex = sex;
    // 5% born during the imaging years (infants: ages in D/W/M), the rest 1925-2004
    if (Rand.chance(r, 0.05)) {
      p.birth =
          LocalDate.of(o.firstYear(), 1, 1)
              .plusDays(r.nextInt(365 * (o.lastYear() - o.firstYear() + 1) - 200));
    } else {
      p.birth = LocalDate.of(1925, 1, 1).plusDays(r.nextInt(80 * 365));
    }
    p.chi = Chi.generate(p.birth, "M".equals(sex) ? Chi.Sex.MALE : Chi.Sex.FEMALE, r);
    p.board = Rand.weighted(r, Vocab.BOARD_WEIGHTS);
    String[] board = Vocab.BOARDS.get(p.board);
    String[] towns = board[3].split("\\|");
    String town = towns[r.nextInt(towns.length)];
    p.postcode =
        String.format(
            "%s%d %d%c%c",
            board[1],
            1 + r.nextInt(40),
            r.nextInt(10),
            POSTCODE_LETTERS.charAt(r.nextInt(POSTCODE_LETTERS.length())),
            POSTCODE_LETTERS.charAt(r.nextInt(POSTCODE_LETTERS.length())));
    p.address =
        (1 + r.nextInt(180)) + " " + Rand.pick(r, Vocab.STREETS) + ", " + town + " " + p.postcode;
    p.hospitalNumber = String.format("%c%07d", (char) ('A' + r.nextInt(26)), r.nextInt(10_000_000));
    double id = r.nextDouble();
    if (id < o.invalidChiRate()) {
      p.idStatus = "INVALID";
      double how = r.nextDouble();
      if (how < 0.5) {
        p.writtenId = Chi.withWrongCheckDigit(p.chi);
      } else if (how < 0.8 && p.chi.charAt(0) == '0') {
        p.writtenId = p.chi.substring(1); // stored as a number somewhere: leading zero lost
      } else {
        char[] c = p.chi.toCharArray(); // two digits transposed
        char t = c[4];
        c[4] = c[5];
        c[5] = t;
        p.writtenId = new String(c);
        if (Chi.isValid(p.writtenId)) {
          p.writtenId = Chi.withWrongCheckDigit(p.chi);
        }
      }
    } else if (id < o.invalidChiRate() + o.missingChiRate()) {
      p.idStatus = "MISSING";
      p.writtenId = r.nextBoolean() ? "" : p.hospitalNumber;
    } else {
      p.idStatus = "VALID";
      p.writtenId = p.chi;
    }
    // the mapping table misses ~3% of patients (not yet reconciled)
    p.eupi =
        Rand.chance(r, 0.03)
            ? null
            : String.format("EUPI%016X", Rand.mix(seed * 31 + i) & 0x7fffffffffffffffL);
    return p;
  }

  // ---------------------------------------------------------------- clinical

  private void assignClinical(Plan plan) {
    SplittableRandom r = Rand.stream(seed, 3);
    int n = plan.patients.size();
    int span = (o.lastYear() - o.firstYear() + 1) * 365;
    LocalDate start = LocalDate.of(o.firstYear(), 1, 1);
    // adults only for cancer / gabapentin
    List<PatientPlan> adults = new ArrayList<>();
    for (PatientPlan p : plan.patients) {
      if (p.birth.getYear() < o.firstYear() - 18) {
        adults.add(p);
      }
    }
    if (adults.isEmpty()) {
      return;
    }
    int gbm = Math.max(2, (int) Math.round(n * 0.05));
    int other = Math.max(2, (int) Math.round(n * 0.08));
    int gaba = Math.max(4, (int) Math.round(n * 0.10));
    List<PatientPlan> pool = new ArrayList<>(adults);
    shuffle(pool, r);
    int k = 0;
    for (int i = 0; i < gbm && k < pool.size(); i++, k++) {
      PatientPlan p = pool.get(k);
      p.gbmDiagnosis = start.plusDays(120 + r.nextInt(Math.max(1, span - 480)));
    }
    String[] cancers = {"C34", "C50", "C18", "C61", "C43", "C25"};
    for (int i = 0; i < other && k < pool.size(); i++, k++) {
      PatientPlan p = pool.get(k);
      String c = cancers[r.nextInt(cancers.length)];
      if (c.equals("C50") && p.sex.equals("M")) {
        c = "C34";
      }
      if (c.equals("C61") && p.sex.equals("F")) {
        c = "C18";
      }
      p.otherCancer = c;
      p.otherCancerDate = start.plusDays(60 + r.nextInt(Math.max(1, span - 120)));
    }
    // gabapentin: any adult, including some glioblastoma patients (seizure/pain)
    List<PatientPlan> gpool = new ArrayList<>(adults);
    shuffle(gpool, r);
    for (int i = 0; i < gaba && i < gpool.size(); i++) {
      PatientPlan p = gpool.get(i);
      p.gabapentin = true;
      p.gabapentinStart = start.plusDays(r.nextInt(Math.max(1, span - 200)));
      p.gabapentinBrainMri = i % 2 == 0;
    }
  }

  private static <T> void shuffle(List<T> l, SplittableRandom r) {
    for (int i = l.size() - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      T t = l.get(i);
      l.set(i, l.get(j));
      l.set(j, t);
    }
  }

  // ---------------------------------------------------------------- studies

  private void planStudies(Plan plan, PatientPlan p) {
    SplittableRandom r = Rand.stream(seed, 4, p.index);
    LocalDate first = LocalDate.of(o.firstYear(), 1, 1);
    LocalDate last = LocalDate.of(o.lastYear(), 12, 31);
    if (p.birth.isAfter(first)) {
      first = p.birth;
    }
    int span = (int) ChronoUnit.DAYS.between(first, last);
    int count = Math.max(1, Rand.poisson(r, o.studiesPerPatient()));
    boolean infant = p.birth.getYear() >= o.firstYear();
    for (int i = 0; i < count; i++) {
      String m = modalities[Rand.weighted(r, modalityWeights)];
      LocalDate d;
      if (infant && i == 0) {
        // early-life study so that PatientAge appears in days, weeks and months
        int[] ages = {3, 12, 25, 45, 70, 150, 300};
        d = p.birth.plusDays(ages[r.nextInt(ages.length)]);
        if (d.isAfter(last)) {
          d = last;
        }
      } else {
        d = first.plusDays(r.nextInt(Math.max(1, span + 1)));
      }
      add(plan, p, r, m, regionFor(m, r, p), d, "ROUTINE");
    }
    if (p.gbmDiagnosis != null) {
      LocalDate dx = p.gbmDiagnosis;
      add(plan, p, r, "CT", "HEAD", dx.minusDays(20 + r.nextInt(20)), "GBM_PRE");
      add(plan, p, r, "MR", "BRAIN", dx.minusDays(5 + r.nextInt(14)), "GBM_PRE");
      add(plan, p, r, "MR", "BRAIN", dx.plusDays(60 + r.nextInt(40)), "GBM_POST");
      if (r.nextBoolean()) {
        add(plan, p, r, "MR", "BRAIN", dx.plusDays(180 + r.nextInt(90)), "GBM_POST");
      }
    }
    if (p.otherCancer != null) {
      String region =
          switch (p.otherCancer) {
            case "C34" -> "CHEST";
            case "C50" -> "BREAST";
            case "C61" -> "PELVIS";
            default -> "ABDOMEN";
          };
      String m = region.equals("BREAST") ? "MG" : "CT";
      add(plan, p, r, m, region, p.otherCancerDate.minusDays(10 + r.nextInt(20)), "CANCER");
    }
    if (p.gabapentinBrainMri) {
      add(plan, p, r, "MR", "BRAIN", p.gabapentinStart.plusDays(30 + r.nextInt(120)), "GABAPENTIN");
    }
  }

  private void add(
      Plan plan,
      PatientPlan p,
      SplittableRandom r,
      String m,
      String region,
      LocalDate d,
      String why) {
    LocalDate last = LocalDate.of(o.lastYear(), 12, 31);
    LocalDate first = LocalDate.of(o.firstYear(), 1, 1);
    if (d.isAfter(last)) {
      d = last;
    }
    if (d.isBefore(first)) {
      d = first;
    }
    if (d.isBefore(p.birth)) {
      d = p.birth;
    }
    StudyPlan s = new StudyPlan();
    s.index = plan.studies.size();
    s.patient = p;
    s.modality = m;
    s.region = region;
    s.date = d;
    s.timeSeconds = 8 * 3600 + r.nextInt(10 * 3600);
    s.board = Rand.chance(r, 0.9) ? p.board : Rand.weighted(r, Vocab.BOARD_WEIGHTS);
    String[] hospitals = Vocab.BOARDS.get(s.board)[2].split("\\|");
    s.hospital = hospitals[r.nextInt(hospitals.length)];
    s.reason = why;
    s.device = device(m, r);
    s.contrast =
        (m.equals("CT") || m.equals("MR")) && Rand.chance(r, why.startsWith("GBM") ? 0.9 : 0.35);
    s.bolus = m.equals("CT") && s.contrast && Rand.chance(r, 0.3);
    s.description = Messy.studyDescription(m, region, s.contrast, r);
    s.bodyPart = Messy.bodyPart(region, r);
    if (Rand.chance(r, 0.03)) {
      // free text naming the patient in the study description (happens in real archives)
      s.description = s.description + " " + p.prefix() + " " + p.family + " follow-up";
    }
    plan.studies.add(s);
  }

  private static String[] device(String m, SplittableRandom r) {
    return switch (m) {
      case "CT" -> Rand.pick(r, Vocab.DEVICES_CT);
      case "MR" -> Rand.pick(r, Vocab.DEVICES_MR);
      case "US" -> Rand.pick(r, Vocab.DEVICES_US);
      case "CR", "DX", "RF" -> Rand.pick(r, Vocab.DEVICES_XR);
      case "PT" -> Vocab.DEVICES_OTHER.get(0);
      case "NM" -> Vocab.DEVICES_OTHER.get(1);
      case "MG" -> Vocab.DEVICES_OTHER.get(2);
      case "XA" -> Vocab.DEVICES_OTHER.get(3 + r.nextInt(2));
      default -> new String[] {"Lakehouse Screen Capture", "SC Workstation"};
    };
  }

  private static String regionFor(String m, SplittableRandom r, PatientPlan p) {
    String[] regions;
    double[] w;
    switch (m) {
      case "CT" -> {
        regions = new String[] {"HEAD", "CHEST", "ABDOMEN", "SPINE", "PELVIS"};
        w = new double[] {25, 25, 30, 10, 10};
      }
      case "MR" -> {
        regions = new String[] {"BRAIN", "SPINE", "KNEE", "PELVIS", "ABDOMEN", "BREAST"};
        w = new double[] {40, 20, 15, 10, 10, 5};
      }
      case "CR", "DX" -> {
        regions = new String[] {"CHEST", "HAND", "KNEE", "HIP", "SPINE", "ABDOMEN"};
        w = new double[] {50, 10, 12, 10, 8, 10};
      }
      case "US" -> {
        regions = new String[] {"ABDOMEN", "PELVIS", "NECK", "BREAST"};
        w = new double[] {40, 30, 15, 15};
      }
      case "MG" -> {
        return "BREAST";
      }
      case "XA" -> {
        return "HEART";
      }
      case "RF" -> {
        return "ESOPHAGUS";
      }
      case "PT", "NM" -> {
        return "WHOLEBODY";
      }
      default -> {
        regions = new String[] {"CHEST", "ABDOMEN", "HEAD"};
        w = new double[] {1, 1, 1};
      }
    }
    String region = regions[Rand.weighted(r, w)];
    if (region.equals("BREAST") && p.sex.equals("M")) {
      region = "ABDOMEN";
    }
    return region;
  }

  // ---------------------------------------------------------------- series

  private int scaled(int base) {
    return Math.max(1, (int) Math.round(base * o.imagesScale()));
  }

  private void planSeries(StudyPlan s) {
    SplittableRandom r = Rand.stream(seed, 5, s.index);
    double[] typeMix = SynthOptions.DEFAULT_IMAGE_TYPE_MIX;
    switch (s.modality) {
      case "CT" -> {
        int n = 2 + r.nextInt(2) + (s.contrast ? 1 : 0);
        boolean bolusDone = false;
        for (int i = 0; i < n; i++) {
          String cls = typeClass(r, typeMix);
          if (cls.equals("ORIGINAL")) {
            boolean bolus = s.bolus && !bolusDone;
            bolusDone |= bolus;
            series(s, cls, bolus ? "BOLUS" : "AXIAL", scaled(24), 1, bolus ? 3 + r.nextInt(2) : 1);
          } else if (cls.equals("LOCALIZER")) {
            series(s, cls, "LOCALIZER", 1 + r.nextInt(2), 1, 1);
          } else {
            series(s, cls, "MPR", scaled(12), 1, 1);
          }
        }
      }
      case "MR" -> {
        List<String> seqs = new ArrayList<>(List.of("T1", "T2", "FLAIR", "DWI"));
        if (s.region.equals("BRAIN") && Rand.chance(r, 0.5)) {
          seqs.add("SWI");
        }
        if (s.contrast) {
          seqs.add("T1POST");
        }
        int n = 3 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
          String cls = typeClass(r, typeMix);
          if (cls.equals("ORIGINAL")) {
            series(s, cls, seqs.get(i % seqs.size()), scaled(16), 1, 1);
          } else if (cls.equals("LOCALIZER")) {
            series(s, cls, "LOCALIZER", 3, 1, 1);
          } else {
            series(s, cls, seqs.contains("SWI") ? "SWI_MIP" : "ADC", scaled(16), 1, 1);
          }
        }
      }
      case "PT" -> {
        String cls = typeClass(r, typeMix);
        series(
            s,
            cls,
            cls.equals("LOCALIZER") ? "LOCALIZER" : "PET",
            cls.equals("LOCALIZER") ? 1 : scaled(20),
            1,
            1);
        series(s, "ORIGINAL", "PET", scaled(20), 1, 1);
      }
      case "US" -> {
        int images = scaled(4);
        series(s, "ORIGINAL", "US", images, 1, 1);
        if (Rand.chance(r, 0.4)) {
          series(s, "ORIGINAL", "CINE", 1 + r.nextInt(2), scaled(12), 1);
        }
      }
      case "CR", "DX" -> {
        series(s, "ORIGINAL", "PROJ", 1, 1, 1);
        if (Rand.chance(r, 0.5)) {
          series(s, "ORIGINAL", "PROJ", 1, 1, 1);
        }
      }
      case "MG" -> series(s, "ORIGINAL", "MAMMO", 4, 1, 1);
      case "XA" -> series(s, "ORIGINAL", "ANGIO", 1 + r.nextInt(2), scaled(8), 1);
      case "RF" -> series(s, "ORIGINAL", "FLUORO", scaled(4), 1, 1);
      case "NM" -> series(s, "ORIGINAL", "NM", 1 + r.nextInt(2), 1, 1);
      case "SC", "OT" -> series(s, "DERIVED", "SC", 1 + r.nextInt(2), 1, 1);
      case "SR" -> series(s, "ORIGINAL", "SR", 1, 1, 1);
      default -> throw new IllegalStateException("modality " + s.modality);
    }
  }

  private static String typeClass(SplittableRandom r, double[] mix) {
    return switch (Rand.weighted(r, mix)) {
      case 0 -> "ORIGINAL";
      case 1 -> "LOCALIZER";
      default -> "DERIVED";
    };
  }

  private void series(StudyPlan s, String cls, String kind, int images, int frames, int acq) {
    SeriesPlan sp = new SeriesPlan();
    sp.number = s.series.size() + 1;
    sp.uid = Rand.uid(seed, 6, s.index, sp.number);
    sp.typeClass = cls;
    sp.kind = kind;
    sp.images = images * acq;
    sp.framesPerImage = frames;
    sp.acquisitions = acq;
    sp.description = Messy.seriesDescription(s.modality, kind, s.region);
    s.series.add(sp);
  }

  // ---------------------------------------------------------------- junk

  private void assignJunk(Plan plan) {
    if (o.junkRate() <= 0 || plan.studies.isEmpty()) {
      return;
    }
    long files = 0;
    for (StudyPlan s : plan.studies) {
      for (SeriesPlan sp : s.series) {
        files += sp.images;
      }
    }
    JunkKind[] kinds = JunkKind.values();
    long total = Math.max(kinds.length, Math.round(files * o.junkRate()));
    SplittableRandom r = Rand.stream(seed, 7);
    for (long j = 0; j < total; j++) {
      JunkKind k = kinds[(int) (j % kinds.length)];
      StudyPlan s = plan.studies.get(r.nextInt(plan.studies.size()));
      if (k == JunkKind.DICOMDIR && s.junk.contains(JunkKind.DICOMDIR)) {
        k = JunkKind.RANDOM_BYTES;
      }
      if ((k == JunkKind.DUPLICATE_SOP_INSTANCE_UID || k == JunkKind.PIXEL_DATA_TRUNCATED)
          && s.modality.equals("SR")) {
        // needs an image study: take the next study with pixel data
        for (int i = 1; i <= plan.studies.size(); i++) {
          StudyPlan t = plan.studies.get((s.index + i) % plan.studies.size());
          if (!t.modality.equals("SR")) {
            s = t;
            break;
          }
        }
      }
      s.junk.add(k);
    }
  }

  // ---------------------------------------------------------------- linked tables

  private void linkedTables(Plan plan) {
    for (PatientPlan p : plan.patients) {
      if (p.eupi != null) {
        plan.chiEupi.add(new String[] {p.chi, p.eupi});
      }
    }
    SplittableRandom r = Rand.stream(seed, 8);
    String[][] morph = {
      {"C34", "C34.1", "Upper lobe, bronchus or lung", "8140/3", "Adenocarcinoma"},
      {"C50", "C50.4", "Upper-outer quadrant of breast", "8500/3", "Infiltrating duct carcinoma"},
      {"C18", "C18.7", "Sigmoid colon", "8140/3", "Adenocarcinoma"},
      {"C61", "C61", "Prostate gland", "8140/3", "Adenocarcinoma"},
      {"C43", "C43.5", "Malignant melanoma of trunk", "8720/3", "Malignant melanoma"},
      {"C25", "C25.0", "Head of pancreas", "8500/3", "Infiltrating duct carcinoma"}
    };
    String[] gbmSites = {"C71.1", "C71.2", "C71.0", "C71.9"};
    String[] gbmSiteNames = {"Frontal lobe", "Temporal lobe", "Cerebrum", "Brain, unspecified"};
    String[] stages = {"I", "II", "III", "IV"};
    int record = 1;
    for (PatientPlan p : plan.patients) {
      if (p.gbmDiagnosis != null) {
        int site = r.nextInt(gbmSites.length);
        plan.smr06.add(
            new String[] {
              String.format("SMR06-%07d", record++),
              p.chi,
              p.gbmDiagnosis.toString(),
              gbmSites[site],
              gbmSiteNames[site],
              "9440/3",
              "Glioblastoma",
              "4",
              "",
              Vocab.BOARDS.get(p.board)[0]
            });
      }
      if (p.otherCancer != null) {
        String[] m = morph[0];
        for (String[] x : morph) {
          if (x[0].equals(p.otherCancer)) {
            m = x;
          }
        }
        plan.smr06.add(
            new String[] {
              String.format("SMR06-%07d", record++),
              p.chi,
              p.otherCancerDate.toString(),
              m[1],
              m[2],
              m[3],
              m[4],
              "",
              stages[r.nextInt(stages.length)],
              Vocab.BOARDS.get(p.board)[0]
            });
      }
    }
    // prescribing: gabapentin courses plus common background drugs
    String[][] drugs = {
      {"0212000B0", "Atorvastatin", "20mg tablets", "20 mg once daily", "28"},
      {"0205051R0", "Ramipril", "5mg capsules", "5 mg once daily", "28"},
      {"0601022B0", "Metformin hydrochloride", "500mg tablets", "500 mg twice daily", "56"},
      {"0407010H0", "Paracetamol", "500mg tablets", "1 g four times daily", "100"},
      {"0103050P0", "Omeprazole", "20mg capsules", "20 mg once daily", "28"},
      {"0408010AE", "Levetiracetam", "500mg tablets", "500 mg twice daily", "56"}
    };
    int item = 1;
    LocalDate end = LocalDate.of(o.lastYear(), 12, 31);
    for (PatientPlan p : plan.patients) {
      if (p.gabapentin) {
        int months = 2 + r.nextInt(8);
        int mg = new int[] {300, 600, 900}[r.nextInt(3)];
        for (int m = 0; m < months; m++) {
          LocalDate d = p.gabapentinStart.plusDays(28L * m);
          if (d.isAfter(end)) {
            break;
          }
          plan.prescribing.add(
              new String[] {
                String.format("PIS-%08d", item++),
                p.chi,
                d.toString(),
                "0408010G0",
                "Gabapentin",
                "300mg capsules",
                (mg / 300) + " capsule(s) three times daily (" + mg * 3 + " mg/day)",
                String.valueOf(28 * 3 * (mg / 300)),
                String.valueOf(mg * 3)
              });
        }
      }
      if (p.gbmDiagnosis != null) {
        LocalDate d = p.gbmDiagnosis.plusDays(7);
        if (!d.isAfter(end)) {
          plan.prescribing.add(
              new String[] {
                String.format("PIS-%08d", item++),
                p.chi,
                d.toString(),
                "0408010AE",
                "Levetiracetam",
                "500mg tablets",
                "500 mg twice daily",
                "56",
                "1000"
              });
        }
      }
      if (p.birth.getYear() < o.firstYear() - 30 && Rand.chance(r, 0.5)) {
        int count = 1 + r.nextInt(4);
        for (int i = 0; i < count; i++) {
          String[] dr = drugs[r.nextInt(drugs.length - 1)];
          LocalDate d =
              LocalDate.of(o.firstYear(), 1, 1)
                  .plusDays(r.nextInt((o.lastYear() - o.firstYear() + 1) * 365));
          int daily =
              Integer.parseInt(dr[3].replaceAll("^([0-9]+).*", "$1"))
                  * (dr[3].contains("twice") ? 2 : dr[3].contains("four") ? 4 : 1)
                  * (dr[3].contains(" g ") ? 1000 : 1);
          plan.prescribing.add(
              new String[] {
                String.format("PIS-%08d", item++),
                p.chi,
                d.toString(),
                dr[0],
                dr[1],
                dr[2],
                dr[3],
                dr[4],
                String.valueOf(daily)
              });
        }
      }
    }
  }

  static String ageString(LocalDate birth, LocalDate at) {
    long days = ChronoUnit.DAYS.between(birth, at);
    if (days < 28) {
      return String.format(Locale.ROOT, "%03dD", days);
    }
    if (days < 120) {
      return String.format(Locale.ROOT, "%03dW", days / 7);
    }
    long years = ChronoUnit.YEARS.between(birth, at);
    if (years < 2) {
      return String.format(Locale.ROOT, "%03dM", ChronoUnit.MONTHS.between(birth, at));
    }
    return String.format(Locale.ROOT, "%03dY", years);
  }
}
