using Nabla.Serving.Images;

namespace Nabla.Cli.Reports;

/// <summary>
/// Grey-scale images in rows, each embedded as a PNG data URI (a few hundred bytes for a 28x28 digit, where one
/// SVG rectangle per pixel would take tens of kilobytes) and drawn with sharp pixels, with a caption underneath.
/// </summary>
public sealed class ImageGridChart : SvgChart
{
    private const double Pad = 12, TitleHeight = 24, CaptionHeight = 16, Gap = 10, CaptionFont = 10;
    private readonly byte[][] _pixels;
    private readonly string[] _captions;
    private readonly int _rows, _imageHeight, _imageWidth, _columns, _scale;

    internal ImageGridChart(string? title, Tensor images, IReadOnlyList<string>? captions, int columns, int scale) : base(title, 0, 0)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (!(images.Rank == 3 || (images.Rank == 4 && images.Shape[1] == 1)))
        {
            throw new ArgumentException($"ImageGridChart: expected grey images [N, 1, H, W] or [N, H, W]; got {images.Shape}.");
        }
        var n = images.Shape[0];
        (_imageHeight, _imageWidth) = (images.Shape[-2], images.Shape[-1]);
        if (captions is not null && captions.Count != n) throw new ArgumentException($"ImageGridChart: {captions.Count} captions for {n} images.");
        if (columns < 1) throw new ArgumentException($"ImageGridChart: columns must be positive; got {columns}.");
        if (scale < 1 || scale > 32) throw new ArgumentException($"ImageGridChart: scale must be between 1 and 32; got {scale}.");
        _pixels = ToBytes(images.ToArray(), n, _imageHeight * _imageWidth);
        _captions = captions is null ? [.. Enumerable.Repeat("", n)] : [.. captions];
        (_columns, _scale) = (Math.Max(1, Math.Min(columns, n)), scale);
        _rows = (n + _columns - 1) / _columns;
        Width = (int)Math.Ceiling(Math.Max(2 * Pad + _columns * CellWidth - Gap, string.IsNullOrEmpty(title) ? 0 : SvgWriter.TextWidth(title, 15) + 2 * Pad));
        Height = (int)Math.Ceiling(Top + _rows * CellHeight - Gap + Pad);
    }

    /// <summary>The number of images.</summary>
    public int Count => _pixels.Length;

    private double CellWidth => Math.Max(_imageWidth * _scale, _captions.Select(c => SvgWriter.TextWidth(c, CaptionFont)).DefaultIfEmpty(0).Max()) + Gap;
    private double CellHeight => _imageHeight * _scale + (_captions.Any(c => c.Length > 0) ? CaptionHeight : 0) + Gap;
    private double Top => Pad + (string.IsNullOrEmpty(Title) ? 0 : TitleHeight);

    public override string ToSvg()
    {
        var svg = new SvgWriter(Width, Height, Title);
        if (!string.IsNullOrEmpty(Title))
        {
            svg.Text(Title, ("class", "title"), ("x", Width / 2.0), ("y", Pad + 14), ("text-anchor", "middle"), ("font-size", 15), ("font-weight", "bold"));
        }
        var (w, h) = (_imageWidth * _scale, _imageHeight * _scale);
        for (var i = 0; i < _pixels.Length; i++)
        {
            var x = Pad + i % _columns * CellWidth + (CellWidth - Gap - w) / 2;
            var y = Top + i / _columns * CellHeight;
            var png = Png.EncodeGrey(_pixels[i], _imageWidth, _imageHeight);
            svg.Open("g", ("class", "image"), ("data-index", i));
            svg.Element("image", ("x", x), ("y", y), ("width", w), ("height", h), ("preserveAspectRatio", "none"),
                ("style", "image-rendering: pixelated"), ("href", "data:image/png;base64," + Convert.ToBase64String(png)));
            if (_captions[i].Length > 0)
            {
                svg.Text(_captions[i], ("class", "caption"), ("x", x + w / 2.0), ("y", y + h + 12), ("text-anchor", "middle"), ("font-size", CaptionFont));
            }
            svg.Close("g");
        }
        return svg.Finish();
    }

    /// <summary>0..1 maps to 0..255 as it is; any other range is stretched from its minimum to its maximum; NaN is black.</summary>
    private static byte[][] ToBytes(float[] values, int n, int size)
    {
        var finite = values.Where(float.IsFinite).DefaultIfEmpty(0f).ToArray();
        var (low, high) = (finite.Min(), finite.Max());
        if (low >= 0 && high <= 1) (low, high) = (0, 1);
        var span = high > low ? high - low : 1;
        var images = new byte[n][];
        for (var i = 0; i < n; i++)
        {
            images[i] = new byte[size];
            for (var j = 0; j < size; j++)
            {
                var v = values[i * size + j];
                images[i][j] = float.IsFinite(v) ? (byte)Math.Round(Math.Clamp((v - low) / span, 0, 1) * 255) : (byte)0;
            }
        }
        return images;
    }
}
