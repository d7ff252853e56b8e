package dev.parfor.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Path;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium for the browser tests, started as this machine's closed network needs (no background
 * networking, no component updates, no sync) with a profile of its own.
 */
final class HeadlessChromium {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private HeadlessChromium() {}

    /**
     * Starts a browser; the test is skipped only on a machine without the driver (.ci/run installs chromium and
     * chromium-driver, so CI runs it).
     */
    static ChromeDriver start(Path profile, int width, int height) {
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
                "--window-size=" + width + "," + height,
                "--user-data-dir=" + profile.resolve("chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }
}
