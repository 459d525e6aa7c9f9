package io.astro.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.auth.SigningKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceTest {

  @TempDir Path dir;

  @Test
  void one_dev_mode_per_directory() {
    try (Workspace first = Workspace.open(dir)) {
      first.lock();
      assertThatThrownBy(() -> Workspace.open(dir).lock())
          .isInstanceOf(DevFailure.class)
          .hasMessageStartingWith(
              "Astro dev mode is already running from "
                  + dir
                  + " (pid "
                  + ProcessHandle.current().pid()
                  + ")");
    }
    try (Workspace again = Workspace.open(dir)) {
      again.lock();
    }
  }

  @Test
  void keys_and_the_admin_login_outlive_a_restart_so_tokens_and_passwords_keep_working()
      throws Exception {
    SigningKeys keys;
    Workspace.Admin admin;
    String sealing;
    try (Workspace first = Workspace.open(dir)) {
      keys = first.signingKeys();
      admin = first.admin(null, null);
      sealing = first.kubeconfigKeys();
    }
    try (Workspace second = Workspace.open(dir)) {
      assertThat(second.signingKeys().keyId()).isEqualTo(keys.keyId());
      assertThat(second.admin(null, null)).isEqualTo(admin);
      assertThat(second.kubeconfigKeys()).isEqualTo(sealing).startsWith("dev1:");
    }
    assertThat(admin.username()).isEqualTo("admin");
    assertThat(admin.password()).hasSize(20);
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("admin.properties"))))
        .isEqualTo("rw-------");
  }

  @Test
  void an_admin_from_the_environment_wins_and_is_not_stored() {
    try (Workspace workspace = Workspace.open(dir)) {
      Workspace.Admin admin = workspace.admin("root", "s3cret-enough");
      assertThat(admin.username()).isEqualTo("root");
      assertThat(admin.origin()).contains("ASTRO_ADMIN_USERNAME");
      assertThat(dir.resolve("admin.properties")).doesNotExist();
    }
  }

  @Test
  void a_reset_wipes_the_state_but_not_the_lock_or_the_jar_being_run() throws Exception {
    try (Workspace workspace = Workspace.open(dir)) {
      workspace.lock();
      workspace.signingKeys();
      Files.createDirectories(workspace.mariadb().resolve("data"));
      Files.writeString(workspace.mariadb().resolve("data/ibdata1"), "x");
      Files.createDirectories(dir.resolve("jar"));
      Files.writeString(dir.resolve("jar/astro-dev.jar"), "jar");

      workspace.reset();

      try (var left = Files.list(dir)) {
        assertThat(left.map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder("dev.lock", "jar");
      }
    }
  }
}
