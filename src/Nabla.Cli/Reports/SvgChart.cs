using Nabla.Serialization;

namespace Nabla.Cli.Reports;

/// <summary>
/// Small standalone SVG charts for run reports and concept demos, built fluently:
/// <code>SvgChart.Line("Loss", xLabel: "epoch", yLabel: "loss").Series("train", xs, ys).Series("validation", xs, ys2).ToSvg()</code>
/// Every chart is one <c>&lt;svg&gt;</c> document with no external references, so it can be saved as a file or
/// pasted into an HTML page as it is.
/// </summary>
public abstract class SvgChart
{
    /// <summary>Series colours, in order (a colour-blind-aware qualitative palette).</summary>
    internal static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private protected SvgChart(string? title, int width, int height)
    {
        Title = title;
        (Width, Height) = (width, height);
    }

    public string? Title { get; }
    public int Width { get; private protected set; }
    public int Height { get; private protected set; }

    /// <summary>A line chart of named series over a shared x axis.</summary>
    public static LineChart Line(string? title = null, string? xLabel = null, string? yLabel = null) => new(title, xLabel, yLabel);

    /// <summary>A bar chart: one bar per label (e.g. the probability of each class).</summary>
    public static BarChart Bar(string? title, IReadOnlyList<string> labels, IReadOnlyList<double> values, string? xLabel = null, string? yLabel = null) =>
        new(title, labels, values, xLabel, yLabel);

    /// <summary>A heatmap of <paramref name="values"/>[row, column] with the value written in each cell (e.g. a confusion matrix).</summary>
    public static HeatmapChart Heatmap(string? title, double[,] values, IReadOnlyList<string>? rowLabels = null, IReadOnlyList<string>? columnLabels = null,
        string? rowTitle = null, string? columnTitle = null) => new(title, values, rowLabels, columnLabels, rowTitle, columnTitle);

    /// <summary>A heatmap of counts, e.g. <see cref="Nabla.Training.ConfusionMatrix.Counts"/> (rows: actual, columns: predicted).</summary>
    public static HeatmapChart Heatmap(string? title, long[,] counts, IReadOnlyList<string>? rowLabels = null, IReadOnlyList<string>? columnLabels = null,
        string? rowTitle = null, string? columnTitle = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var values = new double[counts.GetLength(0), counts.GetLength(1)];
        for (var i = 0; i < values.GetLength(0); i++)
        for (var j = 0; j < values.GetLength(1); j++) values[i, j] = counts[i, j];
        return new HeatmapChart(title, values, rowLabels, columnLabels, rowTitle, columnTitle);
    }

    /// <summary>
    /// A grid of grey-scale images <paramref name="images"/> [N, 1, H, W] or [N, H, W], each with an optional caption
    /// (e.g. "pred 3 / true 5"). Values in [0, 1] are shown as they are (0 black, 1 white); other ranges are stretched.
    /// </summary>
    public static ImageGridChart ImageGrid(string? title, Tensor images, IReadOnlyList<string>? captions = null, int columns = 6, int scale = 2) =>
        new(title, images, captions, columns, scale);

    /// <summary>The chart as a standalone SVG document.</summary>
    public abstract string ToSvg();

    /// <summary>Writes the SVG to <paramref name="path"/> (atomically).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToSvg());

    public override string ToString() => ToSvg();

    private protected void SetSize(int width, int height, int minWidth = 120, int minHeight = 80)
    {
        if (width < minWidth || height < minHeight)
        {
            throw new ArgumentException($"{GetType().Name}: size {width}x{height} is too small; expected at least {minWidth}x{minHeight} pixels.");
        }
        (Width, Height) = (width, height);
    }
}
