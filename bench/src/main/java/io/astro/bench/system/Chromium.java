package io.astro.bench.system;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's Chromium through its WebDriver, started as the console's browser tests start it
 * (headless, every background feature that would reach the internet off, no proxy) with a profile
 * of its own, so its HTTP cache starts empty. The DevTools performance log records its network
 * events.
 */
public final class Chromium implements AutoCloseable {

  public static final Path BINARY = Path.of("/usr/bin/chromium");
  public static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private final ChromeDriver driver;
  private final Path profile;

  private Chromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Whether Debian's {@code chromium} and {@code chromium-driver} are installed. */
  public static boolean installed() {
    return Files.isExecutable(BINARY) && Files.isExecutable(DRIVER);
  }

  /** Starts Chromium at 1000×800 with a new, empty profile under {@code profile}. */
  public static Chromium start(Path profile) {
    try {
      Files.createDirectories(profile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY.toFile());
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
        "--no-proxy-server",
        "--window-size=1000,800",
        "--user-data-dir=" + profile.toAbsolutePath());
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.PERFORMANCE, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    // the driver is named, so Selenium Manager never looks for (or downloads) one
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .build();
    return new Chromium(new ChromeDriver(service, options), profile);
  }

  public ChromeDriver driver() {
    return driver;
  }

  /** The browser's version, e.g. {@code 150.0.7871.100}. */
  public String version() {
    return driver.getCapabilities().getBrowserVersion();
  }

  /** Runs {@code source} in every document this browser opens from now on, before its scripts. */
  public void beforeEveryDocument(String source) {
    driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", source));
  }

  public Object script(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /**
   * The DevTools events recorded since the last call ({@code {method, params}}), Network's among
   * them.
   */
  public List<JsonObject> events() {
    List<JsonObject> events = new ArrayList<>();
    for (LogEntry entry : driver.manage().logs().get(LogType.PERFORMANCE)) {
      JsonObject message = new JsonObject(entry.getMessage()).getJsonObject("message");
      if (message != null) {
        events.add(message);
      }
    }
    return events;
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      delete(profile);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a profile left behind only takes disk under target/
    }
  }
}
