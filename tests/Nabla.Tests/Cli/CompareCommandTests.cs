using System.Globalization;
using Nabla.Tests.Support;
using NablaCli = Nabla.Cli.Program;

namespace Nabla.Tests.Cli;

public class CompareCommandTests
{
    private static string Train(string folder, int epochs, int limit)
    {
        var spec = Path.Combine(folder, $"mlp-{epochs}-{limit}.json");
        File.WriteAllText(spec, File.ReadAllText(Repo.Path("examples", "mnist-mlp.json"))
            .Replace("\"validation\": \"test\"", $"\"validation\": \"none\", \"limit\": {limit}", StringComparison.Ordinal)
            .Replace("\"data/mnist\"", "\"" + Repo.Path("data", "mnist") + "\"", StringComparison.Ordinal));
        var run = Path.Combine(folder, $"run-{epochs}-{limit}");
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        var code = NablaCli.Run(["train", spec, "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--out", run], output);
        Assert.True(code == 0, output.ToString());
        return run;
    }

    [Fact]
    public void Two_runs_are_compared_with_intervals_and_mcnemars_test()
    {
        var folder = Directory.CreateTempSubdirectory("nabla-compare").FullName;
        var weak = Train(folder, 1, 300);
        var strong = Train(folder, 3, 2000);
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        Assert.Equal(0, NablaCli.Run(["compare", strong, weak, "--data", Repo.Path("data", "mnist")], output));
        var text = output.ToString();
        Assert.Contains("2000 test examples", text);
        Assert.Contains("(95% interval ", text);
        Assert.Contains("McNemar", text);
        Assert.Contains("p = ", text);

        using var error = new StringWriter(CultureInfo.InvariantCulture);
        Assert.Equal(1, NablaCli.Run(["compare", strong, Path.Combine(folder, "missing")], error));
        Assert.Contains("error:", error.ToString());
    }
}
