using System.Text.RegularExpressions;
using System.Xml.Linq;
using Nabla.Cli.Reports;
using Nabla.Training;

namespace Nabla.Tests.Reports;

public partial class RunReportTests
{
    private static History ThreeEpochs()
    {
        var history = new History();
        history.Add(new Dictionary<string, double> { ["loss"] = 1.2, ["accuracy"] = 0.6, ["val_loss"] = 1.0, ["val_accuracy"] = 0.65, ["lr"] = 0.1 });
        history.Add(new Dictionary<string, double> { ["loss"] = 0.7, ["accuracy"] = 0.8, ["val_loss"] = double.NaN, ["val_accuracy"] = 0.75, ["lr"] = 0.01 });
        history.Add(new Dictionary<string, double> { ["loss"] = 0.5, ["accuracy"] = 0.85, ["val_loss"] = 0.6, ["val_accuracy"] = 0.8, ["lr"] = 0.001 });
        return history;
    }

    /// <summary>
    /// Six test examples, targets [0, 0, 1, 1, 2, 2], predicted (argmax) [0, 1, 1, 1, 2, 0]: confusion
    /// [[1, 1, 0], [0, 2, 0], [1, 0, 1]]; precision 1/2, 2/3, 1; recall 1/2, 1, 1/2; F1 1/2, 4/5, 2/3.
    /// </summary>
    private static RunReportData Classification(int maxMisclassified = 36) => new()
    {
        Title = "tiny <run>",
        Summary = new Dictionary<string, object?> { ["spec"] = "tiny", ["epochs"] = 3, ["test_accuracy"] = 0.666667, ["test_loss"] = 0.81, ["stop_reason"] = null },
        History = ThreeEpochs(),
        TestOutputs = Tensor.FromArray([5f, 0, 0, 0, 5, 0, 0, 5, 0, 1, 5, 0, 0, 0, 5, 5, 0, 1], 6, 3),
        TestTargets = Tensor.FromArray([0f, 0, 1, 1, 2, 2], 6),
        TestImages = Tensor.Arange(0, 96).Reshape(6, 1, 4, 4) / 96f,
        Classes = ["cat", "dog", "<eel>"],
        MaxMisclassified = maxMisclassified,
    };

    [Fact]
    public void Report_has_every_section_and_the_right_numbers()
    {
        var html = RunReport.ToHtml(Classification());
        foreach (var id in new[] { "summary", "curves", "learning-rate", "confusion-matrix", "per-class", "misclassified" })
        {
            Assert.Contains($"<section id=\"{id}\">", html);
        }
        Assert.Contains("<h1>tiny &lt;run&gt;</h1>", html);
        Assert.Contains("<div class=\"value\">0.6667</div><div class=\"label\">test accuracy</div>", html);
        Assert.Contains("<tr><th>cat</th><td>0.5000</td><td>0.5000</td><td>0.5000</td><td>2</td></tr>", html);
        Assert.Contains("<tr><th>dog</th><td>0.6667</td><td>1.0000</td><td>0.8000</td><td>2</td></tr>", html);
        Assert.Contains("<tr><th>&lt;eel&gt;</th><td>1.0000</td><td>0.5000</td><td>0.6667</td><td>2</td></tr>", html);
        // Macro averages: (1/2 + 2/3 + 1) / 3 = 0.7222, (1/2 + 1 + 1/2) / 3 = 0.6667, (1/2 + 4/5 + 2/3) / 3 = 0.6556.
        Assert.Contains("<th>macro average</th><td>0.7222</td><td>0.6667</td><td>0.6556</td><td>6</td>", html);

        var svgs = Svgs(html);
        Assert.Equal(5, svgs.Count); // loss, accuracy, learning rate, confusion matrix, misclassified grid
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(["Loss", "Accuracy", "Learning rate", "Confusion matrix"], svgs.Take(4).Select(s => s.Element(ns + "title")!.Value));
        Assert.Equal(["1", "1", "0", "0", "2", "0", "1", "0", "1"], svgs[3].Descendants(ns + "text").Where(t => t.Attribute("class")?.Value == "cell-value").Select(t => t.Value));
        Assert.Equal(["pred dog / true cat", "pred cat / true <eel>"], svgs[4].Descendants(ns + "text").Select(t => t.Value));
        Assert.Equal(2, svgs[4].Descendants(ns + "image").Count());
        Assert.Contains("All 2 misclassified", html);
        // The learning rate spans two decades: a log axis from 0.001 to 0.1.
        Assert.Equal(["0.001", "0.01", "0.1"], svgs[2].Descendants(ns + "g").Single(g => g.Attribute("class")?.Value == "y-axis").Elements(ns + "text").Select(t => t.Value));
    }

