package dev.parfor.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
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

    @LocalServerPort
    int port;

    @TempDir
    Path profile;

    ChromeDriver browser;

    @BeforeEach
    void startBrowser() {
        browser = HeadlessChromium.start(profile, 1400, 1000);
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
        browser.findElement(By.id("slow-tasks")).sendKeys("60");
        browser.findElement(By.id("slow-ms")).clear();
        browser.findElement(By.id("slow-ms")).sendKeys("300");
        // The page re-draws the running loops on every poll; the recorder keeps every drawing of the slow demo, so
        // the test sees each one however late it looks (a loaded machine once let a short loop finish between two
        // looks of the test).
        browser.executeScript(RECORD_SLOW_DEMO_DRAWINGS);

        // The slow demo's button is at the bottom of the demos: a person scrolls down to it.
        browser.executeScript("window.scrollTo(0, document.documentElement.scrollHeight);");
        assertThat(browser.executeScript("return window.scrollY;"))
                .as("scrolled")
                .isNotEqualTo(0L);
        browser.findElement(By.id("start-slow")).click();
        waitUpTo(Duration.ofSeconds(10))
                .until(page -> page.findElement(By.id("last-json")).getText().contains("\"loop\": \"slow-demo\""));
        assertThat(browser.findElement(By.id("last-call")).getText()).isEqualTo("POST /demo/slow?tasks=60&ms=300");

        // Waits until the page drew the loop twice with different done counts, or listed it as finished.
        List<Shown> drawn = waitUpTo(Duration.ofSeconds(60)).until(page -> {
            List<Shown> all = drawings();
            if (all.isEmpty()) {
                return null;
            }
            String id = all.get(0).id();
            List<Shown> ofLoop =
                    all.stream().filter(shown -> shown.id().equals(id)).toList();
            boolean advanced = ofLoop.stream()
                    .anyMatch(shown -> shown.done() > ofLoop.get(0).done());
            return advanced || !finishedRows(page, id).isEmpty() ? ofLoop : null;
        });
        Shown first = drawn.get(0);
        assertThat(first.total()).isEqualTo("60");
        assertThat(first.title()).isEqualTo("slow-demo on io");
        assertThat(first.numbers()).contains("/ 60").contains("ETA");
        assertThat(drawn)
                .as("the running loop stays in the window while the page is scrolled down to the slow demo's button")
                .allMatch(Shown::inView);
        Shown later = drawn.stream()
                .filter(shown -> shown.done() > first.done())
                .findFirst()
                .orElseThrow(() -> new AssertionError("the page never drew the loop's done count advance: " + drawn));
        assertThat(later.done()).isLessThanOrEqualTo(60);
        assertThat(later.fill()).matches("width: [0-9.]+%;");
        screenshot("slow-demo-running.png");

        String finished = waitUpTo(Duration.ofSeconds(60)).until(page -> {
            List<WebElement> rows = finishedRows(page, first.id());
            return rows.isEmpty() ? null : rows.get(0).getText();
        });
        assertThat(finished)
                .contains("slow-demo")
                .contains("io")
                .contains("success")
                .contains("60 / 60");
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

    /**
     * Keeps every drawing of a running slow demo loop in {@code window.slowDemoDrawings}: what the page showed and
     * whether the loop was inside the window.
     */
    private static final String RECORD_SLOW_DEMO_DRAWINGS = """
            window.slowDemoDrawings = [];
            new MutationObserver(() => {
              for (const loop of document.querySelectorAll("#running .loop[data-loop='slow-demo']")) {
                const box = loop.getBoundingClientRect();
                window.slowDemoDrawings.push({
                  id: loop.dataset.id,
                  done: loop.dataset.done,
                  total: loop.dataset.total,
                  title: loop.querySelector('.title').innerText,
                  numbers: loop.querySelector('.numbers').innerText,
                  fill: loop.querySelector('.bar .fill').getAttribute('style'),
                  inView: box.top >= 0 && box.bottom <= window.innerHeight,
                });
              }
            }).observe(document.getElementById('running'), {childList: true});
            """;

    /** What the page drew of one running loop. */
    record Shown(String id, long done, String total, String title, String numbers, String fill, boolean inView) {

        static Shown of(Map<?, ?> drawing) {
            return new Shown(
                    String.valueOf(drawing.get("id")),
                    Long.parseLong(String.valueOf(drawing.get("done"))),
                    String.valueOf(drawing.get("total")),
                    String.valueOf(drawing.get("title")),
                    String.valueOf(drawing.get("numbers")),
                    String.valueOf(drawing.get("fill")),
                    Boolean.TRUE.equals(drawing.get("inView")));
        }
    }

    /** The slow demo loop's drawings, oldest first. */
    private List<Shown> drawings() {
        Object drawings = browser.executeScript("return window.slowDemoDrawings;");
        assertThat(drawings).as("the recorder's drawings").isInstanceOf(List.class);
        return ((List<?>) drawings)
                .stream().map(drawing -> Shown.of((Map<?, ?>) drawing)).toList();
    }

    private static List<WebElement> finishedRows(WebDriver page, String id) {
        return page.findElements(By.cssSelector(
                "#recent tbody tr[data-id='" + id + "'][data-loop='slow-demo'][data-outcome='success']"));
    }

    private WebDriverWait waitUpTo(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(browser, timeout, Duration.ofMillis(100));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /** Keeps what the browser showed next to the test reports, for a person looking into a failure. */
    private void screenshot(String name) throws IOException {
        Path directory = Path.of("target", "browser");
        Files.createDirectories(directory);
        Files.write(directory.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
    }
}
