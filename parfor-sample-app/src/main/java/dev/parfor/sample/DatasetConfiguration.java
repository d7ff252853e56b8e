package dev.parfor.sample;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Builds the shared data set at start-up; {@code sample.dataset.size} sets how many numbers it holds. */
@Configuration(proxyBeanMethods = false)
class DatasetConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DatasetConfiguration.class);

    @Bean
    NumberTable numberTable(@Value("${sample.dataset.size:5000000}") int size) {
        Params.between(size, 1, 200_000_000, "sample.dataset.size", 5000000);
        long start = System.nanoTime();
        NumberTable table = NumberTable.random(size, 1_000_000, 42);
        log.info(
                "Built the shared data set: {} numbers, {} MB, in {} ms",
                size,
                table.bytes() / (1024 * 1024),
                (System.nanoTime() - start) / 1_000_000);
        return table;
    }
}
