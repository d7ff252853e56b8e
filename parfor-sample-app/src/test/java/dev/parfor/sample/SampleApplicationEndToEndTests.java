package dev.parfor.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import javax.imageio.ImageIO;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/** The whole application on a random port, every endpoint called over real HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class SampleApplicationEndToEndTests {

    @LocalServerPort
    int port;

    @Autowired
    NumberTable table;

    SampleClient client;

    @BeforeEach
    void client() {
        client = new SampleClient(port);
    }

    @Test
    void shouldRenderTheSameMandelbrotImageOnEveryEngine() throws IOException {
        int[] expected = null;
        for (String engine : List.of("fork-join", "debug", "virtual", "app-executor", "hazelcast")) {
            HttpResponse<byte[]> response =
                    client.get("/mandelbrot.png?engine=" + engine + "&parallelism=2&size=200&tile=50&iterations=200");

            assertThat(response.statusCode()).as(engine).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("image/png");
            assertThat(response.headers().firstValue("X-Parfor-Engine")).hasValue(engine);
            assertThat(response.headers().firstValue("X-Parfor-Tiles")).hasValue("16");
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(response.body()));
            assertThat(image.getWidth()).isEqualTo(200);
            assertThat(image.getHeight()).isEqualTo(200);
            int[] pixels = image.getRGB(0, 0, 200, 200, null, 0, 200);
            if (expected == null) {
                expected = pixels;
                Set<Integer> colours = new HashSet<>();
                for (int pixel : pixels) {
                    colours.add(pixel & 0xFFFFFF);
                }
                assertThat(colours)
                        .as("the set in black, the outside in colours")
                        .contains(0x000000);
                assertThat(colours.size()).isGreaterThan(10);
            } else {
                assertThat(pixels).as("pixels rendered on " + engine).isEqualTo(expected);
            }
            assertLoopFinished(response.headers().firstValue("X-Parfor-Loop-Id").orElseThrow(), "mandelbrot", engine);
        }
    }

    @Test
    void shouldRunMandelbrotOnTheDefaultEngineWhenTheRequestNamesNone() {
        HttpResponse<byte[]> response = client.get("/mandelbrot.png?size=64&tile=16&iterations=50");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Parfor-Engine")).hasValue("fork-join");
        assertThat(response.headers().firstValue("X-Parfor-Tiles")).hasValue("16");
    }

    @Test
    void shouldRejectABadSizeBeforeRendering() {
        HttpResponse<byte[]> response = client.get("/mandelbrot.png?size=5");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(SampleClient.parse(response).path("detail").asString())
                .isEqualTo("'size' must be between 16 and 4000 but was 5; pass for example size=800");
    }

    @Test
    void shouldNameTheKnownEnginesForAnUnknownOne() {
        HttpResponse<byte[]> response = client.get("/mandelbrot.png?engine=gpu&size=64");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(SampleClient.parse(response).path("detail").asString())
                .contains("gpu")
                .contains("fork-join", "virtual", "io", "app-executor", "debug", "hazelcast");
    }

    @Test
    void shouldAnswerTheSlowEndpointAfterTheDelay() {
        JsonNode answer = client.json("/slow?ms=20");

        assertThat(answer.path("sleptMillis").asInt()).isEqualTo(20);
        assertThat(answer.path("inFlight").asInt()).isPositive();
    }

    @Test
    void shouldOverlapTheHttpCallsOnVirtualThreads() {
        JsonNode report = client.json("/io?calls=40&ms=100");

        assertThat(report.path("loop").path("engine").asString()).isEqualTo("virtual");
        assertThat(report.path("loop").path("done").asLong()).isEqualTo(40);
        assertThat(report.path("calls").asInt()).isEqualTo(40);
        // Every call waited at least its 100 ms, so one after another they would take at least 4 s.
        assertThat(report.path("sumOfCallMillis").asLong()).isGreaterThanOrEqualTo(40 * 100);
        assertThat(report.path("wallMillis").asLong()).isGreaterThanOrEqualTo(100);
        assertThat(report.path("mostCallsInFlight").asInt())
                .as("calls the slow endpoint saw at once")
                .isGreaterThan(1);
        assertLoopFinished(report.path("loop").path("id").asString(), "io-fan-out", "virtual");
    }

    @Test
    void shouldMakeOneCallAtATimeOnTheSequentialEngine() {
        JsonNode report = client.json("/io?engine=debug&calls=5&ms=10");

        assertThat(report.path("loop").path("engine").asString()).isEqualTo("debug");
        assertThat(report.path("mostCallsInFlight").asInt()).isEqualTo(1);
        assertThat(report.path("sumOfCallMillis").asLong()).isGreaterThanOrEqualTo(5 * 10);
    }

    @Test
    void shouldRefuseTheHttpLoopOnTheClusterBecauseItsBodyDoesNotSerialize() {
        HttpResponse<byte[]> response = client.get("/io?engine=hazelcast&calls=3&ms=0");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(SampleClient.parse(response).path("detail").asString())
                .contains("hazelcast")
                .contains("serializ");
    }

    @Test
    void shouldShareOneDataSetInstanceWithEveryTask() {
        JsonNode report = client.json("/dataset/histogram?slices=16&buckets=10");

        long[] expected = new long[10];
        long sum = 0;
        for (int value : table.values()) {
            expected[value / 100_000]++;
            sum += value;
        }
        List<Long> histogram = new ArrayList<>();
        report.path("histogram").values().forEach(count -> histogram.add(count.asLong()));
        assertThat(histogram).containsExactly(LongStream.of(expected).boxed().toArray(Long[]::new));
        assertThat(report.path("size").asInt()).isEqualTo(400_000);
        assertThat(report.path("slices").asInt()).isEqualTo(16);
        assertThat(report.path("bucketWidth").asInt()).isEqualTo(100_000);
        assertThat(report.path("mean").asDouble()).isEqualTo((double) sum / 400_000);
        assertThat(report.path("tableInstancesSeen").asLong()).isEqualTo(1);
        assertThat(report.path("loop").path("engine").asString()).isEqualTo("fork-join");
        assertThat(report.path("loop").path("done").asLong()).isEqualTo(16);
        assertLoopFinished(report.path("loop").path("id").asString(), "dataset-histogram", "fork-join");
    }

    @Test
    void shouldRunTheClusterLoopOnTheEmbeddedMember() {
        JsonNode members = client.json("/cluster/members");
        String local = members.path("local").asString();
        assertThat(local).startsWith("127.0.0.1:");

        JsonNode report = client.json("/cluster?tasks=50&ms=1");

        assertThat(report.path("members").values())
                .extracting(JsonNode::asString)
                .containsExactly(local);
        assertThat(report.path("tasksPerMember").path(local).asLong()).isEqualTo(50);
        assertThat(report.path("tasksPerMember").size()).isEqualTo(1);
        assertThat(report.path("processes").asLong()).isEqualTo(1);
        assertThat(report.path("checksum").asLong())
                .isEqualTo(LongStream.range(0, 50).map(i -> i * i).sum());
        assertLoopFinished(report.path("loop").path("id").asString(), "cluster", "hazelcast");
    }

    @Test
    void shouldRunTheSlowDemoOnTheEngineItsLoopPropertiesName() {
        HttpResponse<byte[]> response = client.post("/demo/slow?tasks=6&ms=20");

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode started = SampleClient.parse(response);
        assertThat(started.path("loop").asString()).isEqualTo("slow-demo");
        assertThat(started.path("tasks").asInt()).isEqualTo(6);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode finished = recent("slow-demo", 6);
            assertThat(finished).isNotNull();
            // parfor.loops.slow-demo.engine=io in application.yml; the code names no engine.
            assertThat(finished.path("engine").asString()).isEqualTo("io");
            assertThat(finished.path("outcome").asString()).isEqualTo("success");
            assertThat(finished.path("total").asLong()).isEqualTo(6);
            assertThat(finished.path("done").asLong()).isEqualTo(6);
        });
    }

    @Test
    void shouldListEveryConfiguredEngineInTheParforEndpoint() {
        JsonNode parfor = client.json("/actuator/parfor");

        assertThat(parfor.path("defaultEngine").asString()).isEqualTo("fork-join");
        List<String> engines = new ArrayList<>();
        parfor.path("engines")
                .values()
                .forEach(engine -> engines.add(engine.path("name").asString() + ":"
                        + engine.path("type").asString()));
        assertThat(engines)
                .contains(
                        "sequential:sequential",
                        "fork-join:fork-join",
                        "virtual:virtual",
                        "io:virtual",
                        "app-executor:executor",
                        "debug:sequential",
                        "hazelcast:hazelcast");
    }

    @Test
    void shouldCountLoopsInTheParforLoopMetricByLoopAndEngine() {
        String meter = "/actuator/metrics/parfor.loop?tag=loop:mandelbrot&tag=engine:debug&tag=outcome:success";
        long before = count(meter);

        assertThat(client.get("/mandelbrot.png?engine=debug&size=32&tile=16&iterations=20")
                        .statusCode())
                .isEqualTo(200);

        assertThat(count(meter)).isEqualTo(before + 1);
        JsonNode metric = client.json("/actuator/metrics/parfor.loop");
        List<String> tags = new ArrayList<>();
        metric.path("availableTags")
                .values()
                .forEach(tag -> tags.add(tag.path("tag").asString()));
        assertThat(tags).contains("engine", "loop", "outcome", "exception");
    }

    @Test
    void shouldExposeParforMetricsToPrometheus() {
        client.json("/dataset/histogram?slices=4&buckets=2");

        HttpResponse<byte[]> response = client.get("/actuator/prometheus");

        assertThat(response.statusCode()).isEqualTo(200);
        String scrape = new String(response.body(), StandardCharsets.UTF_8);
        assertThat(scrape).contains("parfor_loop_seconds_count{").contains("loop=\"dataset-histogram\"");
        assertThat(scrape).contains("parfor_tasks_total{");
    }

    @Test
    void shouldReportParforInHealth() {
        JsonNode health = client.json("/actuator/health");

        assertThat(health.path("status").asString()).isEqualTo("UP");
        assertThat(health.path("components").path("parfor").path("status").asString())
                .isEqualTo("UP");
    }

    @Test
    void shouldServeThePage() {
        HttpResponse<byte[]> page = client.get("/");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(new String(page.body(), StandardCharsets.UTF_8))
                .contains("<title>parfor sample</title>")
                .contains("app.js");
        assertThat(client.get("/app.js").statusCode()).isEqualTo(200);
        assertThat(client.get("/app.css").statusCode()).isEqualTo(200);
    }

    private long count(String meter) {
        HttpResponse<byte[]> response = client.get(meter);
        if (response.statusCode() == 404) {
            return 0; // no loop with these tags has finished yet
        }
        assertThat(response.statusCode()).isEqualTo(200);
        for (JsonNode measurement :
                SampleClient.parse(response).path("measurements").values()) {
            if (measurement.path("statistic").asString().equals("COUNT")) {
                return measurement.path("value").asLong();
            }
        }
        throw new AssertionError("no COUNT in " + meter);
    }

    private void assertLoopFinished(String id, String loop, String engine) {
        @Nullable JsonNode finished = null;
        for (JsonNode recent : client.json("/actuator/parfor").path("recent").values()) {
            if (recent.path("id").asString().equals(id)) {
                finished = recent;
            }
        }
        assertThat(finished).as("loop %s in /actuator/parfor recent", id).isNotNull();
        assertThat(finished.path("loop").asString()).isEqualTo(loop);
        assertThat(finished.path("engine").asString()).isEqualTo(engine);
        assertThat(finished.path("outcome").asString()).isEqualTo("success");
        assertThat(finished.path("done").asLong())
                .isEqualTo(finished.path("total").asLong());
    }

    private @Nullable JsonNode recent(String loop, long total) {
        for (JsonNode recent : client.json("/actuator/parfor").path("recent").values()) {
            if (recent.path("loop").asString().equals(loop)
                    && recent.path("total").asLong() == total) {
                return recent;
            }
        }
        return null;
    }
}
