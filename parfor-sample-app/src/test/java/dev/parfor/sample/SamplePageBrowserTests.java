package dev.parfor.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/**
 * The page at {@code /} driven in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}; CI
 * installs them with {@code .ci/run}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class SamplePageBrowserTests {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    @LocalServerPort
    int port;

    @TempDir
    Path profile;

    ChromeDriver browser;

    @BeforeEach
    void startBrowser() {
        // Skipped only on a machine without the driver; .ci/run installs chromium and chromium-driver, so CI runs it.
        assumeTrue(new File(CHROMEDRIVER).canExecute(), CHROMEDRIVER + " is missing (apt-get install chromium-driver)");
        assertThat(new File(CHROMIUM).canExecute())
                .as("%s (apt-get install chromium; .ci/run does it)", CHROMIUM)
                .isTrue();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1400,1000",
                "--user-data-dir=" + profile.resolve("chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        browser.get("http://127.0.0.1:" + port + "/");
        waitUpTo(Duration.ofSeconds(30))
                .until(page -> page.findElement(By.id("status")).getText().startsWith("Default engine: fork-join"));
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void shouldShowTheSlowDemoAdvanceAndThenFinish() throws IOException {
        browser.findElement(By.id("slow-tasks")).clear();
        browser.findElement(By.id("slow-tasks")).sendKeys("48");
        browser.findElement(By.id("slow-ms")).clear();
        browser.findElement(By.id("slow-ms")).sendKeys("300");

        browser.findElement(By.id("start-slow")).click();
        waitUpTo(Duration.ofSeconds(10))
                .until(page -> page.findElement(By.id("last-json")).getText().contains("\"loop\": \"slow-demo\""));
        assertThat(browser.findElement(By.id("last-call")).getText()).isEqualTo("POST /demo/slow?tasks=48&ms=300");

        // The page re-draws the loops on every poll, so each wait reads what it needs in one go.
        Shown first = waitUpTo(Duration.ofSeconds(30))
                .until(page -> Shown.of(page.findElements(By.cssSelector("#running .loop[data-loop='slow-demo']"))));
        assertThat(first.total()).isEqualTo("48");
        assertThat(first.title()).isEqualTo("slow-demo on io");
        assertThat(first.numbers()).contains("/ 48").contains("ETA");

        Shown later = waitUpTo(Duration.ofSeconds(30)).until(page -> {
            Shown now = Shown.of(page.findElements(By.cssSelector("#running .loop[data-id='" + first.id() + "']")));
            return now != null && now.done() > first.done() ? now : null;
        });
        assertThat(later.done()).isGreaterThan(first.done()).isLessThanOrEqualTo(48);
        assertThat(later.fill()).matches("width: [0-9.]+%;");
        screenshot("slow-demo-running.png");

        String finished = waitUpTo(Duration.ofSeconds(60)).until(page -> {
            List<WebElement> rows = page.findElements(By.cssSelector(
                    "#recent tbody tr[data-id='" + first.id() + "'][data-loop='slow-demo'][data-outcome='success']"));
            return rows.isEmpty() ? null : rows.get(0).getText();
        });
        assertThat(finished)
                .contains("slow-demo")
                .contains("io")
                .contains("success")
                .contains("48 / 48");
        waitUpTo(Duration.ofSeconds(10))
                .until(page -> page.findElements(By.cssSelector("#running .loop[data-id='" + first.id() + "']"))
                        .isEmpty());
        screenshot("slow-demo-finished.png");
    }

    @Test
    void shouldShowTheRenderedImage() throws IOException {
        browser.findElement(By.id("mandelbrot-size")).clear();
        browser.findElement(By.id("mandelbrot-size")).sendKeys("400");

        browser.findElement(By.id("run-mandelbrot")).click();

        waitUpTo(Duration.ofSeconds(60))
                .until(page ->
                        page.findElement(By.id("mandelbrot-result")).getText().contains(" tiles on "));
        assertThat(browser.findElement(By.id("mandelbrot-result")).getText()).startsWith("16 tiles on fork-join in ");
        Object width = browser.executeScript("return document.getElementById('mandelbrot-image').naturalWidth;");
        assertThat(width).isEqualTo(400L);
        waitUpTo(Duration.ofSeconds(10))
                .until(page -> !page.findElements(By.cssSelector("#recent tbody tr[data-loop='mandelbrot']"))
                        .isEmpty());
        screenshot("mandelbrot.png");
    }

    /** What the page showed of one running loop. */
    record Shown(String id, long done, String total, String title, String numbers, String fill) {

        static @Nullable Shown of(List<WebElement> loops) {
            if (loops.isEmpty()) {
                return null;
            }
            WebElement loop = loops.get(0);
            return new Shown(
                    String.valueOf(loop.getDomAttribute("data-id")),
                    Long.parseLong(String.valueOf(loop.getDomAttribute("data-done"))),
                    String.valueOf(loop.getDomAttribute("data-total")),
                    loop.findElement(By.cssSelector(".title")).getText(),
                    loop.findElement(By.cssSelector(".numbers")).getText(),
                    String.valueOf(
                            loop.findElement(By.cssSelector(".bar .fill")).getDomAttribute("style")));
        }
    }

    private WebDriverWait waitUpTo(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(browser, timeout, Duration.ofMillis(100));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    /** Keeps what the browser showed next to the test reports, for a person looking into a failure. */
    private void screenshot(String name) throws IOException {
        Path directory = Path.of("target", "browser");
        Files.createDirectories(directory);
        Files.write(directory.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
    }
}
