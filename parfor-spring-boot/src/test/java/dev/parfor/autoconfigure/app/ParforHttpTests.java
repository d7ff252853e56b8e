package dev.parfor.autoconfigure.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The starter in a real web application on a random port, read over HTTP as an operator would. */
@SpringBootTest(
        classes = ParforTestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "parfor.engine=virtual",
            "parfor.engines.virtual.max-concurrency=16",
            "parfor.loops.odd-only.engine=fork-join",
            "management.endpoints.web.exposure.include=health,parfor,metrics",
            "management.endpoint.health.show-details=always",
            // This test is about the local engines; the Hazelcast engine has its own tests.
            "parfor.hazelcast.embedded.enabled=false"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ParforHttpTests {

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void runLoopsOverHttp() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(get("/squares?n=50")).isEqualTo("40425");
        }
        assertThat(get("/odd-only?n=10")).isEqualTo("5");
    }

    @AfterAll
    void close() {
        http.close();
    }

    @Test
    void shouldDescribeEnginesAndRecentLoopsAtTheParforEndpoint() throws Exception {
        DocumentContext parfor = JsonPath.parse(get("/actuator/parfor"));
        assertThat(parfor.read("$.defaultEngine", String.class)).isEqualTo("virtual");
        List<String> names = parfor.read("$.engines[*].name");
        assertThat(names).contains("sequential", "fork-join", "virtual");
        List<Integer> virtual = parfor.read("$.engines[?(@.name == 'virtual')].parallelism");
        assertThat(virtual).containsExactly(16);
        assertThat(map(parfor, "$.engines[0]")).containsOnlyKeys("name", "type", "parallelism", "active", "queued");
        assertThat(list(parfor, "$.running")).isEmpty();

        List<Map<String, Object>> recent = parfor.read("$.recent");
        assertThat(recent).hasSize(4);
        Map<String, Object> newest = recent.get(0);
        assertThat(newest)
                .containsOnlyKeys(
                        "id",
                        "loop",
                        "engine",
                        "outcome",
                        "total",
                        "done",
                        "failed",
                        "retried",
                        "elapsedMillis",
                        "startedAt",
                        "finishedAt")
                .containsEntry("loop", "odd-only")
                .containsEntry("engine", "fork-join")
                .containsEntry("outcome", "partial")
                .containsEntry("total", 10)
                .containsEntry("done", 10)
                .containsEntry("failed", 5);
        assertThat(recent.subList(1, 4))
                .allSatisfy(loop -> assertThat(loop)
                        .containsEntry("loop", "squares")
                        .containsEntry("engine", "virtual")
                        .containsEntry("outcome", "success")
                        .containsEntry("done", 50));
    }

    @Test
    void shouldReportParforHealth() throws Exception {
        DocumentContext health = JsonPath.parse(get("/actuator/health"));
        assertThat(health.read("$.status", String.class)).isEqualTo("UP");
        assertThat(health.read("$.components.parfor.status", String.class)).isEqualTo("UP");
        assertThat(health.read("$.components.parfor.details.defaultEngine", String.class))
                .isEqualTo("virtual");
        assertThat(health.read("$.components.parfor.details.engines.virtual.type", String.class))
                .isEqualTo("virtual");
    }

    @Test
    void shouldPublishTheLoopTimerAndTaskCounterWithTheirTags() throws Exception {
        DocumentContext squares = JsonPath.parse(get("/actuator/metrics/parfor.loop?tag=loop:squares"));
        assertThat(list(squares, "$.measurements[?(@.statistic == 'COUNT')].value"))
                .containsExactly(3.0);
        assertThat(list(squares, "$.availableTags[?(@.tag == 'engine')].values[*]"))
                .containsExactly("virtual");
        assertThat(list(squares, "$.availableTags[?(@.tag == 'outcome')].values[*]"))
                .containsExactly("success");
        assertThat(list(squares, "$.availableTags[?(@.tag == 'exception')].values[*]"))
                .containsExactly("none");

        DocumentContext all = JsonPath.parse(get("/actuator/metrics/parfor.loop"));
        assertThat(list(all, "$.measurements[?(@.statistic == 'COUNT')].value")).containsExactly(4.0);
        // "none": the zero series of each engine, there before the first loop.
        assertThat(list(all, "$.availableTags[?(@.tag == 'loop')].values[*]"))
                .containsExactlyInAnyOrder("squares", "odd-only", "none");
        assertThat(list(all, "$.availableTags[?(@.tag == 'outcome')].values[*]"))
                .containsExactlyInAnyOrder("success", "partial", "none");

        DocumentContext succeeded =
                JsonPath.parse(get("/actuator/metrics/parfor.tasks?tag=loop:squares&tag=outcome:success"));
        assertThat(list(succeeded, "$.measurements[?(@.statistic == 'COUNT')].value"))
                .containsExactly(150.0);
        DocumentContext failed =
                JsonPath.parse(get("/actuator/metrics/parfor.tasks?tag=loop:odd-only&tag=outcome:failure"));
        assertThat(list(failed, "$.measurements[?(@.statistic == 'COUNT')].value"))
                .containsExactly(5.0);
        assertThat(list(failed, "$.availableTags[?(@.tag == 'engine')].values[*]"))
                .containsExactly("fork-join");
    }

    @Test
    void shouldNotOfferCancelUnlessTheApplicationGrantsWriteAccess() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/parfor/some-id"))
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isIn(404, 405);
    }

    @Test
    @Order(Integer.MAX_VALUE) // last: it adds a loop that the other tests do not count
    void shouldShowARunningLoopWithUnknownTotalAndEtaAsNull() throws Exception {
        assertThat(get("/hold")).isEqualTo("started");
        Awaitility.await()
                .until(() -> !list(JsonPath.parse(get("/actuator/parfor")), "$.running")
                        .isEmpty());
        Map<String, Object> running = JsonPath.parse(get("/actuator/parfor")).read("$.running[0]");
        assertThat(running)
                .containsOnlyKeys(
                        "id",
                        "loop",
                        "engine",
                        "total",
                        "done",
                        "failed",
                        "retried",
                        "elapsedMillis",
                        "rate",
                        "etaMillis",
                        "startedAt")
                .containsEntry("loop", "held")
                .containsEntry("engine", "virtual")
                .containsEntry("total", null)
                .containsEntry("etaMillis", null)
                .containsEntry("done", 0);
        assertThat(get("/release")).isEqualTo("released");
        Awaitility.await()
                .until(() -> JsonPath.parse(get("/actuator/parfor"))
                        .read("$.recent[0].loop", String.class)
                        .equals("held"));
        Map<String, Object> finished = JsonPath.parse(get("/actuator/parfor")).read("$.recent[0]");
        assertThat(finished)
                .containsEntry("outcome", "success")
                .containsEntry("total", ParforTestApplication.LoopController.HELD_INPUTS)
                .containsEntry("done", ParforTestApplication.LoopController.HELD_INPUTS);
    }

    private static List<Object> list(DocumentContext json, String path) {
        return json.read(path);
    }

    private static Map<String, Object> map(DocumentContext json, String path) {
        return json.read(path);
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("GET %s: %s", path, response.body())
                .isEqualTo(200);
        return response.body();
    }
}
