package dev.parfor.autoconfigure.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.WebEndpointsSupplier;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The dashboard's routes under {@code <base path>/parfor-dashboard/}: the page, its stylesheet and script (read once
 * from the jar), and {@code config}, which tells the page where the {@code parfor} endpoint is and whether its cancel
 * operation is available, as Spring Boot resolved exposure and {@code management.endpoint.parfor.access}.
 */
final class DashboardRoutes {

    /** The page's path below the management base path. */
    static final String PATH = "/parfor-dashboard";

    private static final EndpointId PARFOR = EndpointId.of("parfor");
    private static final String RESOURCES = "META-INF/parfor/dashboard/";
    private static final String CONTENT_SECURITY_POLICY =
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:;"
                    + " base-uri 'none'; form-action 'none'; frame-ancestors 'self'";
    private static final Map<String, MediaType> ASSETS = Map.of(
            "dashboard.css", new MediaType("text", "css", StandardCharsets.UTF_8),
            "dashboard.js", new MediaType("text", "javascript", StandardCharsets.UTF_8));

    private final String basePath;
    private final Supplier<Stream<WebEndpointsSupplier>> endpoints;

    DashboardRoutes(String basePath, Supplier<Stream<WebEndpointsSupplier>> endpoints) {
        this.basePath = basePath;
        this.endpoints = endpoints;
    }

    RouterFunction<ServerResponse> routes() {
        String root = basePath + PATH;
        String page = read("index.html");
        RouterFunctions.Builder routes = RouterFunctions.route()
                // Relative links in the page need the trailing slash.
                .GET(
                        root,
                        request -> ServerResponse.status(302)
                                .location(URI.create(PATH.substring(1) + "/"))
                                .build())
                .GET(
                        root + "/",
                        request -> ServerResponse.ok()
                                .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                                .header("X-Content-Type-Options", "nosniff")
                                .header("Cache-Control", "no-cache")
                                .body(page))
                .GET(
                        root + "/config",
                        request -> ServerResponse.ok()
                                .contentType(MediaType.APPLICATION_JSON)
                                .header("Cache-Control", "no-store")
                                .body(config()));
        for (Map.Entry<String, MediaType> asset : ASSETS.entrySet()) {
            String body = read(asset.getKey());
            routes.GET(
                    root + "/" + asset.getKey(),
                    request -> ServerResponse.ok()
                            .contentType(asset.getValue())
                            .header("X-Content-Type-Options", "nosniff")
                            .header("Cache-Control", "no-cache")
                            .body(body));
        }
        return routes.build();
    }

    /**
     * What the page needs to know, as JSON: the endpoint's path relative to the page, whether it is exposed, and
     * whether its cancel (DELETE) operation is available. Computed on each request from what the actuator serves.
     */
    String config() {
        Optional<ExposableWebEndpoint> parfor = endpoints
                .get()
                .flatMap(supplier -> supplier.getEndpoints().stream())
                .filter(endpoint -> endpoint.getEndpointId().equals(PARFOR))
                .findFirst();
        String path = parfor.map(ExposableWebEndpoint::getRootPath).orElse("parfor");
        boolean cancel = parfor.map(endpoint -> endpoint.getOperations().stream()
                        .anyMatch(operation -> operation.getType() == OperationType.DELETE))
                .orElse(false);
        return "{\"endpoint\":\"" + json("../" + path) + "\",\"exposed\":" + parfor.isPresent() + ",\"cancel\":"
                + cancel + "}";
    }

    private static String json(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String read(String name) {
        try (InputStream in = DashboardRoutes.class.getClassLoader().getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("parfor dashboard resource " + RESOURCES + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read parfor dashboard resource " + RESOURCES + name, e);
        }
    }
}
