package dev.parfor.autoconfigure.adoption;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.parfor.ParallelFor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A new application as a team would write it: a bean of its own named {@code io}, its JSON in snake case, parfor from
 * auto-configuration alone. It starts on a random port, runs loops, and the actuator shows parfor's JSON with the
 * same keys as in any other application.
 */
@SpringBootTest(
        classes = ParforAdoptionTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "server.address=127.0.0.1",
            "spring.jackson.property-naming-strategy=SNAKE_CASE",
            "management.endpoints.web.exposure.include=parfor,metrics",
            "parfor.engines.io.type=virtual",
            "parfor.engines.io.max-concurrency=8",
            // The application uses the local engines only.
            "parfor.hazelcast.embedded.enabled=false"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ParforAdoptionTests {

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    private final HttpClient http = HttpClient.newHttpClient();

    @AfterAll
    void close() {
        http.close();
    }

    @Test
    void shouldStartRunLoopsAndShowTheSameParforJsonUnderSnakeCase() throws Exception {
        // The application's own bean named io is untouched, and parfor still has its io engine.
        assertThat(context.getBean("io")).isInstanceOf(HttpClient.class);
        assertThat(context.getBean(ParallelFor.class).engines().get("io").type())
                .isEqualTo("virtual");

        // The loop metric is there before the first loop ran, where the README sends new users first.
        assertThat(status("/actuator/metrics/parfor.loop")).isEqualTo(200);

        // The application's JSON really is snake case.
        DocumentContext squares = JsonPath.parse(get("/squares?n=10"));
        assertThat(squares.read("$.input_count", Integer.class)).isEqualTo(10);
        assertThat(squares.read("$.sum_of_squares", Integer.class)).isEqualTo(285);
        assertThat(list(JsonPath.parse(get("/threads?n=4")), "$.engine_threads"))
                .hasSize(4)
                .allSatisfy(name -> assertThat((String) name).startsWith("parfor-io-"));

        // parfor's JSON is not.
        DocumentContext parfor = JsonPath.parse(get("/actuator/parfor"));
        assertThat(map(parfor, "$")).containsOnlyKeys("defaultEngine", "engines", "running", "recent", "limits");
        assertThat(parfor.read("$.defaultEngine", String.class)).isEqualTo("fork-join");
        assertThat(list(parfor, "$.engines[*].name")).contains("sequential", "fork-join", "virtual", "io");
        assertThat(map(parfor, "$.engines[0]")).containsOnlyKeys("name", "type", "parallelism", "active", "queued");
        Map<String, Object> newest = parfor.read("$.recent[0]");
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
                .containsEntry("loop", "engine-threads")
                .containsEntry("engine", "io")
                .containsEntry("outcome", "success");

        DocumentContext loops = JsonPath.parse(get("/actuator/metrics/parfor.loop?tag=loop:squares"));
        assertThat(list(loops, "$.measurements[?(@.statistic == 'COUNT')].value"))
                .containsExactly(1.0);
    }

    private int status(String path) throws IOException, InterruptedException {
        return send(path).statusCode();
    }

    private static List<Object> list(DocumentContext json, String path) {
        return json.read(path);
    }

    private static Map<String, Object> map(DocumentContext json, String path) {
        return json.read(path);
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = send(path);
        assertThat(response.statusCode())
                .as("GET %s: %s", path, response.body())
                .isEqualTo(200);
        return response.body();
    }

    private HttpResponse<String> send(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The application: auto-configuration, one controller, and a bean of its own named io. */
    @SpringBootApplication
    @Import(Loops.class) // component scanning leaves out classes nested in a test
    static class App {

        @Bean(destroyMethod = "close")
        HttpClient io() {
            return HttpClient.newHttpClient();
        }
    }

    /** What the application answers, in its own JSON style. */
    record Squares(int inputCount, long sumOfSquares) {}

    /** The threads an io loop ran on. */
    record Threads(List<String> engineThreads) {}

    @RestController
    static class Loops {

        private final ParallelFor parfor;

        Loops(ParallelFor parfor) {
            this.parfor = parfor;
        }

        @GetMapping("/squares")
        Squares squares(@RequestParam int n) {
            List<Long> squares = parfor.loop("squares").map(range(n), x -> (long) x * x);
            return new Squares(n, squares.stream().mapToLong(Long::longValue).sum());
        }

        @GetMapping("/threads")
        Threads threads(@RequestParam int n) {
            return new Threads(parfor.loop("engine-threads")
                    .engine("io")
                    .chunkSize(1)
                    .map(range(n), x -> Thread.currentThread().getName()));
        }

        private static List<Integer> range(int n) {
            return IntStream.range(0, n).boxed().toList();
        }
    }
}
