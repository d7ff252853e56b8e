package dev.parfor.autoconfigure.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.parfor.ParallelFor;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * With {@code management.endpoint.parfor.access=read-only}, Spring Boot leaves the cancel operation out: DELETE is
 * refused, the loop runs on, and the dashboard shows no cancel button.
 */
@SpringBootTest(
        classes = DashboardTestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "server.address=127.0.0.1",
            "management.endpoints.web.exposure.include=parfor",
            "management.endpoint.parfor.access=read-only",
            "parfor.dashboard.enabled=true",
            "parfor.hazelcast.embedded.enabled=false"
        })
class LoopControlReadOnlyHttpTests {

    @LocalServerPort
    int port;

    @Autowired
    ParallelFor parfor;

    @Test
    void shouldRefuseToCancelUnderReadOnlyAccess() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<List<Integer>> caller = CompletableFuture.supplyAsync(
                () -> parfor.loop("protected").engine("virtual").chunkSize(1).map(range(8), x -> {
                    release.await();
                    return x;
                }),
                Thread::startVirtualThread);
        try (Http http = new Http(port)) {
            String id = Awaitility.await()
                    .atMost(Duration.ofMinutes(1))
                    .until(
                            () -> parfor.running().stream()
                                    .filter(loop ->
                                            loop.progress().info().name().equals("protected"))
                                    .map(loop -> loop.progress().info().id())
                                    .findFirst()
                                    .orElse(null),
                            found -> found != null);

            HttpResponse<String> cancel = http.delete("/actuator/parfor/" + id);
            assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(405);
            assertThat(parfor.running())
                    .anySatisfy(loop -> assertThat(loop.progress().info().id()).isEqualTo(id));
            assertThat(http.get("/actuator/parfor/" + id).statusCode()).isEqualTo(200);
            assertThat(JsonPath.parse(http.get("/actuator/parfor-dashboard/config")
                                    .body())
                            .<Map<String, Object>>read("$"))
                    .containsEntry("exposed", true)
                    .containsEntry("cancel", false);
        } finally {
            release.countDown();
        }
        assertThat(caller.get(1, TimeUnit.MINUTES)).hasSize(8);
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }
}
