package org.imaginglakehouse.synth;

import java.util.List;

/** Word lists the generator draws from: names, places, hospitals, descriptions, devices. */
final class Vocab {
  private Vocab() {}

  static final List<String> SURNAMES =
      List.of(
          "SMITH",
          "BROWN",
          "WILSON",
          "CAMPBELL",
          "STEWART",
          "THOMSON",
          "ROBERTSON",
          "ANDERSON",
          "MACDONALD",
          "SCOTT",
          "REID",
          "MURRAY",
          "TAYLOR",
          "CLARK",
          "MITCHELL",
          "ROSS",
          "WALKER",
          "PATERSON",
          "YOUNG",
          "WATSON",
          "MORRISON",
          "MILLER",
          "FRASER",
          "DAVIDSON",
          "GRAY",
          "MCDONALD",
          "HENDERSON",
          "JOHNSTON",
          "HAMILTON",
          "GRAHAM",
          "KERR",
          "SIMPSON",
          "MARTIN",
          "FERGUSON",
          "CAMERON",
          "DUNCAN",
          "HUNTER",
          "KELLY",
          "BELL",
          "GRANT",
          "MACKENZIE",
          "MACKAY",
          "ALLAN",
          "BLACK",
          "MACLEOD",
          "MCLEAN",
          "RUSSELL",
          "GIBSON",
          "WALLACE",
          "GORDON",
          "JONES",
          "O'NEILL",
          "MACINNES",
          "SUTHERLAND",
          "MUNRO",
          "BUCHANAN",
          "LINDSAY");

  static final List<String> MALE_GIVEN =
      List.of(
          "JAMES",
          "JOHN",
          "ROBERT",
          "DAVID",
          "WILLIAM",
          "ANDREW",
          "THOMAS",
          "ALEXANDER",
          "IAIN",
          "CALLUM",
          "GEORGE",
          "PETER",
          "STUART",
          "ANGUS",
          "HAMISH",
          "EUAN",
          "KENNETH",
          "DOUGLAS",
          "GRAEME",
          "NEIL",
          "RUARAIDH",
          "FRASER",
          "LEWIS");

  static final List<String> FEMALE_GIVEN =
      List.of(
          "MARY",
          "MARGARET",
          "ELIZABETH",
          "ANNE",
          "CATHERINE",
          "JEAN",
          "ISOBEL",
          "FIONA",
          "MORAG",
          "EILIDH",
          "KIRSTY",
          "SHONA",
          "JOAN",
          "HELEN",
          "AGNES",
          "SARAH",
          "EMMA",
          "AILSA",
          "MAIRI",
          "LORNA",
          "ELSPETH");

  /** Family^Given pairs that need ISO 8859-1 (ISO_IR 100). Sex: M or F. */
  static final List<String[]> LATIN1_NAMES =
      List.of(
          new String[] {"Müller", "Jürgen", "M"},
          new String[] {"Ødegaard", "Sigrid", "F"},
          new String[] {"Gonçalves", "João", "M"},
          new String[] {"Lefèvre", "Hélène", "F"},
          new String[] {"Núñez", "José", "M"},
          new String[] {"Åström", "Björn", "M"},
          new String[] {"Ní Bhriain", "Siobhán", "F"},
          new String[] {"Søndergård", "Zoë", "F"},
          new String[] {"Großmann", "Käthe", "F"},
          new String[] {"Ó Súilleabháin", "Seán", "M"});

  /** Names outside Latin-1, written in UTF-8 (ISO_IR 192). */
  static final List<String[]> UTF8_NAMES =
      List.of(
          new String[] {"Wiśniewski", "Łukasz", "M"},
          new String[] {"Kowalczyk", "Małgorzata", "F"},
          new String[] {"Dvořák", "Jiří", "M"},
          new String[] {"Παπαδόπουλος", "Γιώργος", "M"},
          new String[] {"Nguyễn", "Thị Lan", "F"},
          new String[] {"Öztürk", "Şükrü", "M"},
          new String[] {"Petrović", "Dušanka", "F"},
          new String[] {"Иванова", "Ольга", "F"});

  /**
   * Japanese names as DICOM PN component groups alphabetic=ideographic=phonetic, written with
   * {@code \ISO 2022 IR 87}.
   */
  static final List<String[]> JAPANESE_NAMES =
      List.of(
          new String[] {"Yamada^Tarou=山田^太郎=やまだ^たろう", "YAMADA", "TAROU", "M"},
          new String[] {"Suzuki^Hanako=鈴木^花子=すずき^はなこ", "SUZUKI", "HANAKO", "F"},
          new String[] {"Tanaka^Ichiro=田中^一郎=たなか^いちろう", "TANAKA", "ICHIRO", "M"},
          new String[] {"Sato^Yuki=佐藤^雪=さとう^ゆき", "SATO", "YUKI", "F"});

  /** Korean names, written with {@code \ISO 2022 IR 149} (KS X 1001). */
  static final List<String[]> KOREAN_NAMES =
      List.of(
          new String[] {"Hong^Gildong=洪^吉洞=홍^길동", "HONG", "GILDONG", "M"},
          new String[] {"Kim^Minji=金^敏智=김^민지", "KIM", "MINJI", "F"});

