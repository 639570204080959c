using System.IO.Compression;
using System.Text;
using Nabla.Serving.Images;

namespace Nabla.Tests.Reports;

public class PngTests
{
    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0u, Crc32.Compute([]));
        // IEND's CRC is the same in every PNG file: AE 42 60 82.
        Assert.Equal(0xAE426082u, Crc32.Compute("IEND"u8));
        Assert.Equal(Crc32.Compute("123456789"u8), Crc32.Append(Crc32.Compute("1234"u8), "56789"u8));
    }

    // 1x1 RGBA files as they circulate on the web (base64 in many projects' tests), made by other encoders; the pixel
    // was read off with Python's zlib (filter byte 1 = Sub, which leaves a single pixel unchanged).
    [Theory]
    [InlineData("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", 255, 0, 0, 127)]
    [InlineData("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==", 255, 255, 0, 127)]
    [InlineData("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", 0, 0, 255, 127)]
    public void Decodes_tiny_pngs_made_elsewhere(string base64, int r, int g, int b, int a)
    {
        var image = Png.Decode(Convert.FromBase64String(base64));
        Assert.Equal((1, 1), (image.Width, image.Height));
        Assert.Equal(new byte[] { (byte)r, (byte)g, (byte)b, (byte)a }, image.Rgba);
    }

    // A 2x2 grey image [[10, 20], [30, 45]] with each filter on both rows; residuals worked out by hand from the spec's
    // predictors (a = left, b = up, c = up-left; outside the image 0):
    //   Sub:     row 0: 10, 20-10;            row 1: 30, 45-30
    //   Up:      row 0: 10, 20;               row 1: 30-10, 45-20
    //   Average: row 0: 10, 20-(10+0)/2;      row 1: 30-(0+10)/2, 45-(30+20)/2
    //   Paeth:   row 0: 10, 20-10 (a);        row 1: 30-10 (b: p=10, pb=0), 45-30 (a: p=40, pa=10 < pb=20 < pc=30)
    [Theory]
    [InlineData(PngFilter.None, new byte[] { 0, 10, 20, 0, 30, 45 })]
    [InlineData(PngFilter.Sub, new byte[] { 1, 10, 10, 1, 30, 15 })]
    [InlineData(PngFilter.Up, new byte[] { 2, 10, 20, 2, 20, 25 })]
    [InlineData(PngFilter.Average, new byte[] { 3, 10, 15, 3, 25, 20 })]
    [InlineData(PngFilter.Paeth, new byte[] { 4, 10, 10, 4, 20, 15 })]
    public void Filters_match_hand_worked_scanlines(PngFilter filter, byte[] scanlines)
    {
        var decoded = Png.Decode(PngBytes.File(PngBytes.Header(2, 2, 8, 0), scanlines));
        Assert.Equal(new byte[] { 10, 20, 30, 45 }, Grey(decoded));

        // The encoder writes exactly these scanlines when told to use the filter.
        var encoded = Png.Encode(PngImage.FromGrey([10, 20, 30, 45], 2, 2), PngColorType.Grey, filter);
        Assert.Equal(scanlines, Inflate(encoded));
    }

    [Fact]
    public void Filter_arithmetic_wraps_modulo_256()
    {
        // [200, 100] with Sub: 100 - 200 = -100 = 156 (mod 256). Average of 255 and 255 is 255, not 127 (no 8-bit overflow).
        Assert.Equal(new byte[] { 200, 100 }, Grey(Png.Decode(PngBytes.File(PngBytes.Header(2, 1, 8, 0), [1, 200, 156]))));
        Assert.Equal(new byte[] { 255, 255, 255, 255 }, Grey(Png.Decode(PngBytes.File(PngBytes.Header(2, 2, 8, 0), [0, 255, 255, 3, 128, 0]))));
    }

    [Fact]
    public void Decodes_low_and_high_bit_depths_palettes_and_transparency()
    {
        // 1-bit grey, 3 pixels 1 0 1 packed from the high bit: 1010 0000.
        Assert.Equal(new byte[] { 255, 0, 255 }, Grey(Png.Decode(PngBytes.File(PngBytes.Header(3, 1, 1, 0), [0, 0b1010_0000]))));
        // 4-bit grey: 0x5 and 0xF scale to 5 * 17 = 85 and 255.
        Assert.Equal(new byte[] { 85, 255 }, Grey(Png.Decode(PngBytes.File(PngBytes.Header(2, 1, 4, 0), [0, 0x5F]))));
        // 16-bit grey keeps the high byte.
        Assert.Equal(new byte[] { 0x12 }, Grey(Png.Decode(PngBytes.File(PngBytes.Header(1, 1, 16, 0), [0, 0x12, 0x34]))));
        // 2-bit palette: indices 2, 1 (10 01 0000); tRNS gives entry 1 alpha 128, entry 2 (beyond tRNS) stays opaque.
        var palette = PngBytes.Chunk("PLTE", [255, 0, 0, 0, 255, 0, 0, 0, 255]);
        var image = Png.Decode(PngBytes.File(PngBytes.Header(2, 1, 2, 3), [0, 0b1001_0000], palette, PngBytes.Chunk("tRNS", [255, 128])));
        Assert.Equal(new byte[] { 0, 0, 255, 255, 0, 255, 0, 128 }, image.Rgba);
        // Grey with a tRNS colour key: grey 7 is transparent.
        image = Png.Decode(PngBytes.File(PngBytes.Header(2, 1, 8, 0), [0, 7, 9], PngBytes.Chunk("tRNS", [0, 7])));
        Assert.Equal(new byte[] { 7, 7, 7, 0, 9, 9, 9, 255 }, image.Rgba);
        // RGBA 16-bit and grey + alpha 8-bit.
        image = Png.Decode(PngBytes.File(PngBytes.Header(1, 1, 16, 6), [0, 1, 2, 3, 4, 5, 6, 7, 8]));
        Assert.Equal(new byte[] { 1, 3, 5, 7 }, image.Rgba);
        image = Png.Decode(PngBytes.File(PngBytes.Header(1, 1, 8, 4), [0, 40, 200]));
        Assert.Equal(new byte[] { 40, 40, 40, 200 }, image.Rgba);
    }

    [Fact]
    public void Image_data_split_over_several_idat_chunks_is_joined()
    {
        var zlib = PngBytes.Stored([0, 10, 20, 0, 30, 45]);
        byte[] png = [.. PngBytes.Signature, .. PngBytes.Chunk("IHDR", PngBytes.Header(2, 2, 8, 0)), .. PngBytes.Chunk("tEXt", "Comment\0hi"u8.ToArray()),
            .. PngBytes.Chunk("IDAT", zlib[..5]), .. PngBytes.Chunk("IDAT", zlib[5..]), .. PngBytes.Chunk("IEND", [])];
        Assert.Equal(new byte[] { 10, 20, 30, 45 }, Grey(Png.Decode(png)));
    }

    public static TheoryData<PngColorType, PngFilter?> ColorTypesAndFilters()
    {
        var data = new TheoryData<PngColorType, PngFilter?>();
        foreach (var color in Enum.GetValues<PngColorType>())
        {
            foreach (var filter in Enum.GetValues<PngFilter>()) data.Add(color, filter);
            data.Add(color, null);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ColorTypesAndFilters))]
    public void Round_trips_every_colour_type_and_filter(PngColorType colorType, PngFilter? filter)
    {
        // 7x5 with gradients (residuals of every sign) and, where the type can hold it, colour and alpha.
        const int w = 7, h = 5;
        var rgba = new byte[4 * w * h];
        for (var y = 0; y < h; y++)
        for (var x = 0; x < w; x++)
        {
            var i = 4 * (y * w + x);
            var grey = (x * 37 + y * 91) % 256;
            var (r, g, b, a) = colorType switch
            {
                PngColorType.Grey => (grey, grey, grey, 255),
                PngColorType.GreyAlpha => (grey, grey, grey, 255 - x * 30),
                PngColorType.Rgb => (grey, x * 200 % 256, 255 - y * 50, 255),
                PngColorType.Palette => (x % 3 * 100, y % 2 * 255, 7, x == 0 ? 0 : 255),
                _ => (grey, x * 200 % 256, 255 - y * 50, y * 60),
            };
            (rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]) = ((byte)r, (byte)g, (byte)b, (byte)a);
        }
        var png = Png.Encode(new PngImage(w, h, rgba), colorType, filter);
        var chunks = PngBytes.Chunks(png);
        Assert.Equal("IHDR", chunks[0].Type);
        Assert.Equal((byte)colorType, chunks[0].Data[9]);
        Assert.Equal("IEND", chunks[^1].Type);
        if (filter is { } f) Assert.All(Enumerable.Range(0, h), y => Assert.Equal((byte)f, Inflate(png)[y * (w * Channels(colorType) + 1)]));

        var decoded = Png.Decode(png);
        Assert.Equal((w, h), (decoded.Width, decoded.Height));
        Assert.Equal(rgba, decoded.Rgba);
    }

    [Fact]
    public void A_palette_of_more_than_256_colours_is_refused()
    {
        var rgba = new byte[4 * 300];
        for (var i = 0; i < 300; i++) (rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 3]) = ((byte)i, (byte)(i >> 8), 255);
        var e = Assert.Throws<ArgumentException>(() => Png.Encode(new PngImage(300, 1, rgba), PngColorType.Palette));
        Assert.Contains("256", e.Message);
    }

    public static TheoryData<string, string> CorruptFiles()
    {
        var good = Png.Encode(PngImage.FromGrey([10, 20, 30, 45], 2, 2), PngColorType.Grey);
        var idat = PngBytes.Chunks(good).First(c => c.Type == "IDAT");
        var badCrc = (byte[])good.Clone();
        badCrc[idat.Offset + 9] ^= 0x40;
        var badSignature = (byte[])good.Clone();
        badSignature[1] = (byte)'J';
        return new TheoryData<string, string>
        {
            { Convert.ToBase64String(badSignature), "not a PNG file" },
            { Convert.ToBase64String("GIF89a\0\0\0\0"u8.ToArray()), "not a PNG file" },
            { Convert.ToBase64String(badCrc), "bad CRC in chunk 'IDAT'" },
            { Convert.ToBase64String(good[..(idat.Offset + 10)]), "truncated chunk 'IDAT'" },
            { Convert.ToBase64String(good[..^12]), "ends before the IEND chunk" },
            { Convert.ToBase64String(PngBytes.File(PngBytes.Header(2, 2, 3, 0), [0, 0, 0, 0])), "unsupported bit depth 3 for colour type 0" },
            { Convert.ToBase64String(PngBytes.File(PngBytes.Header(1, 1, 16, 3), [0, 0, 0], PngBytes.Chunk("PLTE", [1, 2, 3]))), "unsupported bit depth 16 for colour type 3" },
            { Convert.ToBase64String(PngBytes.File(PngBytes.Header(1, 1, 8, 5), [0, 0])), "unknown colour type 5" },
            { Convert.ToBase64String(PngBytes.File(PngBytes.Header(1, 1, 8, 0, interlace: 1), [0, 0])), "interlaced" },
            { Convert.ToBase64String(PngBytes.File(PngBytes.Header(2, 1, 8, 0), [7, 1, 2])), "unknown filter type 7" },
            { Convert.ToBase64String(PngBytes.File(PngBytes.Header(2, 2, 8, 0), [0, 1, 2])), "truncated image data" },
            { Convert.ToBase64String(PngBytes.File(PngBytes.Header(1, 1, 8, 3), [0, 0])), "without a PLTE chunk" },
            { Convert.ToBase64String(PngBytes.File(PngBytes.Header(1, 1, 8, 3), [0, 5], PngBytes.Chunk("PLTE", [1, 2, 3]))), "palette index 5" },
            { Convert.ToBase64String([.. PngBytes.Signature, .. PngBytes.Chunk("IHDR", PngBytes.Header(1, 1, 8, 0)), .. PngBytes.Chunk("IDAT", [1, 2, 3, 4]), .. PngBytes.Chunk("IEND", [])]), "not valid zlib data" },
            { Convert.ToBase64String([.. PngBytes.Signature, .. PngBytes.Chunk("IHDR", PngBytes.Header(1, 1, 8, 0)), .. PngBytes.Chunk("IEND", [])]), "no image data" },
            { Convert.ToBase64String([.. PngBytes.Signature, .. PngBytes.Chunk("IDAT", [1])]), "first chunk is 'IDAT'" },
            { Convert.ToBase64String(PngBytes.File(PngBytes.Header(1, 1, 8, 0), [0, 0], PngBytes.Chunk("ZZZZ", []))), "unknown critical chunk 'ZZZZ'" },
            { Convert.ToBase64String(PngBytes.File(PngBytes.Header(100_000, 100_000, 8, 0), [0, 0])), "more than the" },
        };
    }

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void Corrupt_files_fail_with_a_clear_message(string base64, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => Png.Decode(Convert.FromBase64String(base64), "digit.png"));
        Assert.StartsWith("digit.png: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    private static byte[] Grey(PngImage image) => [.. image.Rgba.Where((_, i) => i % 4 == 0)];

    private static int Channels(PngColorType colorType) => colorType switch { PngColorType.Rgb => 3, PngColorType.Rgba => 4, PngColorType.GreyAlpha => 2, _ => 1 };

    /// <summary>The scanlines of an encoded PNG: its IDAT data inflated with the runtime's zlib.</summary>
    private static byte[] Inflate(byte[] png)
    {
        var data = PngBytes.Chunks(png).Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
        using var zlib = new ZLibStream(new MemoryStream(data), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        zlib.CopyTo(raw);
        return raw.ToArray();
    }
}
