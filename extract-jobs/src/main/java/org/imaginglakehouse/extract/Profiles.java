package org.imaginglakehouse.extract;

import org.imaginglakehouse.extract.deid.DeidProfile;

/** The de-identification profile a project file asks for (docs/extract.md, "profile"). */
final class Profiles {
  private Profiles() {}

  static DeidProfile of(ProjectConfig project) {
    DeidProfile.Builder b =
        DeidProfile.builder()
            .mode(project.profileMode())
            .safePrivate(project.safePrivate())
            .keepOverlays(project.keepOverlays());
    if (!project.profileOptions().isEmpty()) {
      b.options(project.profileOptions()); // else the profile's default options
    }
    if (!project.allowAttributes().isEmpty()) {
      b.allowList("project " + project.project(), project.allowAttributes());
    }
    return b.build();
  }
}
