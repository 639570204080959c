using System.Globalization;
using System.Text.Json;
using Nabla.Cli.Commands;
using Nabla.Specs;
using Nabla.Tests.Support;
using NablaCli = Nabla.Cli.Program;

namespace Nabla.Tests.Cli;

/// <summary><c>nabla bench serve</c>: a short loopback load test reports consistent figures and no errors; bad settings fail clearly.</summary>
public class ServeBenchTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var exitCode = NablaCli.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void Two_hundred_requests_from_four_clients_all_succeed(int batch)
    {
        var (exitCode, output, error) = Run("bench", "serve", "--requests", "200", "--clients", "4", "--batch", $"{batch}",
            "--data", Repo.Path("data", "mnist"), "--json");
        Assert.True(exitCode == 0, output + error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var json = Assert.Single(lines);
        var r = JsonDocument.Parse(json).RootElement;
        Assert.Equal("serve", r.GetProperty("bench").GetString());
        Assert.Equal(200, r.GetProperty("requests").GetInt32());
        Assert.Equal(4, r.GetProperty("clients").GetInt32());
        Assert.Equal(batch, r.GetProperty("batch").GetInt32());
        Assert.Equal(0, r.GetProperty("errors").GetInt32());
        Assert.False(r.TryGetProperty("first_error", out _));
        Assert.StartsWith("untrained mlp-784-128-64-10", r.GetProperty("model").GetString(), StringComparison.Ordinal);

        var seconds = r.GetProperty("seconds").GetDouble();
        var perSecond = r.GetProperty("requests_per_second").GetDouble();
        Assert.True(seconds > 0);
        Assert.Equal(200 / seconds, perSecond, 200 / seconds * 0.01 + 0.1); // both rounded for print
        Assert.Equal(perSecond * batch, r.GetProperty("examples_per_second").GetDouble(), perSecond * batch * 0.01 + 1);
        var (p50, p99, max) = (r.GetProperty("latency_ms_p50").GetDouble(), r.GetProperty("latency_ms_p99").GetDouble(), r.GetProperty("latency_ms_max").GetDouble());
        Assert.True(p50 > 0 && p50 <= p99 && p99 <= max, $"p50 {p50}, p99 {p99}, max {max}");
        // No single request can have taken longer than the whole timed run.
        Assert.True(max <= seconds * 1000 + 1, $"max latency {max} ms in a run of {seconds} s");
    }

    [Theory]
    [InlineData("--requests", "0", "--requests must be 1..1000000")]
    [InlineData("--clients", "65", "--clients must be 1..64")]
    [InlineData("--batch", "257", "--batch must be 1..256")]
    [InlineData("--max-seconds", "0", "--max-seconds must be positive")]
    public void Bad_settings_fail_with_a_message(string option, string value, string message)
    {
        var (exitCode, _, error) = Run("bench", "serve", option, value);
        Assert.Equal(1, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_output_has_one_line_per_figure()
    {
        var (exitCode, output, error) = Run("bench", "serve", "--requests", "20", "--clients", "2", "--data", Repo.Path("data", "mnist"));
        Assert.True(exitCode == 0, output + error);
        foreach (var key in new[] { "requests_per_second", "latency_ms_p50", "latency_ms_p99", "latency_ms_max", "errors" })
        {
            Assert.Matches($@"(?m)^{key}\s+\S+", output);
        }
        Assert.Matches(@"(?m)^errors\s+0\s*$", output);
    }

    /// <summary>A saved model of <paramref name="layers"/> for inputs <paramref name="inputShape"/>, untrained, in a new temporary folder.</summary>
    private static string SaveModel(int[] inputShape, params object[] layers)
    {
        var folder = Directory.CreateTempSubdirectory("nabla-bench-serve-test").FullName;
        var spec = TrainingSpec.Parse(JsonSerializer.Serialize(new
        {
            name = "bench-model", data = new { format = "mnist", path = Repo.Path("data", "mnist") }, model = layers,
            loss = "cross_entropy", optimizer = new { type = "sgd", lr = 0.1 },
        }));
        SavedModel.Save(folder, spec, spec.BuildModel(inputShape), inputShape, null);
        return folder;
    }

    [Fact]
    public void A_given_model_is_served_and_checked()
    {
        var folder = SaveModel([1, 28, 28], new { type = "Flatten" }, new { type = "Linear", inFeatures = 784, outFeatures = 10 });
        try
        {
            var (exitCode, output, error) = Run("bench", "serve", "--model", folder, "--requests", "40", "--clients", "2", "--data", Repo.Path("data", "mnist"), "--json");
            Assert.True(exitCode == 0, output + error);
            var r = JsonDocument.Parse(output).RootElement;
            Assert.Equal("bench-model", r.GetProperty("model").GetString());
            Assert.Equal(0, r.GetProperty("errors").GetInt32());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_model_that_does_not_take_digits_fails_with_both_shapes()
    {
        var folder = SaveModel([4], new { type = "Linear", inFeatures = 4, outFeatures = 3 });
        try
        {
            var (exitCode, _, error) = Run("bench", "serve", "--model", folder, "--requests", "10", "--data", Repo.Path("data", "mnist"));
            Assert.Equal(1, exitCode);
            Assert.Contains("expects inputs [4]", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(200, """{"results": [{"index": 3}, {"index": 7}]}""", null)]
    [InlineData(200, """{"results": [{"index": 3}, {"index": 1}]}""", "example 1: class index 1, the local forward pass gives 7")]
    [InlineData(200, """{"results": [{"index": 3}]}""", "1 results for 2 examples")]
    [InlineData(400, """{"error": "bad"}""", "status 400: {\"error\": \"bad\"}")]
    [InlineData(200, """{"error": "no results"}""", "malformed answer")]
    [InlineData(200, "not json", "malformed answer")]
    [InlineData(200, """{"results": [{"index": "3"}, {"index": 7}]}""", "malformed answer")]
    public void Answers_are_checked_against_the_local_classes(int status, string body, string? problem)
    {
        var found = ServeBench.Check(status, body, [3, 7]);
        if (problem is null) Assert.Null(found);
        else Assert.StartsWith(problem, found, StringComparison.Ordinal);
    }

    // Nearest rank: the p-th percentile of n sorted values is the one at rank ceil(p/100 * n) (hand-computed below).
    [Theory]
    [InlineData(50, 3.0)]   // ceil(0.5 * 5) = 3rd
    [InlineData(99, 5.0)]   // ceil(4.95) = 5th
    [InlineData(20, 1.0)]   // ceil(1.0) = 1st
    [InlineData(21, 2.0)]   // ceil(1.05) = 2nd
    [InlineData(100, 5.0)]
    public void Percentile_is_nearest_rank(double p, double expected)
    {
        Assert.Equal(expected, ServeBench.Percentile([1.0, 2.0, 3.0, 4.0, 5.0], p));
    }

    [Fact]
    public void Percentile_of_nothing_is_nan_and_p_must_be_a_percentage()
    {
        Assert.True(double.IsNaN(ServeBench.Percentile([], 50)));
        Assert.Throws<ArgumentException>(() => ServeBench.Percentile([1.0], 0));
        Assert.Throws<ArgumentException>(() => ServeBench.Percentile([1.0], 101));
    }
}
