using System.Globalization;
using System.Text;
using Nabla.Training;

namespace Nabla.Cli.Reports;

public static partial class RunReport
{
    /// <summary>Confusion matrix, per-class table and misclassified images of the test set.</summary>
    private static void TestSections(StringBuilder html, RunReportData data, Tensor outputs, Tensor targets, IReadOnlyList<string> classes)
    {
        var matrix = new ConfusionMatrix();
        matrix.Update(outputs, targets);
        var counts = matrix.Counts;
        var k = counts.GetLength(0);
        string Name(int c) => c < classes.Count ? classes[c] : c.ToString(CultureInfo.InvariantCulture);
        var names = Enumerable.Range(0, k).Select(Name).ToArray();

        html.Append("<section id=\"confusion-matrix\">\n<h2>Confusion matrix (test set)</h2>\n")
            .Append("<p class=\"note\">Rows: actual class; columns: predicted class. The diagonal holds the correct predictions.</p>\n<figure>")
            .Append(SvgChart.Heatmap("Confusion matrix", counts, names, names, rowTitle: "actual", columnTitle: "predicted").ToSvg())
            .Append("</figure>\n</section>\n");

        var (precision, recall, f1) = matrix.PerClass();
        html.Append("<section id=\"per-class\">\n<h2>Per-class precision, recall and F1 (test set)</h2>\n<table class=\"metrics\">\n")
            .Append("<thead><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead>\n<tbody>\n");
        var present = new List<int>();
        for (var c = 0; c < k; c++)
        {
            long support = 0, predicted = 0;
            for (var j = 0; j < k; j++) (support, predicted) = (support + counts[c, j], predicted + counts[j, c]);
            if (support > 0 || predicted > 0) present.Add(c);
            html.Append("<tr><th>").Append(E(Name(c))).Append("</th>").Append(Cell(precision[c])).Append(Cell(recall[c])).Append(Cell(f1[c]))
                .Append("<td>").Append(support.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>\n");
        }
        // Macro averages over the classes that occur, as Nabla's Precision/Recall/F1Score metrics define them.
        double Macro(double[] values) => present.Count == 0 ? double.NaN : present.Average(c => values[c]);
        html.Append("</tbody>\n<tfoot><tr><th>macro average</th>").Append(Cell(Macro(precision))).Append(Cell(Macro(recall))).Append(Cell(Macro(f1)))
            .Append("<td>").Append(counts.Cast<long>().Sum().ToString(CultureInfo.InvariantCulture)).Append("</td></tr>\n")
            .Append("<tr><th>accuracy</th><td colspan=\"4\">").Append(Format(matrix.Result())).Append("</td></tr></tfoot>\n</table>\n</section>\n");

        if (data.TestImages is { } images) MisclassifiedSection(html, data, outputs, targets, images, Name);
    }

    private static void MisclassifiedSection(StringBuilder html, RunReportData data, Tensor outputs, Tensor targets, Tensor images, Func<int, string> name)
    {
        var (predicted, actual, _) = Classes.Read(outputs, targets, "RunReport");
        var wrong = Enumerable.Range(0, predicted.Length).Where(i => predicted[i] != actual[i]).ToList();
        html.Append("<section id=\"misclassified\">\n<h2>Misclassified test images</h2>\n");
        if (wrong.Count == 0) html.Append("<p class=\"note\">Every test image was classified correctly.</p>\n");
        else
        {
            var shown = wrong.Take(Math.Max(0, data.MaxMisclassified)).ToList();
            html.Append("<p class=\"note\">").Append(shown.Count == wrong.Count ? $"All {wrong.Count}" : $"The first {shown.Count} of {wrong.Count}")
                .Append(" misclassified test images, with the predicted and the true class.</p>\n");
            if (shown.Count > 0)
            {
                var picked = images.IndexSelect(0, Tensor.FromArray([.. shown.Select(i => (float)i)], shown.Count));
                var captions = shown.Select(i => $"pred {name(predicted[i])} / true {name(actual[i])}").ToList();
                html.Append("<figure>").Append(SvgChart.ImageGrid(null, picked, captions, columns: 9, scale: 3).ToSvg()).Append("</figure>\n");
            }
        }
        html.Append("</section>\n");
    }

    private static string Cell(double value) => "<td>" + Format(value) + "</td>";

    private static string Format(double value) => double.IsFinite(value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "-";

    private const string Style = """
        body { margin: 0; background: #f4f5f7; color: #1d1f23; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
        main { max-width: 1140px; margin: 0 auto; padding: 24px; }
        header h1 { margin: 0; font-size: 28px; }
        .subtitle { margin: 0 0 8px; color: #666; }
        section { background: white; border-radius: 8px; padding: 16px 20px; margin: 16px 0; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.08); }
        h2 { margin: 0 0 12px; font-size: 19px; }
        .cards { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 12px; }
        .card { border: 1px solid #dde1e6; border-radius: 6px; padding: 10px 16px; min-width: 140px; }
        .card .value { font-size: 24px; font-weight: 600; }
        .card .label { color: #666; font-size: 13px; }
        table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
        th, td { padding: 4px 12px; text-align: right; border-bottom: 1px solid #eceef1; }
        th:first-child { text-align: left; }
        table.figures th { font-weight: normal; color: #555; }
        thead th, tfoot th, tfoot td { font-weight: 600; }
        .charts { display: flex; flex-wrap: wrap; gap: 16px; }
        figure { margin: 0; overflow-x: auto; }
        svg { max-width: 100%; height: auto; }
        .note { color: #666; font-size: 14px; }
        footer { color: #888; font-size: 13px; text-align: center; }

        """;
}
