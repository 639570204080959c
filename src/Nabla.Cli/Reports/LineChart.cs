using System.Text;

namespace Nabla.Cli.Reports;

/// <summary>
/// Named series of (x, y) points joined by lines. A NaN or infinite value (or, on a log axis, a value &lt;= 0)
/// breaks its line: the points either side are not joined, and nothing invalid reaches the SVG.
/// </summary>
public sealed class LineChart : SvgChart
{
    private readonly List<(string Name, double[] X, double[] Y, bool Dashed)> _series = [];
    private bool _logY, _integerX;
    private bool? _markers;

    internal LineChart(string? title, string? xLabel, string? yLabel) : base(title, 640, 360) => (XLabel, YLabel) = (xLabel, yLabel);

    public string? XLabel { get; }
    public string? YLabel { get; }

    /// <summary>Adds a series; <paramref name="xs"/> and <paramref name="ys"/> must have the same length.</summary>
    public LineChart Series(string name, IReadOnlyList<double> xs, IReadOnlyList<double> ys, bool dashed = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(ys);
        if (xs.Count != ys.Count) throw new ArgumentException($"LineChart: series '{name}' has {xs.Count} x values and {ys.Count} y values; expected the same number.");
        _series.Add((name, [.. xs], [.. ys], dashed));
        return this;
    }

    /// <summary>Adds a series at x = 1, 2, ..., n (e.g. one value per epoch).</summary>
    public LineChart Series(string name, IReadOnlyList<double> ys, bool dashed = false)
    {
        ArgumentNullException.ThrowIfNull(ys);
        return Series(name, [.. Enumerable.Range(1, ys.Count).Select(i => (double)i)], ys, dashed);
    }

    /// <summary>Adds a series of single-precision values (e.g. from <see cref="Tensor.ToArray"/>).</summary>
    public LineChart Series(string name, IReadOnlyList<float> xs, IReadOnlyList<float> ys, bool dashed = false) =>
        Series(name, [.. xs.Select(v => (double)v)], [.. ys.Select(v => (double)v)], dashed);

    /// <summary>Adds a single-precision series at x = 1, 2, ..., n.</summary>
    public LineChart Series(string name, IReadOnlyList<float> ys, bool dashed = false) => Series(name, [.. ys.Select(v => (double)v)], dashed);

    /// <summary>A logarithmic y axis (ticks at powers of ten); values &lt;= 0 break the line.</summary>
    public LineChart LogY(bool log = true)
    {
        _logY = log;
        return this;
    }

    /// <summary>Ticks only at whole numbers on the x axis (epochs, steps).</summary>
    public LineChart IntegerX(bool integer = true)
    {
        _integerX = integer;
        return this;
    }

    /// <summary>Draws a dot at every point (default: only when every series has at most 50 points).</summary>
    public LineChart Markers(bool markers = true)
    {
        _markers = markers;
        return this;
    }

    /// <summary>The size in pixels (default 640 x 360).</summary>
    public LineChart Size(int width, int height)
    {
        SetSize(width, height);
        return this;
    }

    private bool Usable(double x, double y) => double.IsFinite(x) && double.IsFinite(y) && (!_logY || y > 0);

    public override string ToSvg()
    {
        var points = _series.SelectMany(s => s.X.Zip(s.Y)).Where(p => Usable(p.First, p.Second)).ToList();
        var xTicks = points.Count == 0 ? Ticks.Linear(0, 1, integers: _integerX)
            : Ticks.Linear(points.Min(p => p.First), points.Max(p => p.First), Math.Max(2, Width / 110), _integerX);
        var yTicks = points.Count == 0 ? (_logY ? Ticks.Log(1, 10) : Ticks.Linear(0, 1))
            : _logY ? Ticks.Log(points.Min(p => p.Second), points.Max(p => p.Second))
            : Ticks.Linear(points.Min(p => p.Second), points.Max(p => p.Second), Math.Max(2, Height / 70));
        var frame = new ChartFrame(Width, Height, Title, [.. _series.Select(s => s.Name)], yTicks, XLabel, YLabel);
        var svg = frame.Begin(dashed: [.. _series.Select(s => s.Dashed)]);
        double PixelX(double x) => frame.Left + xTicks.Fraction(x) * frame.PlotWidth;

        svg.Open("g", ("class", "x-axis"));
        for (var i = 0; i < xTicks.Values.Count; i++) frame.XTick(svg, PixelX(xTicks.Values[i]), xTicks.Label(i), xTicks.Values[i], grid: true);
        svg.Close("g");
        frame.PlotArea(svg);

        var markers = _markers ?? _series.All(s => s.X.Length <= 50);
        for (var s = 0; s < _series.Count; s++)
        {
            var (name, xs, ys, dashed) = _series[s];
            var color = Palette[s % Palette.Length];
            var path = new StringBuilder();
            var penDown = false;
            var dots = new List<(double X, double Y)>();
            for (var i = 0; i < xs.Length; i++)
            {
                if (!Usable(xs[i], ys[i]))
                {
                    penDown = false;
                    continue;
                }
                var (px, py) = (PixelX(xs[i]), frame.PixelY(ys[i]));
                path.Append(path.Length == 0 ? "" : " ").Append(penDown ? 'L' : 'M').Append(SvgWriter.Number(px)).Append(' ').Append(SvgWriter.Number(py));
                // A point with no usable neighbour draws no line, so it always gets a dot.
                var alone = (i == 0 || !Usable(xs[i - 1], ys[i - 1])) && (i == xs.Length - 1 || !Usable(xs[i + 1], ys[i + 1]));
                if (markers || alone) dots.Add((px, py));
                penDown = true;
            }
            svg.Open("g", ("class", "series"), ("data-series", name));
            if (path.Length > 0)
            {
                svg.Element("path", ("d", path.ToString()), ("fill", "none"), ("stroke", color), ("stroke-width", 2),
                    ("stroke-linejoin", "round"), ("stroke-dasharray", dashed ? "6 3" : null));
            }
            foreach (var (px, py) in dots) svg.Element("circle", ("cx", px), ("cy", py), ("r", 2.5), ("fill", color));
            svg.Close("g");
        }
        return svg.Finish();
    }
}
