namespace Nabla.Serving.Images;

/// <summary>Turns a picture (a PNG of a hand-drawn digit, say) into the input an MNIST-style model expects.</summary>
public static class DigitImage
{
    /// <summary>
    /// Grey values [height * width] in [0, 1] with MNIST's polarity: luminance (transparency over white), resized
    /// with <see cref="Resize"/>, inverted when the picture is mostly light (a dark digit on paper becomes a white
    /// digit on black), then stretched so the darkest pixel is 0 and the brightest 1.
    /// </summary>
    public static float[] Prepare(PngImage image, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(image);
        var grey = Resize(image.ToGrey(), image.Height, image.Width, height, width);
        if (grey.Average() > 0.5f)
        {
            for (var i = 0; i < grey.Length; i++) grey[i] = 1 - grey[i];
        }
        var (low, high) = (grey.Min(), grey.Max());
        if (high - low > 1e-6f)
        {
            for (var i = 0; i < grey.Length; i++) grey[i] = (grey[i] - low) / (high - low);
        }
        return grey;
    }

    /// <summary>
    /// Bilinear resampling of a [height, width] plane to [newHeight, newWidth], pixel centres aligned (half-pixel
    /// offsets). When shrinking, the triangle filter is widened by the shrink factor so every source pixel counts
    /// (a plain 2x2 lookup would skip most of a large picture's strokes); growing is ordinary bilinear interpolation.
    /// </summary>
    public static float[] Resize(ReadOnlySpan<float> pixels, int height, int width, int newHeight, int newWidth)
    {
        if (height <= 0 || width <= 0 || newHeight <= 0 || newWidth <= 0)
        {
            throw new ArgumentException($"DigitImage.Resize: sizes must be positive; got {height}x{width} -> {newHeight}x{newWidth}.");
        }
        if (pixels.Length != (long)height * width) throw new ArgumentException($"DigitImage.Resize: {height}x{width} needs {(long)height * width} values; got {pixels.Length}.");
        var rows = Weights(height, newHeight);
        var columns = Weights(width, newWidth);
        // Separable: first along each row (width), then along each column (height).
        var across = new float[height * newWidth];
        for (var y = 0; y < height; y++)
        for (var x = 0; x < newWidth; x++)
        {
            var (start, w) = columns[x];
            var sum = 0f;
            for (var k = 0; k < w.Length; k++) sum += w[k] * pixels[y * width + start + k];
            across[y * newWidth + x] = sum;
        }
        var result = new float[newHeight * newWidth];
        for (var y = 0; y < newHeight; y++)
        {
            var (start, w) = rows[y];
            for (var x = 0; x < newWidth; x++)
            {
                var sum = 0f;
                for (var k = 0; k < w.Length; k++) sum += w[k] * across[(start + k) * newWidth + x];
                result[y * newWidth + x] = sum;
            }
        }
        return result;
    }

    /// <summary>For each output index: the first input index and the normalised triangle-filter weights from there on.</summary>
    private static (int Start, float[] Weights)[] Weights(int size, int newSize)
    {
        var scale = (double)size / newSize;
        var support = Math.Max(1.0, scale);
        var result = new (int, float[])[newSize];
        for (var o = 0; o < newSize; o++)
        {
            var centre = (o + 0.5) * scale - 0.5; // output pixel centre in input pixel coordinates
            var first = Math.Max(0, (int)Math.Floor(centre - support) + 1);
            var last = Math.Min(size - 1, (int)Math.Ceiling(centre + support) - 1);
            if (last < first) (first, last) = (Math.Clamp((int)Math.Round(centre), 0, size - 1), Math.Clamp((int)Math.Round(centre), 0, size - 1));
            var w = new double[last - first + 1];
            for (var i = first; i <= last; i++) w[i - first] = Math.Max(0, 1 - Math.Abs(i - centre) / support);
            var total = w.Sum();
            // Weights outside the picture are dropped and the rest renormalised, which repeats the edge pixel.
            result[o] = (first, total > 0 ? [.. w.Select(v => (float)(v / total))] : [.. w.Select((_, i) => i == 0 ? 1f : 0f)]);
        }
        return result;
    }
}
