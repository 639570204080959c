namespace Nabla.Cli.Reports;

/// <summary>
/// The parts line and bar charts share: title, legend row, plot area, grid lines with tick labels, axis labels.
/// The plot area is written as <c>&lt;rect class="plot-area"&gt;</c> so readers (and tests) can map values to pixels.
/// </summary>
internal sealed class ChartFrame
{
    private const double TitleHeight = 24, LegendHeight = 20, TickLabelHeight = 18, AxisLabelHeight = 18, Pad = 12;

    public ChartFrame(int width, int height, string? title, IReadOnlyList<string> legend, AxisTicks y, string? xLabel, string? yLabel)
    {
        (Width, Height, Title, Legend, Y, XLabel, YLabel) = (width, height, title, legend, y, xLabel, yLabel);
        var yTickWidth = Enumerable.Range(0, y.Values.Count).Select(i => SvgWriter.TextWidth(y.Label(i))).DefaultIfEmpty(0).Max();
        Left = Pad + (string.IsNullOrEmpty(yLabel) ? 0 : AxisLabelHeight) + yTickWidth + 6;
        Top = Pad + (string.IsNullOrEmpty(title) ? 0 : TitleHeight) + (legend.Count == 0 ? 0 : LegendHeight);
        var right = width - Pad - 4;
        var bottom = height - Pad - TickLabelHeight - (string.IsNullOrEmpty(xLabel) ? 0 : AxisLabelHeight);
        (PlotWidth, PlotHeight) = (Math.Max(10, right - Left), Math.Max(10, bottom - Top));
    }

    public int Width { get; }
    public int Height { get; }
    public string? Title { get; }
    public IReadOnlyList<string> Legend { get; }
    public AxisTicks Y { get; }
    public string? XLabel { get; }
    public string? YLabel { get; }
    public double Left { get; }
    public double Top { get; }
    public double PlotWidth { get; }
    public double PlotHeight { get; }
    public double Bottom => Top + PlotHeight;
    public double Right => Left + PlotWidth;

    /// <summary>The pixel row of value <paramref name="y"/> (the y axis points down in SVG).</summary>
    public double PixelY(double y) => Bottom - Y.Fraction(y) * PlotHeight;

    /// <summary>Writes title, legend (one swatch per entry in palette order), y grid and labels; the caller adds the x axis and the marks.</summary>
    public SvgWriter Begin(IReadOnlyList<string>? legendColors = null, IReadOnlyList<bool>? dashed = null)
    {
        var svg = new SvgWriter(Width, Height, Title);
        if (!string.IsNullOrEmpty(Title))
        {
            svg.Text(Title, ("class", "title"), ("x", Width / 2.0), ("y", Pad + 14), ("text-anchor", "middle"), ("font-size", 15), ("font-weight", "bold"));
        }
        if (Legend.Count > 0)
        {
            var y = Top - LegendHeight / 2;
            var x = Left;
            svg.Open("g", ("class", "legend"));
            for (var i = 0; i < Legend.Count; i++)
            {
                var color = legendColors?[i] ?? SvgChart.Palette[i % SvgChart.Palette.Length];
                svg.Element("line", ("x1", x), ("y1", y), ("x2", x + 20), ("y2", y), ("stroke", color), ("stroke-width", 2.5),
                    ("stroke-dasharray", dashed is not null && dashed[i] ? "6 3" : null));
                svg.Text(Legend[i], ("class", "legend-label"), ("x", x + 25), ("y", y + 4));
                x += 25 + SvgWriter.TextWidth(Legend[i]) + 18;
            }
            svg.Close("g");
        }
        svg.Open("g", ("class", "y-axis"));
        for (var i = 0; i < Y.Values.Count; i++)
        {
            var py = PixelY(Y.Values[i]);
            svg.Element("line", ("class", "grid"), ("data-value", Y.Values[i]), ("x1", Left), ("y1", py), ("x2", Right), ("y2", py), ("stroke", "#e6e6e6"));
            svg.Text(Y.Label(i), ("class", "tick"), ("x", Left - 6), ("y", py + 4), ("text-anchor", "end"));
        }
        svg.Close("g");
        if (!string.IsNullOrEmpty(YLabel))
        {
            var cx = Pad + 10;
            var cy = Top + PlotHeight / 2;
            svg.Text(YLabel, ("class", "axis-label"), ("x", cx), ("y", cy), ("text-anchor", "middle"), ("transform", $"rotate(-90 {SvgWriter.Number(cx)} {SvgWriter.Number(cy)})"));
        }
        if (!string.IsNullOrEmpty(XLabel))
        {
            svg.Text(XLabel, ("class", "axis-label"), ("x", Left + PlotWidth / 2), ("y", Height - Pad), ("text-anchor", "middle"));
        }
        return svg;
    }

    /// <summary>A label under the plot area at pixel column <paramref name="px"/>, with an optional vertical grid line.</summary>
    public void XTick(SvgWriter svg, double px, string label, double? value, bool grid)
    {
        if (grid) svg.Element("line", ("class", "grid"), ("data-value", value), ("x1", px), ("y1", Top), ("x2", px), ("y2", Bottom), ("stroke", "#e6e6e6"));
        svg.Text(label, ("class", "tick"), ("x", px), ("y", Bottom + 15), ("text-anchor", "middle"));
    }

    /// <summary>The frame around the plot area (drawn over the grid, under the marks).</summary>
    public void PlotArea(SvgWriter svg) =>
        svg.Element("rect", ("class", "plot-area"), ("x", Left), ("y", Top), ("width", PlotWidth), ("height", PlotHeight), ("fill", "none"), ("stroke", "#999"));
}
