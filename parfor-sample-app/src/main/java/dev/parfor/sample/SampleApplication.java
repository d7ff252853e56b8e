package dev.parfor.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The parfor sample application. Start it with {@code ./mvnw -pl parfor-sample-app -am spring-boot:run} and open
 * {@code http://localhost:8080/}.
 */
@SpringBootApplication
public class SampleApplication {

    /** Not instantiated by users; Spring creates the one instance. */
    SampleApplication() {}

    /**
     * Starts the application.
     *
     * @param args command-line arguments, such as {@code --server.port=8081}
     */
    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
