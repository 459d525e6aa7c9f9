package io.astro.sync.clusters;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResourceVersionsTest {

  @Test
  void aVersionIsAtLeastItselfAndEveryEarlierOne() {
    assertThat(ResourceVersions.atLeast("42", "42")).isTrue();
    assertThat(ResourceVersions.atLeast("43", "42")).isTrue();
    assertThat(ResourceVersions.atLeast("42", "43")).isFalse();
  }

  @Test
  void moreDigitsIsLaterWhateverTheFirstDigit() {
    assertThat(ResourceVersions.atLeast("100", "99")).isTrue();
    assertThat(ResourceVersions.atLeast("99", "100")).isFalse();
    // beyond a long: the comparison is on the digits
    assertThat(ResourceVersions.atLeast("100000000000000000000", "99999999999999999999")).isTrue();
  }

  @Test
  void versionsThatAreNotWellFormedIntegersAreOnlyEqualToThemselves() {
    assertThat(ResourceVersions.atLeast("b7", "a6")).isFalse();
    assertThat(ResourceVersions.atLeast("7", "a6")).isFalse();
    assertThat(ResourceVersions.atLeast("07", "6")).isFalse();
    assertThat(ResourceVersions.atLeast("0", "0")).isTrue();
    assertThat(ResourceVersions.atLeast("", "1")).isFalse();
    assertThat(ResourceVersions.atLeast(null, "1")).isFalse();
    assertThat(ResourceVersions.atLeast("a6", "a6")).isTrue();
  }
}
