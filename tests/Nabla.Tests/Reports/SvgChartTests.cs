using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Nabla.Cli.Reports;
using Nabla.Serving.Images;

namespace Nabla.Tests.Reports;

/// <summary>Charts parse as XML, and marks sit where the chart's own plot area and tick values say they should.</summary>
public partial class SvgChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static XElement Parse(string svg)
    {
        var root = XDocument.Parse(svg).Root!;
        Assert.Equal(Svg + "svg", root.Name);
        return root;
    }

    private static double Number(XElement e, string attribute) => double.Parse(e.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);

    private static IEnumerable<XElement> WithClass(XElement root, string name, string cls) =>
        root.Descendants(Svg + name).Where(e => (e.Attribute("class")?.Value ?? "").Split(' ').Contains(cls));

    /// <summary>The plot area and the axis ends (first and last tick value) as the SVG states them.</summary>
    private static (double X, double Y, double W, double H, double X0, double X1, double Y0, double Y1) Frame(XElement root)
    {
        var area = WithClass(root, "rect", "plot-area").Single();
        double[] Ticks(string axis) => [.. WithClass(root, "g", axis).Single().Elements(Svg + "line").Select(l => Number(l, "data-value"))];
        var (xs, ys) = (Ticks("x-axis"), Ticks("y-axis"));
        return (Number(area, "x"), Number(area, "y"), Number(area, "width"), Number(area, "height"), xs[0], xs[^1], ys[0], ys[^1]);
    }

    /// <summary>The polylines of a path "M x y L x y M x y ...": one list of points per M.</summary>
    private static List<List<(double X, double Y)>> Segments(string d)
    {
        var segments = new List<List<(double, double)>>();
        foreach (Match m in PathCommand().Matches(d))
        {
            var point = (double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
            if (m.Groups[1].Value == "M") segments.Add([point]);
            else segments[^1].Add(point);
        }
        return segments;
    }

    [GeneratedRegex(@"([ML])(-?[\d.]+) (-?[\d.]+)")]
    private static partial Regex PathCommand();

    private static XElement SeriesPath(XElement root, string name) =>
        WithClass(root, "g", "series").Single(g => g.Attribute("data-series")!.Value == name).Element(Svg + "path")!;

    [Fact]
    public void Line_points_map_to_the_plot_area_and_nan_breaks_the_line()
    {
        double[] xs = [1, 2, 3, 4];
        double[] train = [0.9, 0.5, 0.35, 0.3];
        double[] validation = [1.0, 0.6, double.NaN, 0.45];
        var svg = SvgChart.Line("Loss", xLabel: "epoch", yLabel: "loss").Series("train", xs, train).Series("validation", xs, validation).ToSvg();
        Assert.DoesNotContain("NaN", svg);
        Assert.DoesNotContain("Infinity", svg);
        var root = Parse(svg);
        var f = Frame(root);
        (double, double) Pixel(double x, double y) => (f.X + (x - f.X0) / (f.X1 - f.X0) * f.W, f.Y + f.H - (y - f.Y0) / (f.Y1 - f.Y0) * f.H);

        Assert.True(f.Y0 <= 0.3 && f.Y1 >= 1.0 && f.X0 <= 1 && f.X1 >= 4, "the axes cover the data");
        var trainLine = Assert.Single(Segments(SeriesPath(root, "train").Attribute("d")!.Value));
        Assert.Equal(4, trainLine.Count);
        for (var i = 0; i < 4; i++) AssertPoint(Pixel(xs[i], train[i]), trainLine[i]);

        var validationLines = Segments(SeriesPath(root, "validation").Attribute("d")!.Value);
        Assert.Equal(2, validationLines.Count); // the NaN splits it: points 1-2, then point 4 alone
        AssertPoint(Pixel(1, 1.0), validationLines[0][0]);
        AssertPoint(Pixel(2, 0.6), validationLines[0][1]);
        AssertPoint(Pixel(4, 0.45), Assert.Single(validationLines[1]));

        // Each grid line sits at its own value, and the legend names the series in order.
        foreach (var line in WithClass(root, "g", "y-axis").Single().Elements(Svg + "line"))
        {
            Assert.Equal(Pixel(f.X0, Number(line, "data-value")).Item2, Number(line, "y1"), 0.01);
        }
        Assert.Equal(["train", "validation"], WithClass(root, "text", "legend-label").Select(t => t.Value));
        Assert.Equal(["Loss", "epoch", "loss"], new[] { WithClass(root, "text", "title").Single().Value }.Concat(WithClass(root, "text", "axis-label").Select(t => t.Value).Reverse()));
    }

    private static void AssertPoint((double X, double Y) expected, (double X, double Y) actual)
    {
        Assert.Equal(expected.X, actual.X, 0.006); // coordinates are written with two decimals
        Assert.Equal(expected.Y, actual.Y, 0.006);
    }

    [Fact]
    public void Log_axis_places_decades_evenly_and_skips_values_at_or_below_zero()
    {
        double[] ys = [1, 0.1, 0.01, 0, -1, 0.001];
        var root = Parse(SvgChart.Line("lr").Series("lr", ys).LogY().ToSvg());
        var f = Frame(root);
        Assert.Equal((0.001, 1.0), (f.Y0, f.Y1));
        var lines = Segments(SeriesPath(root, "lr").Attribute("d")!.Value);
        Assert.Equal([3, 1], lines.Select(l => l.Count));
        // log10 spacing: 1, 0.1, 0.01 are 1/3 of the height apart; 0.001 is the bottom.
        Assert.Equal(f.Y, lines[0][0].Y, 0.006);
        Assert.Equal(f.Y + f.H / 3, lines[0][1].Y, 0.006);
        Assert.Equal(f.Y + 2 * f.H / 3, lines[0][2].Y, 0.006);
        Assert.Equal(f.Y + f.H, lines[1][0].Y, 0.006);
    }

    [Fact]
    public void Text_is_escaped_and_the_document_stays_well_formed()
    {
        const string title = "a<b & \"c\" 'd'\u0001";
        var svg = SvgChart.Line(title, xLabel: "</svg>").Series("<script>alert(1)</script>", [1.0, 2.0]).ToSvg();
        var root = Parse(svg);
        Assert.Equal("a<b & \"c\" 'd'\uFFFD", root.Element(Svg + "title")!.Value);
        Assert.Empty(root.Descendants(Svg + "script"));
        Assert.Equal("<script>alert(1)</script>", WithClass(root, "text", "legend-label").Single().Value);
    }

    [Fact]
    public void Bad_input_is_refused_and_empty_charts_are_still_valid()
    {
        Assert.Contains("'train'", Assert.Throws<ArgumentException>(() => SvgChart.Line().Series("train", [1.0, 2.0], [1.0])).Message);
        Assert.Throws<ArgumentException>(() => SvgChart.Line().Size(10, 10));
        Parse(SvgChart.Line("empty").ToSvg());
        var root = Parse(SvgChart.Line().Series("nothing", [double.NaN, double.PositiveInfinity]).ToSvg());
        Assert.Empty(root.Descendants(Svg + "path"));
    }

    [Fact]
    public void Bars_rise_from_zero_in_proportion_and_the_highlight_stands_out()
    {
        double[] values = [0.1, 0.6, 0.25, -0.05];
        var root = Parse(SvgChart.Bar("p", ["0", "1", "2", "3"], values, yLabel: "probability").Highlight(1).ToSvg());
        var area = WithClass(root, "rect", "plot-area").Single();
        var ticks = WithClass(root, "g", "y-axis").Single().Elements(Svg + "line").Select(l => Number(l, "data-value")).ToList();
        var (top, height) = (Number(area, "y"), Number(area, "height"));
        double Pixel(double v) => top + height - (v - ticks[0]) / (ticks[^1] - ticks[0]) * height;
        var bars = WithClass(root, "rect", "bar").ToList();
        Assert.Equal(4, bars.Count);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(Math.Min(Pixel(values[i]), Pixel(0)), Number(bars[i], "y"), 0.006);
            Assert.Equal(Math.Abs(Pixel(values[i]) - Pixel(0)), Number(bars[i], "height"), 0.012);
        }
        Assert.Single(bars, b => b.Attribute("fill")!.Value != bars[0].Attribute("fill")!.Value);
        Assert.NotEqual(bars[0].Attribute("fill")!.Value, bars[1].Attribute("fill")!.Value);
        Assert.Equal(["0.1", "0.6", "0.25", "-0.05"], WithClass(root, "text", "bar-value").Select(t => t.Value));
        Assert.Throws<ArgumentException>(() => SvgChart.Bar(null, ["a"], [1.0, 2.0]));
    }

    [Fact]
    public void Heatmap_writes_each_count_in_its_cell_shaded_by_size()
    {
        long[,] counts = { { 5, 0, 1 }, { 2, 7, 0 } };
        var root = Parse(SvgChart.Heatmap("Confusion", counts, ["cat", "dog"], ["cat", "dog", "eel"], rowTitle: "actual", columnTitle: "predicted").ToSvg());
        var cells = WithClass(root, "rect", "cell").ToList();
        Assert.Equal(6, cells.Count);
        Assert.Equal(["5", "0", "1", "2", "7", "0"], WithClass(root, "text", "cell-value").Select(t => t.Value));
        Assert.Equal(["0:0", "0:1", "0:2", "1:0", "1:1", "1:2"], cells.Select(c => $"{c.Attribute("data-row")!.Value}:{c.Attribute("data-column")!.Value}"));
        // Lightest for 0, darkest for the largest count, and a cell twice as full is darker.
        Assert.Equal("#f7fbff", cells[1].Attribute("fill")!.Value);
        Assert.Equal("#08306b", cells[4].Attribute("fill")!.Value);
        int Red(XElement c) => Convert.ToInt32(c.Attribute("fill")!.Value[1..3], 16);
        Assert.True(Red(cells[0]) < Red(cells[3]) && Red(cells[3]) < Red(cells[2]));
        Assert.Equal(["cat", "dog", "eel"], WithClass(root, "text", "column-label").Select(t => t.Value));
        Assert.Equal(["cat", "dog"], WithClass(root, "text", "row-label").Select(t => t.Value));
        Assert.Equal(["predicted", "actual"], WithClass(root, "text", "axis-label").Select(t => t.Value));
        Assert.Throws<ArgumentException>(() => SvgChart.Heatmap(null, counts, ["one"]));
    }

    [Fact]
    public void Image_grid_embeds_each_image_as_a_png_with_its_caption()
    {
        var images = Tensor.FromArray([0f, 0.5f, 1f, 0.2f, 0.4f, 0.6f, 1f, 1f, 1f, 0f, 0f, 0f], 2, 1, 2, 3);
        var root = Parse(SvgChart.ImageGrid("Wrong", images, ["pred 3 / true 5", "pred 1 / true 7"], columns: 1, scale: 4).ToSvg());
        var pictures = root.Descendants(Svg + "image").ToList();
        Assert.Equal(2, pictures.Count);
        byte[][] expected = [[0, 128, 255, 51, 102, 153], [255, 255, 255, 0, 0, 0]];
        for (var i = 0; i < 2; i++)
        {
            var href = pictures[i].Attribute("href")!.Value;
            Assert.StartsWith("data:image/png;base64,", href);
            var png = Png.Decode(Convert.FromBase64String(href["data:image/png;base64,".Length..]));
            Assert.Equal((3, 2), (png.Width, png.Height));
            Assert.Equal(expected[i], png.Rgba.Where((_, k) => k % 4 == 0));
            Assert.Equal((12.0, 8.0), (Number(pictures[i], "width"), Number(pictures[i], "height")));
        }
        Assert.True(Number(pictures[1], "y") > Number(pictures[0], "y"), "one column: the second image is below the first");
        Assert.Equal(["pred 3 / true 5", "pred 1 / true 7"], WithClass(root, "text", "caption").Select(t => t.Value));

        // [N, H, W] works too; values outside [0, 1] are stretched from min to max.
        var stretched = Parse(SvgChart.ImageGrid(null, Tensor.FromArray([-1f, 1f], 1, 1, 2)).ToSvg()).Descendants(Svg + "image").Single();
        var decoded = Png.Decode(Convert.FromBase64String(stretched.Attribute("href")!.Value.Split(',')[1]));
        Assert.Equal(new byte[] { 0, 255 }, decoded.Rgba.Where((_, k) => k % 4 == 0));
        Assert.Throws<ArgumentException>(() => SvgChart.ImageGrid(null, Tensor.Zeros(2, 3, 4, 4)));
        Assert.Throws<ArgumentException>(() => SvgChart.ImageGrid(null, Tensor.Zeros(2, 4, 4), ["only one"]));
    }

    [Fact]
    public void Save_writes_the_svg_file()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("nabla-svg").FullName, "chart.svg");
        var chart = SvgChart.Line("x").Series("a", [1.0, 4.0, 9.0]);
        chart.Save(path);
        Assert.Equal(chart.ToSvg(), File.ReadAllText(path));
    }
}
