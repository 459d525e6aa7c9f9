package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Chromium driven through WebDriver, as the console's browser tests use it: Debian's {@code
 * chromium} and {@code chromium-driver}, headless, a fresh profile, and every background feature
 * that would reach the internet switched off. Without them the tests are skipped, saying how to
 * install them.
 */
final class Browser implements AutoCloseable {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  // as long as the API end-to-end tests wait, and a little more: the page polls every 3 s
  static final Duration WAIT = Duration.ofSeconds(90);

  /**
   * A script answering nothing when the page needs no sideways scrolling, else its width and the
   * elements past the window's right edge as {@code tag#id.class right}. It asks the page's own
   * scroll width: text runs and absolutely positioned elements (which escape a scrolling table's
   * clipping) widen the page without any ancestor's box showing it.
   */
  static final String WIDER_THAN_SCREEN =
      "const root = document.documentElement, w = root.clientWidth;"
          + "if (root.scrollWidth <= w) return [];"
          + "const out = ['page ' + root.scrollWidth + ' px wide on a ' + w + ' px screen'];"
          + "for (const e of document.body.querySelectorAll('*')) {"
          + "  const r = e.getBoundingClientRect(); if (r.right <= w + 1) continue;"
          + "  out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')"
          + "    + (e.className && e.className.baseVal === undefined ? '.' + e.className : '')"
          + "    + ' ' + Math.round(r.right)); }"
          + "return out.slice(0, 12);";

  private static final String AXE = "META-INF/resources/webjars/axe-core/";

  private final ChromeDriver driver;
  private final Path shots;
  private final String base;
  private int shot;

  private Browser(ChromeDriver driver, Path shots, String base) {
    this.driver = driver;
    this.shots = shots;
    this.base = base;
  }

  /** Starts Chromium at 1000×800, or skips the calling test when it is not installed. */
  static Browser start(String base, Path shots) {
    Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "the console's browser tests need Chromium and its WebDriver: "
            + "apt-get install -y chromium chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver)");
    try {
      Files.createDirectories(shots);
      Path profile = Files.createTempDirectory(Path.of("target"), "chromium-profile-");
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      options.addArguments(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
          "--disable-default-apps",
          "--disable-dev-shm-usage",
          "--window-size=1000,800",
          "--user-data-dir=" + profile.toAbsolutePath());
      // the driver is named, so Selenium Manager never looks for (or downloads) one
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(CHROMEDRIVER.toFile())
              .usingAnyFreePort()
              .build();
      ChromeDriver driver = new ChromeDriver(service, options);
      return new Browser(driver, shots, base);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  WebDriver driver() {
    return driver;
  }

  void open(String hash) {
    driver.get(base + "/" + hash);
  }

  /**
   * Leaves the console for an answer of the same origin that runs no script (the API's JSON): the
   * console's own requests stop, while the tab's session storage stays.
   */
  void leaveConsole() {
    driver.get(base + "/api/v1/");
  }

  WebElement find(String css) {
    return until("element " + css, d -> d.findElements(By.cssSelector(css)).stream().findFirst())
        .orElseThrow();
  }

  List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  WebElement button(String text) {
    return until(
            "a button '" + text + "'",
            d ->
                d.findElements(By.xpath("//button[normalize-space(.)='" + text + "']")).stream()
                    .filter(WebElement::isEnabled)
                    .findFirst())
        .orElseThrow();
  }

  WebElement link(String text) {
    return until(
            "a link '" + text + "'", d -> d.findElements(By.linkText(text)).stream().findFirst())
        .orElseThrow();
  }

  void type(String css, String text) {
    WebElement field = find(css);
    field.clear();
    field.sendKeys(text);
  }

  /** Waits until the page's heading reads {@code text}. */
  void heading(String text) {
    until("heading '" + text + "'", d -> text(d, "h1").equals(text) ? Boolean.TRUE : null);
  }

  void textAppears(String css, String text) {
    until(
        css + " to contain '" + text + "'", d -> text(d, css).contains(text) ? Boolean.TRUE : null);
  }

  <T> T until(String what, Function<WebDriver, T> condition) {
    try {
      return waitFor(what, condition);
    } catch (TimeoutException e) {
      // what the page showed instead
      screenshot("failed-" + what.replaceAll("[^A-Za-z0-9]+", "-"));
      throw e;
    }
  }

  private <T> T waitFor(String what, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, WAIT, Duration.ofMillis(100))
        .withMessage(what)
        // the page re-renders as answers arrive: an element read a moment ago may be replaced
        .ignoring(StaleElementReferenceException.class)
        .until(
            d -> {
              T value = condition.apply(d);
              return value instanceof java.util.Optional<?> o && o.isEmpty() ? null : value;
            });
  }

  Object script(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** A screenshot under target/, numbered in the order taken. */
  Path screenshot(String name) {
    Path to = shots.resolve(String.format("%02d-%s.png", ++shot, name));
    try {
      Files.copy(
          ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(),
          to,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return to;
  }

  void size(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  /**
   * Runs axe-core (from its WebJar) on the page as it is; fails on any serious or critical
   * violation, listing them.
   */
  void accessible(String screen) {
    if (!Boolean.TRUE.equals(script("return typeof window.axe === 'object'"))) {
      script(axeSource());
    }
    Object found =
        ((JavascriptExecutor) driver)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations"
                    + ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                    + ".map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '"
                    + " + v.nodes.map(n => n.target.join(' ')).join(', '))),"
                    + " e => done(['axe failed: ' + e]));");
    assertThat((List<?>) found).as("axe-core on the " + screen + " screen").isEmpty();
  }

  private static String text(WebDriver d, String css) {
    return d.findElements(By.cssSelector(css)).stream()
        .findFirst()
        .map(WebElement::getText)
        .orElse("");
  }

  private static String axeSource() {
    String version;
    try (InputStream in =
        Browser.class
            .getClassLoader()
            .getResourceAsStream("META-INF/maven/org.webjars.npm/axe-core/pom.properties")) {
      java.util.Properties p = new java.util.Properties();
      p.load(in);
      version = p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (InputStream in =
        Browser.class.getClassLoader().getResourceAsStream(AXE + version + "/axe.min.js")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    driver.quit();
  }
}
