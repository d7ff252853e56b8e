package dev.parfor.autoconfigure.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.parfor.ErrorPolicy;
import dev.parfor.LoopResult;
import dev.parfor.Outcome;
import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * One loop read and cancelled over HTTP in a real application on a random loopback port, with the endpoint exposed
 * and its access unrestricted, and the dashboard page served.
 */
@SpringBootTest(
        classes = DashboardTestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "server.address=127.0.0.1",
            "management.endpoints.web.exposure.include=parfor",
            "management.endpoint.parfor.access=unrestricted",
            "parfor.dashboard.enabled=true",
            "parfor.hazelcast.embedded.enabled=false"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoopControlHttpTests {

    @LocalServerPort
    int port;

    @Autowired
    ParallelFor parfor;

    private Http http;

    @BeforeAll
    void connect() {
        http = new Http(port);
    }

    @AfterAll
    void close() {
        http.close();
    }

    @Test
    void shouldDescribeOneRunningLoopWithItsFirstFailuresAndCancelItFromOutside() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        CompletableFuture<LoopResult<Integer>> caller = CompletableFuture.supplyAsync(
                () -> parfor.loop("runaway")
                        .engine("virtual")
                        .parallelism(4)
                        .chunkSize(1)
                        .onError(ErrorPolicy.COLLECT)
                        .run(range(200), x -> {
                            if (x < 12) {
                                throw new IllegalStateException("bad input " + x);
                            }
                            never.await();
                            return x;
                        }),
                Thread::startVirtualThread);
        String id = Awaitility.await()
                .atMost(Duration.ofMinutes(1))
                .until(
                        () -> parfor.running().stream()
                                .filter(loop -> loop.progress().info().name().equals("runaway")
                                        && loop.progress().failed() == 12)
                                .map(loop -> loop.progress().info().id())
                                .findFirst()
                                .orElse(null),
                        found -> found != null);

        HttpResponse<String> one = http.get("/actuator/parfor/" + id);
        assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
        DocumentContext loop = JsonPath.parse(one.body());
        assertThat(loop.read("$.id", String.class)).isEqualTo(id);
        assertThat(loop.read("$.loop", String.class)).isEqualTo("runaway");
        assertThat(loop.read("$.engine", String.class)).isEqualTo("virtual");
        assertThat(loop.<Map<String, Object>>read("$.options"))
                .containsEntry("engine", "virtual")
                .containsEntry("parallelism", "4")
                .containsEntry("chunkSize", "1")
                .containsEntry("onError", "COLLECT")
                .containsEntry("timeout", "none")
                .containsEntry("limit", "none");
        assertThat(loop.read("$.state", String.class)).isEqualTo("running");
        assertThat(loop.read("$.total", Integer.class)).isEqualTo(200);
        assertThat(loop.read("$.failed", Integer.class)).isEqualTo(12);
        assertThat(loop.read("$.finishedAt", String.class)).isNull();
        assertThat(loop.<Map<String, Object>>read("$")).containsKeys("rate", "etaMillis", "elapsedMillis", "startedAt");
        List<Map<String, Object>> failures = loop.read("$.failures");
        assertThat(failures).hasSize(10);
        assertThat(failures.get(0))
                .containsEntry("index", 0)
                .containsEntry("input", "0")
                .containsEntry("exception", "java.lang.IllegalStateException")
                .containsEntry("message", "bad input 0")
                .containsEntry("attempts", 1);
        assertThat(failures).extracting(f -> f.get("index")).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(loop.read("$.parallelism", Integer.class)).isEqualTo(4);

        HttpResponse<String> cancel = http.delete("/actuator/parfor/" + id);
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
        assertThat(JsonPath.parse(cancel.body()).<Map<String, Object>>read("$"))
                .containsEntry("id", id)
                .containsEntry("loop", "runaway")
                .containsEntry("cancelled", true)
                .containsEntry("message", "cancelled");

        assertThatThrownBy(() -> caller.get(1, TimeUnit.MINUTES))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(ParallelForException.class, e -> {
                    assertThat(e.outcome()).isEqualTo(Outcome.CANCELLED);
                    assertThat(e.getMessage()).contains("cancelled from outside");
                });

        // Once ended, the loop is described from the recent loops, and a second cancel stops nothing.
        DocumentContext ended = Awaitility.await()
                .atMost(Duration.ofMinutes(1))
                .ignoreExceptions() // a 404 with no body, should it fall between the running and recent loops
                .until(
                        () -> JsonPath.parse(http.get("/actuator/parfor/" + id).body()),
                        json -> "cancelled".equals(json.read("$.state", String.class)));
        assertThat(ended.read("$.finishedAt", String.class)).isNotNull();
        HttpResponse<String> again = http.delete("/actuator/parfor/" + id);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JsonPath.parse(again.body()).<Map<String, Object>>read("$"))
                .containsEntry("cancelled", false)
                .containsEntry("message", "no running loop has this id");
    }

    @Test
    void shouldAnswerForAnUnknownLoop() throws Exception {
        assertThat(http.get("/actuator/parfor/no-such-loop").statusCode()).isEqualTo(404);
        HttpResponse<String> cancel = http.delete("/actuator/parfor/no-such-loop");
        assertThat(cancel.statusCode()).isEqualTo(200);
        assertThat(JsonPath.parse(cancel.body()).<Map<String, Object>>read("$"))
                .containsEntry("cancelled", false)
                .containsEntry("message", "no running loop has this id");
    }

    @Test
    void shouldServeTheDashboardUnderTheManagementBasePath() throws Exception {
        HttpResponse<String> bare = http.get("/actuator/parfor-dashboard");
        assertThat(bare.statusCode()).isEqualTo(302);
        assertThat(bare.headers().firstValue("Location"))
                .hasValueSatisfying(location -> assertThat(location).endsWith("parfor-dashboard/"));

        HttpResponse<String> page = http.get("/actuator/parfor-dashboard/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(
                        csp -> assertThat(csp).contains("default-src 'none'").contains("script-src 'self'"));
        assertThat(page.body())
                .contains("<script src=\"dashboard.js\"")
                .contains("href=\"dashboard.css\"")
                .doesNotContain("http://", "https://");

        HttpResponse<String> script = http.get("/actuator/parfor-dashboard/dashboard.js");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/javascript"));
        // Nothing is fetched from elsewhere; the one URL names the SVG namespace.
        assertThat(script.body())
                .contains("getJson(config.endpoint)")
                .doesNotContainPattern("https?://(?!www\\.w3\\.org/2000/svg')");
        HttpResponse<String> style = http.get("/actuator/parfor-dashboard/dashboard.css");
        assertThat(style.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/css"));
        assertThat(http.get("/actuator/parfor-dashboard/../application.yml").statusCode())
                .isNotEqualTo(200);

        assertThat(JsonPath.parse(http.get("/actuator/parfor-dashboard/config").body())
                        .<Map<String, Object>>read("$"))
                .containsEntry("endpoint", "../parfor")
                .containsEntry("exposed", true)
                .containsEntry("cancel", true);
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }
}
