package org.imaginglakehouse.extract.deid;

/**
 * The keyed, per-project replacements a de-identified file needs: patient pseudonym, UIDs and a
 * per-patient date shift. Every method is a pure function of the project key and its argument, so
 * every executor, every re-run and every later extraction of the same project gives the same
 * answer, and two projects (different keys) give unrelated answers.
 *
 * <p>Implementations never log or echo their inputs (they are identifying).
 */
public interface ProjectPseudonyms {

  /** Id of the key in use (recorded with the run; never the key itself). */
  String keyId();

  /** The project's patient ID (also used as PatientName) for a patient's EUPI. */
  String patientId(String eupi);

  /**
   * {@code 2.25.<decimal>} for a UID: the same UID always maps to the same result, distinct UIDs to
   * distinct results (up to a 128-bit hash collision).
   */
  String uid(String originalUid);

  /**
   * Whole days to add to every date and datetime of this patient's files (negative = earlier).
   * Intervals between two dates of the same patient are therefore preserved exactly.
   */
  int dayShift(String eupi);
}
