package io.astro.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * k8s/deploy.sh and the shell scripts the stacks run: they parse, and name the Secrets the
 * templates define.
 */
class DeployScriptTest {

  @Test
  void scriptsParse() throws Exception {
    for (String script :
        List.of(
            "k8s/deploy.sh",
            "k8s/base/infra/kafka/create-topics.sh",
            "k8s/base/infra/mysql/init-databases.sh")) {
      Process p;
      try {
        p =
            new ProcessBuilder("bash", "-n", Repo.path(script).toString())
                .redirectErrorStream(true)
                .start();
      } catch (IOException e) {
        // the scripts are bash; a machine without it cannot run them either, so there is nothing to
        // check
        assumeTrue(false, "no bash here");
        return;
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(script + ": " + out).isZero();
    }
    assertThat(Files.isExecutable(Repo.path("k8s/deploy.sh")))
        .as("k8s/deploy.sh is executable")
        .isTrue();
  }

  @Test
  void offersTheFourCommandsAndCreatesTheTemplatesSecrets() {
    String script = Repo.read("k8s/deploy.sh");
    for (String command : List.of("deploy)", "status)", "logs)", "cleanup)", "secrets)")) {
      assertThat(script).as("k8s/deploy.sh command " + command).contains("  " + command + " cmd_");
    }
    Set<String> created = new TreeSet<>();
    Matcher m = Pattern.compile("create_secret (astro-[a-z-]+)").matcher(script);
    while (m.find()) {
      created.add(m.group(1));
    }
    assertThat(created)
        .as("Secrets k8s/deploy.sh creates = the templates")
        .isEqualTo(KubernetesManifestsTest.secretTemplates().keySet());
    for (String service : Repo.SERVICES) {
      assertThat(script).contains(service);
    }
  }
}
