using System.Globalization;

namespace Nabla.Cli.Reports;

/// <summary>Vertical bars from zero, one per label, each with its value written above (below for negative values).</summary>
public sealed class BarChart : SvgChart
{
    private readonly string[] _labels;
    private readonly double[] _values;
    private int? _highlight;

    internal BarChart(string? title, IReadOnlyList<string> labels, IReadOnlyList<double> values, string? xLabel, string? yLabel) : base(title, 480, 300)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(values);
        if (labels.Count != values.Count) throw new ArgumentException($"BarChart: {labels.Count} labels and {values.Count} values; expected one value per label.");
        (_labels, _values, XLabel, YLabel) = ([.. labels], [.. values], xLabel, yLabel);
    }

    public string? XLabel { get; }
    public string? YLabel { get; }

    /// <summary>Draws bar <paramref name="index"/> in a second colour (e.g. the predicted class).</summary>
    public BarChart Highlight(int index)
    {
        if (index < 0 || index >= _labels.Length) throw new ArgumentException($"BarChart: highlight index {index} is outside [0, {_labels.Length}).");
        _highlight = index;
        return this;
    }

    /// <summary>The size in pixels (default 480 x 300).</summary>
    public BarChart Size(int width, int height)
    {
        SetSize(width, height);
        return this;
    }

    public override string ToSvg()
    {
        var finite = _values.Where(double.IsFinite).ToList();
        var yTicks = Ticks.Linear(Math.Min(0, finite.DefaultIfEmpty(0).Min()), Math.Max(0, finite.DefaultIfEmpty(1).Max()), Math.Max(2, Height / 70));
        var frame = new ChartFrame(Width, Height, Title, [], yTicks, XLabel, YLabel);
        var svg = frame.Begin();
        var slot = frame.PlotWidth / Math.Max(1, _labels.Length);
        var zero = frame.PixelY(0);
        svg.Open("g", ("class", "x-axis"));
        for (var i = 0; i < _labels.Length; i++) frame.XTick(svg, frame.Left + (i + 0.5) * slot, _labels[i], null, grid: false);
        svg.Close("g");
        frame.PlotArea(svg);
        svg.Open("g", ("class", "bars"));
        for (var i = 0; i < _labels.Length; i++)
        {
            var value = _values[i];
            var x = frame.Left + i * slot + slot * 0.15;
            if (!double.IsFinite(value))
            {
                svg.Text("n/a", ("class", "bar-value"), ("x", x + slot * 0.35), ("y", zero - 4), ("text-anchor", "middle"));
                continue;
            }
            var top = frame.PixelY(value);
            svg.Element("rect", ("class", "bar"), ("data-label", _labels[i]), ("data-value", value), ("x", x), ("y", Math.Min(top, zero)),
                ("width", slot * 0.7), ("height", Math.Abs(zero - top)), ("fill", Palette[i == _highlight ? 1 : 0]));
            svg.Text(Format(value), ("class", "bar-value"), ("x", x + slot * 0.35), ("y", value >= 0 ? top - 4 : top + 13), ("text-anchor", "middle"), ("font-size", 11));
        }
        svg.Close("g");
        return svg.Finish();
    }

    /// <summary>A value label: whole numbers plainly, others with three decimals below 1 and two above.</summary>
    internal static string Format(double value) =>
        value == Math.Round(value) && Math.Abs(value) < 1e15 ? value.ToString("0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 1000 ? value.ToString("0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 1 ? value.ToString("0.##", CultureInfo.InvariantCulture)
        : value.ToString("0.###", CultureInfo.InvariantCulture);
}
