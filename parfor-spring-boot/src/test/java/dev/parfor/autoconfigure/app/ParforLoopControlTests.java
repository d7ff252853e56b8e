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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** An operator reads one running loop and cancels it over HTTP, in an application that grants the write access. */
@SpringBootTest(
        classes = ParforTestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "server.address=127.0.0.1",
            "parfor.engine=virtual",
            "management.endpoints.web.exposure.include=parfor",
            "management.endpoint.parfor.access=unrestricted",
            "parfor.hazelcast.embedded.enabled=false"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ParforLoopControlTests {

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @AfterAll
    void close() {
        http.close();
    }

    @Test
    void shouldShowOneRunningLoopAndCancelItFromTheEndpoint() throws Exception {
        assertThat(send("GET", "/hold").body()).isEqualTo("started");
        Awaitility.await().until(() -> !running().isEmpty());
        String id =
                (String) JsonPath.parse(send("GET", "/actuator/parfor").body()).read("$.running[0].id");

        HttpResponse<String> one = send("GET", "/actuator/parfor/" + id);
        assertThat(one.statusCode()).isEqualTo(200);
        DocumentContext loop = JsonPath.parse(one.body());
        assertThat(loop.read("$.loop", String.class)).isEqualTo("held");
        assertThat(loop.read("$.state", String.class)).isEqualTo("running");
        assertThat(loop.read("$.engine", String.class)).isEqualTo("virtual");
        assertThat(send("GET", "/actuator/parfor/no-such-loop").statusCode()).isEqualTo(404);

        HttpResponse<String> cancel = send("DELETE", "/actuator/parfor/" + id);
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
        assertThat(JsonPath.parse(cancel.body()).read("$.cancelled", Boolean.class))
                .isTrue();

        Awaitility.await().until(() -> running().isEmpty());
        // The loop's caller got the cancellation, as a caller interrupt would give it.
        Awaitility.await().until(() -> !send("GET", "/held-result").body().equals("running"));
        assertThat(send("GET", "/held-result").body())
                .startsWith("CANCELLED: loop 'held' was cancelled")
                .contains("cancelled from outside");
        DocumentContext ended =
                JsonPath.parse(send("GET", "/actuator/parfor/" + id).body());
        assertThat(ended.read("$.state", String.class)).isEqualTo("cancelled");
    }

    private List<Object> running() throws IOException, InterruptedException {
        return JsonPath.parse(send("GET", "/actuator/parfor").body()).read("$.running");
    }

    private HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
