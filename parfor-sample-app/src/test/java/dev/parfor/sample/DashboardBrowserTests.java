package dev.parfor.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parfor.ErrorPolicy;
import dev.parfor.LoopResult;
import dev.parfor.ParallelFor;
import dev.parfor.RunningLoop;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/**
 * The parfor dashboard ({@code parfor.dashboard.enabled=true} in {@code application.yml}) driven in headless Chromium:
 * a long loop's bar advances, the loop is cancelled with the page's button and then listed as cancelled. Run with
 * {@code -Dparfor.docs.screenshots=true} to refresh the README's screenshots in {@code docs/}; they always land in
 * {@code target/browser/} too.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class DashboardBrowserTests {

    @LocalServerPort
    int port;

    @Autowired
    ParallelFor parfor;

    @TempDir
    Path profile;

    ChromeDriver browser;

    @BeforeEach
    void startBrowser() {
        browser = HeadlessChromium.start(profile, 1200, 900);
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void shouldShowALongLoopAdvanceThenCancelItFromThePage() throws Exception {
        // A second loop whose first 5 inputs fail at once (collected) while the others wait, to open its failures.
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<LoopResult<String>> invoices = CompletableFuture.supplyAsync(
                () -> parfor.loop("import-invoices")
                        .engine("virtual")
                        .parallelism(4)
                        .chunkSize(1)
                        .onError(ErrorPolicy.COLLECT)
                        .run(
                                IntStream.range(1000, 1040)
                                        .mapToObj(n -> "invoice-" + n)
                                        .toList(),
                                invoice -> {
                                    if (invoice.compareTo("invoice-1005") < 0) {
                                        throw new IllegalArgumentException("no customer for " + invoice);
                                    }
                                    release.await();
                                    return invoice;
                                }),
                Thread::startVirtualThread);
        try {
            watchAdvanceAndCancel();
        } finally {
            release.countDown();
            // The application is shared with the other tests of this module: leave no loop of this test running.
            parfor.running().stream()
                    .filter(loop -> loop.progress().info().name().equals(SlowDemoController.LOOP))
                    .forEach(RunningLoop::cancel);
        }
        assertThat(invoices.get(1, TimeUnit.MINUTES).failures()).hasSize(5);
        waitUpTo(Duration.ofSeconds(30))
                .until(page -> !page.findElements(
                                By.cssSelector("#recent tbody tr[data-loop='import-invoices'][data-outcome='partial']"))
                        .isEmpty());
        screenshot("dashboard-finished.png");
    }

    private void watchAdvanceAndCancel() throws Exception {
        // 3,000 inputs of 200 ms, 4 at a time (parfor.loops.slow-demo in application.yml): about 150 s unless
        // cancelled, so the loop is still running whatever the machine's load.
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> started = http.send(
                    HttpRequest.newBuilder(URI.create(url("/demo/slow?tasks=3000&ms=200")))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        }

        browser.get(url("/actuator/parfor-dashboard"));
        assertThat(browser.getCurrentUrl()).endsWith("/actuator/parfor-dashboard/");
        Card first = waitUpTo(Duration.ofSeconds(60))
                .until(page -> Card.of(page.findElements(By.cssSelector("#running .loop[data-loop='slow-demo']"))));
        assertThat(first.total()).isEqualTo("3000");
        assertThat(first.title()).isEqualTo("slow-demo on io");

        // The bar advances: a later reading of the same loop shows more inputs done, a wider bar, a rate and an ETA,
        // and the sparkline has a few readings to draw.
        Card later = waitUpTo(Duration.ofSeconds(60)).until(page -> {
            Card now = Card.of(page.findElements(By.cssSelector("#running .loop[data-id='" + first.id() + "']")));
            return now != null && now.done() > first.done() && now.sparkPoints() >= 8 ? now : null;
        });
        assertThat(later.done()).isGreaterThan(first.done()).isLessThan(3000);
        assertThat(later.percent()).isGreaterThan(0).isLessThan(100);
        assertThat(later.numbers()).contains("/ 3,000 done").contains("/s").contains("ETA");
        assertThat(later.options()).isEqualTo("(virtual, parallelism 4)");
        assertThat(browser.findElements(By.cssSelector("#engines tbody tr[data-engine='io']")))
                .singleElement()
                .satisfies(row -> assertThat(row.getText()).contains("io").contains("virtual"));

        // The failures of the other loop, opened on the page.
        WebElement invoices = waitUpTo(Duration.ofSeconds(60)).until(page -> {
            List<WebElement> cards =
                    page.findElements(By.cssSelector("#running .loop[data-loop='import-invoices'][data-failed='5']"));
            return cards.isEmpty() ? null : cards.get(0);
        });
        invoices.findElement(By.cssSelector("details.failures summary")).click();
        List<String> failures = waitUpTo(Duration.ofSeconds(30)).until(page -> {
            List<String> items = page
                    .findElements(By.cssSelector(
                            "#running .loop[data-loop='import-invoices'] details.failures[open] li.failure"))
                    .stream()
                    .map(WebElement::getText)
                    .toList();
            return items.size() == 5 ? items : null;
        });
        assertThat(failures.get(0))
                .isEqualTo("#0 (invoice-1000): java.lang.IllegalArgumentException: no customer for invoice-1000");
        assertThat(failures.get(4)).startsWith("#4 (invoice-1004)");
        screenshot("dashboard-running.png");

        WebElement cancel = browser.findElement(By.cssSelector("#running .loop[data-id='" + first.id() + "'] .cancel"));
        cancel.click();
        waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.alertIsPresent());
        assertThat(browser.switchTo().alert().getText()).contains("slow-demo");
        browser.switchTo().alert().accept();

        String row = waitUpTo(Duration.ofSeconds(60)).until(page -> {
            List<WebElement> rows = page.findElements(
                    By.cssSelector("#recent tbody tr[data-id='" + first.id() + "'][data-outcome='cancelled']"));
            return rows.isEmpty() ? null : rows.get(0).getText();
        });
        assertThat(row)
                .contains("slow-demo")
                .contains("io")
                .contains("cancelled")
                .contains("/ 3,000");
        waitUpTo(Duration.ofSeconds(30))
                .until(page -> page.findElements(By.cssSelector("#running .loop[data-id='" + first.id() + "']"))
                        .isEmpty());
    }

    /** What the page showed of one running loop, read in one go (the page updates it every second). */
    record Card(
            String id,
            long done,
            String total,
            double percent,
            int sparkPoints,
            String title,
            String options,
            String numbers) {

        static @Nullable Card of(List<WebElement> cards) {
            if (cards.isEmpty()) {
                return null;
            }
            WebElement card = cards.get(0);
            String percent = card.getDomAttribute("data-percent");
            String points = card.getDomAttribute("data-spark-points");
            return new Card(
                    String.valueOf(card.getDomAttribute("data-id")),
                    Long.parseLong(String.valueOf(card.getDomAttribute("data-done"))),
                    String.valueOf(card.getDomAttribute("data-total")),
                    percent == null || percent.isEmpty() ? -1 : Double.parseDouble(percent),
                    points == null ? 0 : Integer.parseInt(points),
                    card.findElement(By.cssSelector(".title")).getText(),
                    card.findElement(By.cssSelector(".options")).getText(),
                    card.findElement(By.cssSelector(".numbers")).getText());
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private WebDriverWait waitUpTo(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(browser, timeout, Duration.ofMillis(100));
        wait.ignoring(StaleElementReferenceException.class);
        wait.ignoring(NumberFormatException.class);
        return wait;
    }

    /**
     * Keeps what the browser showed in {@code target/browser/}, and in the repository's {@code docs/} when asked to
     * (the README shows those).
     */
    private void screenshot(String name) throws IOException {
        byte[] png = browser.getScreenshotAs(OutputType.BYTES);
        Path directory = Path.of("target", "browser");
        Files.createDirectories(directory);
        Files.write(directory.resolve(name), png);
        if (Boolean.getBoolean("parfor.docs.screenshots")) {
            Path docs = Path.of("..", "docs");
            Files.createDirectories(docs);
            Files.write(docs.resolve(name), png);
        }
    }
}