  /** Health board, postcode area, hospitals, towns. */
  static final List<String[]> BOARDS =
      List.of(
          new String[] {
            "NHS Lothian",
            "EH",
            "Royal Infirmary of Edinburgh|Western General Hospital|St John's Hospital",
            "Edinburgh|Livingston|Musselburgh"
          },
          new String[] {
            "NHS Greater Glasgow and Clyde",
            "G",
            "Queen Elizabeth University Hospital|Glasgow Royal Infirmary|Royal Alexandra Hospital",
            "Glasgow|Paisley|Clydebank"
          },
          new String[] {
            "NHS Grampian", "AB", "Aberdeen Royal Infirmary|Dr Gray's Hospital", "Aberdeen|Elgin"
          },
          new String[] {
            "NHS Tayside", "DD", "Ninewells Hospital|Perth Royal Infirmary", "Dundee|Perth|Arbroath"
          },
          new String[] {"NHS Highland", "IV", "Raigmore Hospital|Belford Hospital", "Inverness"},
          new String[] {
            "NHS Lanarkshire",
            "ML",
            "University Hospital Wishaw|University Hospital Monklands",
            "Motherwell|Airdrie|Hamilton"
          },
          new String[] {"NHS Fife", "KY", "Victoria Hospital", "Kirkcaldy|Dunfermline"},
          new String[] {
            "NHS Ayrshire and Arran", "KA", "University Hospital Crosshouse", "Kilmarnock|Ayr"
          },
          new String[] {
            "NHS Forth Valley", "FK", "Forth Valley Royal Hospital", "Falkirk|Stirling"
          },
          new String[] {"NHS Borders", "TD", "Borders General Hospital", "Galashiels|Hawick"},
          new String[] {
            "NHS Dumfries and Galloway", "DG", "Dumfries and Galloway Royal Infirmary", "Dumfries"
          },
          new String[] {"NHS Shetland", "ZE", "Gilbert Bain Hospital", "Lerwick"},
          new String[] {"NHS Orkney", "KW", "Balfour Hospital", "Kirkwall"},
          new String[] {"NHS Western Isles", "HS", "Western Isles Hospital", "Stornoway"});

  /** Relative population weights of the boards above. */
  static final double[] BOARD_WEIGHTS = {16, 22, 11, 8, 6, 12, 7, 7, 6, 2, 3, 0.5, 0.5, 0.5};

  static final List<String> STREETS =
      List.of(
          "High Street",
          "Main Street",
          "Station Road",
          "Church Street",
          "Park Avenue",
          "Victoria Road",
          "King Street",
          "Queen Street",
          "Bridge Street",
          "Mill Lane",
          "Burnside Crescent",
          "Glebe Road",
          "Kirk Wynd",
          "Harbour View",
          "Castle Terrace");

  /** Manufacturer|model pairs by modality. */
  static final List<String[]> DEVICES_CT =
      List.of(
          new String[] {"SIEMENS", "SOMATOM Definition AS"},
          new String[] {"GE MEDICAL SYSTEMS", "LightSpeed VCT"},
          new String[] {"TOSHIBA", "Aquilion ONE"},
          new String[] {"Philips", "Brilliance 64"});

  static final List<String[]> DEVICES_MR =
      List.of(
          new String[] {"SIEMENS", "Avanto", "1.5"},
          new String[] {"SIEMENS", "Skyra", "3"},
          new String[] {"GE MEDICAL SYSTEMS", "SIGNA HDxt", "1.5"},
          new String[] {"Philips Medical Systems", "Ingenia", "3"});

  static final List<String[]> DEVICES_US =
      List.of(
          new String[] {"GE Healthcare", "LOGIQ9"},
          new String[] {"Philips Medical Systems", "iU22"},
          new String[] {"TOSHIBA_MEC_US", "Aplio 500"},
          new String[] {"SIEMENS", "ACUSON S2000"});

  static final List<String[]> DEVICES_XR =
      List.of(
          new String[] {"Carestream Health", "DRX-Evolution"},
          new String[] {"FUJIFILM Corporation", "FCR PROFECT CS"},
          new String[] {"Agfa", "CR 85-X"},
          new String[] {"Philips Medical Systems", "DigitalDiagnost"});

  static final List<String[]> DEVICES_OTHER =
      List.of(
          new String[] {"SIEMENS", "Biograph mCT"},
          new String[] {"GE MEDICAL SYSTEMS", "Discovery NM/CT 670"},
          new String[] {"HOLOGIC, Inc.", "Selenia Dimensions"},
          new String[] {"Philips Medical Systems", "Allura Xper FD20"},
          new String[] {"SIEMENS", "AXIOM-Artis"});

  static final List<String> STAFF =
      List.of(
          "BAIRD^FIONA^^DR",
          "MCALLISTER^JAMES^^DR",
          "NAIRN^R",
          "GUPTA^ANIL^^DR",
          "LAMONT^S",
          "HOGG^CLAIRE",
          "DURWARD^P^^DR");
}
