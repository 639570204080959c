using Nabla.Serving.Images;

namespace Nabla.Tests.Reports;

public class DigitImageTests
{
    [Fact]
    public void Growing_is_half_pixel_bilinear()
    {
        // Output centres at input positions -0.25, 0.25, 0.75, 1.25; the ends clamp to the edge pixels (as PyTorch's
        // interpolate(mode="bilinear", align_corners=False) gives [0, 0.25, 0.75, 1]).
        Assert.Equal([0f, 0.25f, 0.75f, 1f], DigitImage.Resize([0f, 1f], 1, 2, 1, 4));
        Assert.Equal([0f, 0.25f, 0.75f, 1f], DigitImage.Resize([0f, 1f], 2, 1, 4, 1));
    }

    [Fact]
    public void Shrinking_widens_the_triangle_by_the_factor()
    {
        // 4 -> 2: support 2, centres at 0.5 and 2.5. Output 0 weighs pixels 0, 1, 2 by 0.75, 0.75, 0.25:
        // (0*0.75 + 1*0.75 + 2*0.25) / 1.75 = 5/7; output 1 by symmetry 3 - 5/7 = 16/7.
        var result = DigitImage.Resize([0f, 1f, 2f, 3f], 1, 4, 1, 2);
        Assert.Equal(5f / 7, result[0], 5);
        Assert.Equal(16f / 7, result[1], 5);
    }

    [Theory]
    [InlineData(5, 7, 28, 28)]
    [InlineData(28, 28, 3, 2)]
    [InlineData(3, 3, 3, 3)]
    public void A_flat_image_stays_flat_and_same_size_is_identity(int h, int w, int newH, int newW)
    {
        Assert.All(DigitImage.Resize(Enumerable.Repeat(0.3f, h * w).ToArray(), h, w, newH, newW), v => Assert.Equal(0.3f, v, 5));
        var ramp = Enumerable.Range(0, h * w).Select(i => (float)i).ToArray();
        Assert.Equal(ramp, DigitImage.Resize(ramp, h, w, h, w));
    }

    [Fact]
    public void Prepare_gives_a_white_digit_on_black_whatever_the_picture()
    {
        // A dark stroke on a light page: inverted, then stretched so the stroke is 1 and the page 0.
        byte[] page = [230, 230, 230, 40, 40, 40, 230, 230, 230];
        var grey = DigitImage.Prepare(PngImage.FromGrey(page, 3, 3), 3, 3);
        Assert.Equal([0f, 0f, 0f, 1f, 1f, 1f, 0f, 0f, 0f], grey);

        // Already white on black: kept, only stretched (51 -> 0, 204 -> 1).
        grey = DigitImage.Prepare(PngImage.FromGrey([51, 204, 51, 51], 2, 2), 2, 2);
        Assert.Equal([0f, 1f, 0f, 0f], grey);

        // Black strokes on a transparent background (a drawing app's export): transparency counts as white.
        var rgba = new byte[4 * 4];
        rgba[4 * 1 + 3] = 255; // pixel 1 opaque black, the rest transparent
        grey = DigitImage.Prepare(new PngImage(2, 2, rgba), 2, 2);
        Assert.Equal([0f, 1f, 0f, 0f], grey);
    }

    [Fact]
    public void Bad_sizes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => DigitImage.Resize([1f, 2f], 1, 2, 0, 4));
        Assert.Throws<ArgumentException>(() => DigitImage.Resize([1f, 2f], 2, 2, 4, 4));
    }
}
