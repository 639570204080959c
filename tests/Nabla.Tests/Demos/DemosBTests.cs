using System.Globalization;
using System.Xml.Linq;
using Nabla.Cli.Demos;

namespace Nabla.Tests.Demos;

public class DemosBTests
{
    private static (DemoResult Result, string Directory, string Output) Run(Demo demo)
    {
        var dir = Path.Combine(Path.GetTempPath(), "nabla-demo-" + Guid.NewGuid().ToString("N"));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var result = demo.Run(new DemoContext(writer, dir, Quick: true));
        return (result, dir, writer.ToString());
    }

    private static void AssertCharts(string dir, params string[] files)
    {
        foreach (var file in files)
        {
            var path = Path.Combine(dir, file);
            Assert.True(File.Exists(path), $"missing chart {file}");
            Assert.Equal("svg", XDocument.Load(path).Root!.Name.LocalName);
        }
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Cnn_reads_digits_far_above_chance()
    {
        var (result, dir, output) = Run(new CnnDemo());
        Assert.True(result["test_accuracy"] > 0.8, $"test accuracy {result["test_accuracy"]}");
        Assert.Contains("answer", output, StringComparison.Ordinal);
        AssertCharts(dir, "confusion.svg", "digits.svg");
    }
}
