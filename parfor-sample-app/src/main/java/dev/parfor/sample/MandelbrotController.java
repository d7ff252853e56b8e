package dev.parfor.sample;

import dev.parfor.Loop;
import dev.parfor.ParallelFor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The CPU-bound demo: a Mandelbrot image rendered tile by tile, one task per tile, served as PNG. Without
 * {@code engine} the loop runs where the configuration says (the default engine, {@code fork-join}).
 */
@RestController
class MandelbrotController {

    static final String LOOP = "mandelbrot";

    private final ParallelFor parfor;

    MandelbrotController(ParallelFor parfor) {
        this.parfor = parfor;
    }

    /**
     * Renders the image; response headers say which loop run made it, on which engine, in how many tiles and how
     * long it took.
     */
    @GetMapping(value = "/mandelbrot.png", produces = MediaType.IMAGE_PNG_VALUE)
    ResponseEntity<byte[]> render(
            @RequestParam(required = false) @Nullable String engine,
            @RequestParam(required = false) @Nullable Integer parallelism,
            @RequestParam(defaultValue = "800") int size,
            @RequestParam(defaultValue = "100") int tile,
            @RequestParam(defaultValue = "600") int iterations) {
        Params.between(size, 16, 4000, "size", 800);
        Params.between(tile, 8, 1000, "tile", 100);
        Params.between(iterations, 1, 100_000, "iterations", 600);
        List<Mandelbrot.Tile> tiles = Mandelbrot.tiles(size, tile, iterations);

        LoopSummary.Recorder recorder = new LoopSummary.Recorder();
        Loop loop = parfor.loop(LOOP).progress(recorder, LoopSummary.Recorder.INTERVAL);
        if (engine != null) {
            loop.engine(engine);
        }
        if (parallelism != null) {
            loop.parallelism(parallelism);
        }
        List<int[]> pixels = loop.map(tiles, Mandelbrot::render);
        LoopSummary summary = recorder.summary();

        return ResponseEntity.ok()
                .contentType(MediaType.IMAGE_PNG)
                .header("X-Parfor-Loop-Id", summary.id())
                .header("X-Parfor-Engine", summary.engine())
                .header("X-Parfor-Tiles", Integer.toString(tiles.size()))
                .header("X-Parfor-Elapsed-Millis", Long.toString(summary.elapsedMillis()))
                .body(png(Mandelbrot.assemble(size, tiles, pixels)));
    }

    private static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
