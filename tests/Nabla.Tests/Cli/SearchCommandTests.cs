using System.Globalization;
using System.Text.RegularExpressions;
using Nabla.Specs;
using Nabla.Tests.Support;
using NablaCli = Nabla.Cli.Program;

namespace Nabla.Tests.Cli;

public class SearchCommandTests
{
    private static string Spec(string search) => $$"""
        {
          "name": "iris-search", "seed": 4,
          "data": { "format": "csv", "path": {{System.Text.Json.JsonSerializer.Serialize(Repo.Path("data", "iris", "iris.csv"))}}, "target": "species" },
          "model": [ { "type": "Linear", "inFeatures": 4, "outFeatures": 16 }, { "type": "Relu" }, { "type": "Linear", "inFeatures": 16, "outFeatures": 3 } ],
          "loss": "cross_entropy", "optimizer": { "type": "adam", "lr": 0.01 }, "training": { "epochs": 15, "batchSize": 16 }
          {{search}}
        }
        """;

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = NablaCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string Write(string text)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("nabla-search").FullName, "spec.json");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Grid_search_tries_every_combination_and_ranks_them()
    {
        var spec = Write(Spec("""
            , "search": { "method": "grid", "metric": "val_accuracy",
                          "parameters": { "optimizer.lr": [0.001, 0.03], "model[0].outFeatures,model[2].inFeatures": [4, 32] } }
            """));
        var (code, output, error) = Run("tune", spec);
        Assert.True(code == 0, error);
        Assert.Equal(4, Regex.Matches(output, "(?m)^  trial: ").Count);
        var ranks = Regex.Matches(output, @"(?m)^(\d)\s+(\d\.\d{4})").Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(4, ranks.Length);
        Assert.Equal(ranks.OrderDescending(), ranks);
        Assert.Contains("Best: optimizer.lr=", output);
    }

    [Fact]
    public void Cross_validation_prints_folds_with_mean_and_spread()
    {
        var (code, output, error) = Run("cv", Write(Spec("")), "--folds", "3");
        Assert.True(code == 0, error);
        Assert.Contains("3-fold cross-validation of iris-search on 120 training examples", output);
        Assert.Matches(@"(?m)^mean\s+\d\.\d+\s+0\.9", output);
        Assert.Contains("std", output);
    }

    [Fact]
    public void Overrides_name_paths_that_do_not_exist_and_tune_needs_a_search_section()
    {
        var error = Assert.Throws<SpecException>(() => SpecOverrides.Apply(Spec(""), [new("model[9].outFeatures", 3)]));
        Assert.Contains("'model' has 3 entries; there is no [9]", error.Message);
        var (code, _, text) = Run("tune", Write(Spec("")));
        Assert.Equal(1, code);
        Assert.Contains("no \"search\" section", text);
    }
}
