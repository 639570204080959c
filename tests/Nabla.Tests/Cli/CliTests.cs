using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NablaCli = Nabla.Cli.Program;

namespace Nabla.Tests.Cli;

/// <summary>Runs the <c>nabla</c> command in-process and checks its output and exit codes.</summary>
public class CliTests
{
    private static (int ExitCode, string Output) Run(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        var exitCode = NablaCli.Run(args, output);
        return (exitCode, output.ToString());
    }

    [Fact]
    public void Version_prints_the_package_version()
    {
        var (exitCode, output) = Run("--version");
        Assert.Equal(0, exitCode);
        Assert.Equal("0.1.0", output.Trim());
    }

    [Fact]
    public void Info_json_is_one_object_with_every_key()
    {
        var (exitCode, output) = Run("info", "--json");
        Assert.Equal(0, exitCode);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("0.1.0", root.GetProperty("version").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("runtime").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("os").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("architecture").GetString()));
        Assert.Equal(Environment.ProcessorCount, root.GetProperty("processorCount").GetInt32());
        var simd = root.GetProperty("simd");
        foreach (var key in new[] { "vector512", "vector256", "vector128", "fma", "avx2", "advSimd" })
        {
            Assert.True(simd.GetProperty(key).ValueKind is JsonValueKind.True or JsonValueKind.False, key);
        }
        Assert.Equal(System.Numerics.Vector<float>.Count, simd.GetProperty("vectorFloatCount").GetInt32());
    }

    [Fact]
    public void Info_text_lists_versions_and_simd()
    {
        var (exitCode, output) = Run("info");
        Assert.Equal(0, exitCode);
        Assert.Matches(@"(?m)^Nabla\s+0\.1\.0$", output);
        Assert.Matches(@"(?m)^Processors\s+\d+$", output);
        Assert.Matches(@"(?m)^Vector256\s+(yes|no)$", output);
    }

    [Fact]
    public void Demo_computes_the_heights_errors_and_learns_the_line()
    {
        var (exitCode, output) = Run("demo");
        Assert.Equal(0, exitCode);
        Assert.Contains("25, 25, 4, 4, 9", output, StringComparison.Ordinal);
        Assert.Contains("13.4", output, StringComparison.Ordinal);
        Assert.Contains("3.66", output, StringComparison.Ordinal);

        var learned = Regex.Match(output, @"learned\s+w = (?<w>-?[\d.]+)\s+b = (?<b>-?[\d.]+)");
        var truth = Regex.Match(output, @"true\s+w = (?<w>-?[\d.]+)\s+b = (?<b>-?[\d.]+)");
        Assert.True(learned.Success && truth.Success, output);
        double Value(Match m, string group) => double.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);
        Assert.Equal(Value(truth, "w"), Value(learned, "w"), 0.05);
        Assert.Equal(Value(truth, "b"), Value(learned, "b"), 0.05);
    }

    [Fact]
    public void Demo_loss_goes_down()
    {
        var losses = Regex.Matches(Run("demo").Output, @"step\s+\d+\s+loss\s+(?<loss>[\d.]+)")
            .Select(m => double.Parse(m.Groups["loss"].Value, CultureInfo.InvariantCulture))
            .ToArray();
        Assert.True(losses.Length >= 3);
        Assert.True(losses[^1] < losses[0] / 100, string.Join(", ", losses));
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("info", "--no-such-option")]
    [InlineData]
    public void Unknown_or_missing_command_fails(params string[] args)
    {
        var (exitCode, output) = Run(args);
        Assert.NotEqual(0, exitCode);
        Assert.False(string.IsNullOrWhiteSpace(output));
    }
}
