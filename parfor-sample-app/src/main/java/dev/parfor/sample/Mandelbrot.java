package dev.parfor.sample;

import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders the Mandelbrot set tile by tile. A tile is a plain serializable record and {@link #render(Tile)} a static
 * method, so the same loop body runs on the local engines and on {@code hazelcast}.
 */
final class Mandelbrot {

    /** The view: the whole set, centred a little left of the origin. */
    private static final double CENTER_X = -0.75;

    private static final double CENTER_Y = 0.0;
    private static final double WIDTH = 3.0;

    private Mandelbrot() {}

    /**
     * One square tile of the image.
     *
     * @param x left pixel column
     * @param y top pixel row
     * @param width tile width in pixels
     * @param height tile height in pixels
     * @param size width and height of the whole image
     * @param iterations iteration limit per pixel
     */
    record Tile(int x, int y, int width, int height, int size, int iterations) implements Serializable {}

    /** Cuts a {@code size} x {@code size} image into tiles of at most {@code tileSize} pixels a side, row by row. */
    static List<Tile> tiles(int size, int tileSize, int iterations) {
        List<Tile> tiles = new ArrayList<>();
        for (int y = 0; y < size; y += tileSize) {
            for (int x = 0; x < size; x += tileSize) {
                tiles.add(new Tile(x, y, Math.min(tileSize, size - x), Math.min(tileSize, size - y), size, iterations));
            }
        }
        return tiles;
    }

    /** The RGB pixels of one tile, row by row. */
    static int[] render(Tile tile) {
        int[] pixels = new int[tile.width() * tile.height()];
        double scale = WIDTH / tile.size();
        for (int row = 0; row < tile.height(); row++) {
            double ci = CENTER_Y + (tile.y() + row - tile.size() / 2.0) * scale;
            for (int col = 0; col < tile.width(); col++) {
                double cr = CENTER_X + (tile.x() + col - tile.size() / 2.0) * scale;
                pixels[row * tile.width() + col] = colour(escape(cr, ci, tile.iterations()), tile.iterations());
            }
        }
        return pixels;
    }

    /** Puts the rendered tiles together; {@code pixels} is in the order of {@code tiles}. */
    static BufferedImage assemble(int size, List<Tile> tiles, List<int[]> pixels) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < tiles.size(); i++) {
            Tile tile = tiles.get(i);
            image.setRGB(tile.x(), tile.y(), tile.width(), tile.height(), pixels.get(i), 0, tile.width());
        }
        return image;
    }

    /** A smooth iteration count for the point c, or {@code iterations} inside the set. */
    private static double escape(double cr, double ci, int iterations) {
        double zr = 0;
        double zi = 0;
        for (int n = 0; n < iterations; n++) {
            double zr2 = zr * zr;
            double zi2 = zi * zi;
            if (zr2 + zi2 > 256) {
                return n + 1 - Math.log(Math.log(Math.sqrt(zr2 + zi2))) / Math.log(2);
            }
            zi = 2 * zr * zi + ci;
            zr = zr2 - zi2 + cr;
        }
        return iterations;
    }

    private static int colour(double n, int iterations) {
        if (n >= iterations) {
            return 0x000000;
        }
        double t = Math.sqrt(Math.max(0, n) / iterations);
        int r = (int) (9 * (1 - t) * t * t * t * 255);
        int g = (int) (15 * (1 - t) * (1 - t) * t * t * 255);
        int b = (int) (8.5 * (1 - t) * (1 - t) * (1 - t) * t * 255);
        return (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
    }

    private static int clamp(int channel) {
        return Math.max(0, Math.min(255, channel));
    }
}