    [Fact]
    public void Report_is_self_contained_and_well_formed()
    {
        var html = RunReport.ToHtml(Classification());
        Assert.StartsWith("<!DOCTYPE html>", html);
        // The only URL is the SVG namespace name (an identifier, never fetched).
        Assert.DoesNotContain(Regex.Matches(html, @"https?://"), m => !html.AsSpan(m.Index).StartsWith("http://www.w3.org/2000/svg\""));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.All(Regex.Matches(html, "href=\"([^\"]*)\"").Select(m => m.Groups[1].Value), href => Assert.StartsWith("data:image/png;base64,", href));
        foreach (var tag in new[] { "html", "head", "body", "main", "header", "section", "table", "thead", "tbody", "tfoot", "tr", "figure", "svg", "g", "div", "style", "title" })
        {
            var opened = Regex.Count(html, $"<{tag}[\\s>]");
            Assert.True(opened > 0 || tag is "thead" or "tfoot", $"<{tag}> is missing");
            Assert.Equal(opened, Regex.Count(html, $"</{tag}>"));
        }
        Assert.All(Svgs(html), svg => Assert.Equal("svg", svg.Name.LocalName));
    }

    [Fact]
    public void Only_the_first_misclassified_images_are_shown()
    {
        var html = RunReport.ToHtml(Classification(maxMisclassified: 1));
        Assert.Contains("The first 1 of 2 misclassified", html);
        Assert.Single(Svgs(html)[4].Descendants("{http://www.w3.org/2000/svg}image"));
    }

    [Fact]
    public void Regression_and_empty_runs_leave_out_what_they_lack()
    {
        var html = RunReport.ToHtml(Classification() with { Classes = null, TestImages = null });
        Assert.DoesNotContain("id=\"confusion-matrix\"", html);
        Assert.DoesNotContain("id=\"per-class\"", html);
        Assert.DoesNotContain("id=\"misclassified\"", html);
        Assert.Equal(3, Svgs(html).Count);

        html = RunReport.ToHtml(new RunReportData { Title = "nothing" });
        Assert.Contains("No epochs were recorded.", html);
        Assert.Contains("No learning rate was recorded.", html);
        Assert.Empty(Svgs(html));

        html = RunReport.ToHtml(Classification() with { TestImages = null });
        Assert.Contains("id=\"per-class\"", html);
        Assert.DoesNotContain("id=\"misclassified\"", html);
    }

    [Fact]
    public void Write_puts_report_html_in_the_run_folder()
    {
        var run = Directory.CreateTempSubdirectory("nabla-report").FullName;
        var path = RunReport.Write(run, Classification());
        Assert.Equal(Path.Combine(run, "report.html"), path);
        Assert.Equal(RunReport.ToHtml(Classification()), File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(run)); // no temporary file left behind
    }

    /// <summary>Every inline SVG of the page, parsed as XML (which fails on any malformed one).</summary>
    internal static List<XElement> Svgs(string html) =>
        [.. SvgBlock().Matches(html).Select(m => XDocument.Parse(m.Value).Root!)];

    [GeneratedRegex("<svg .*?</svg>", RegexOptions.Singleline)]
    private static partial Regex SvgBlock();
}
