using System.Globalization;

namespace Nabla.Cli.Reports;

/// <summary>
/// A grid of coloured cells, white for the smallest value to dark blue for the largest, each cell showing its value.
/// The size follows from the cell size (default: about 480 pixels across, cells between 22 and 56 pixels).
/// </summary>
public sealed class HeatmapChart : SvgChart
{
    private const double Pad = 12, TitleHeight = 24, AxisTitleHeight = 18;
    private readonly double[,] _values;
    private readonly string[] _rowLabels, _columnLabels;
    private double _cell;

    internal HeatmapChart(string? title, double[,] values, IReadOnlyList<string>? rowLabels, IReadOnlyList<string>? columnLabels, string? rowTitle, string? columnTitle)
        : base(title, 0, 0)
    {
        ArgumentNullException.ThrowIfNull(values);
        var (rows, columns) = (values.GetLength(0), values.GetLength(1));
        if (rowLabels is not null && rowLabels.Count != rows) throw new ArgumentException($"HeatmapChart: {rowLabels.Count} row labels for {rows} rows.");
        if (columnLabels is not null && columnLabels.Count != columns) throw new ArgumentException($"HeatmapChart: {columnLabels.Count} column labels for {columns} columns.");
        _values = (double[,])values.Clone();
        _rowLabels = rowLabels is null ? [.. Enumerable.Range(0, rows).Select(Invariant)] : [.. rowLabels];
        _columnLabels = columnLabels is null ? [.. Enumerable.Range(0, columns).Select(Invariant)] : [.. columnLabels];
        (RowTitle, ColumnTitle) = (rowTitle, columnTitle);
        CellSize(Math.Clamp(480.0 / Math.Max(1, Math.Max(rows, columns)), 22, 56));
    }

    public string? RowTitle { get; }
    public string? ColumnTitle { get; }

    /// <summary>The side of one cell in pixels; the chart's size follows.</summary>
    public HeatmapChart CellSize(double pixels)
    {
        if (!(pixels >= 8 && pixels <= 400)) throw new ArgumentException($"HeatmapChart: cell size must be between 8 and 400 pixels; got {pixels}.");
        _cell = pixels;
        Width = (int)Math.Ceiling(Left + _columnLabels.Length * _cell + Pad);
        Height = (int)Math.Ceiling(Top + _rowLabels.Length * _cell + Pad);
        return this;
    }

    private double Left => Pad + (string.IsNullOrEmpty(RowTitle) ? 0 : AxisTitleHeight) + _rowLabels.Select(l => SvgWriter.TextWidth(l)).DefaultIfEmpty(0).Max() + 8;
    private double Top => Pad + (string.IsNullOrEmpty(Title) ? 0 : TitleHeight) + (string.IsNullOrEmpty(ColumnTitle) ? 0 : AxisTitleHeight) + 18;

    public override string ToSvg()
    {
        var (rows, columns) = (_values.GetLength(0), _values.GetLength(1));
        var finite = _values.Cast<double>().Where(double.IsFinite).ToList();
        var low = Math.Min(0, finite.DefaultIfEmpty(0).Min());
        var high = finite.DefaultIfEmpty(0).Max();
        var (left, top) = (Left, Top);
        var svg = new SvgWriter(Width, Height, Title);
        if (!string.IsNullOrEmpty(Title))
        {
            svg.Text(Title, ("class", "title"), ("x", Width / 2.0), ("y", Pad + 14), ("text-anchor", "middle"), ("font-size", 15), ("font-weight", "bold"));
        }
        if (!string.IsNullOrEmpty(ColumnTitle))
        {
            svg.Text(ColumnTitle, ("class", "axis-label"), ("x", left + columns * _cell / 2), ("y", top - 22), ("text-anchor", "middle"));
        }
        if (!string.IsNullOrEmpty(RowTitle))
        {
            var (cx, cy) = (Pad + 10, top + rows * _cell / 2);
            svg.Text(RowTitle, ("class", "axis-label"), ("x", cx), ("y", cy), ("text-anchor", "middle"), ("transform", $"rotate(-90 {SvgWriter.Number(cx)} {SvgWriter.Number(cy)})"));
        }
        for (var j = 0; j < columns; j++) svg.Text(_columnLabels[j], ("class", "column-label"), ("x", left + (j + 0.5) * _cell), ("y", top - 6), ("text-anchor", "middle"));
        for (var i = 0; i < rows; i++) svg.Text(_rowLabels[i], ("class", "row-label"), ("x", left - 6), ("y", top + (i + 0.5) * _cell + 4), ("text-anchor", "end"));
        var fontSize = Math.Min(12, _cell * 0.36);
        for (var i = 0; i < rows; i++)
        for (var j = 0; j < columns; j++)
        {
            var value = _values[i, j];
            var t = !double.IsFinite(value) || high <= low ? 0 : (value - low) / (high - low);
            var (x, y) = (left + j * _cell, top + i * _cell);
            var label = double.IsFinite(value) ? BarChart.Format(value) : "n/a";
            svg.Tooltip("rect", $"{RowTitle ?? "row"} {_rowLabels[i]}, {ColumnTitle ?? "column"} {_columnLabels[j]}: {label}", ("class", "cell"), ("data-row", i), ("data-column", j), ("data-value", double.IsFinite(value) ? value : null),
                ("x", x), ("y", y), ("width", _cell), ("height", _cell), ("fill", Color(t)), ("stroke", "white"));
            svg.Text(label, ("class", "cell-value"), ("x", x + _cell / 2), ("y", y + _cell / 2 + fontSize * 0.35), ("text-anchor", "middle"),
                ("font-size", fontSize), ("fill", t > 0.55 ? "white" : "#222"));
        }
        return svg.Finish();
    }

    /// <summary>Linear blend from near-white (t = 0) to dark blue (t = 1).</summary>
    internal static string Color(double t)
    {
        t = Math.Clamp(t, 0, 1);
        int Mix(int a, int b) => (int)Math.Round(a + (b - a) * t);
        return $"#{Mix(0xf7, 0x08):x2}{Mix(0xfb, 0x30):x2}{Mix(0xff, 0x6b):x2}";
    }

    private static string Invariant(int i) => i.ToString(CultureInfo.InvariantCulture);
}
