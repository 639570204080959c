using System.Globalization;
using System.Text.Json;
using Nabla.NN;
using NablaCli = Nabla.Cli.Program;

namespace Nabla.Tests.Cli;

public class ListCommandTests
{
    private static (int ExitCode, string[] Lines) Run(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        var exitCode = NablaCli.Run(args, output);
        return (exitCode, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void Every_listed_activation_can_be_created_by_its_name()
    {
        var (code, names) = Run("list", "activations");
        Assert.Equal(0, code);
        Assert.Contains("relu", names);
        Assert.Contains("gelu", names);
        foreach (var name in names) Assert.Equal(name, ActivationLayer.Create(name).Name);
    }

    [Fact]
    public void Layers_are_listed_by_type_name_and_every_name_is_a_public_module_type()
    {
        var (code, names) = Run("list", "layers");
        Assert.Equal(0, code);
        var moduleTypes = typeof(Module).Assembly.GetExportedTypes().Where(t => t.IsSubclassOf(typeof(Module)) && !t.IsAbstract).Select(t => t.Name).ToHashSet();
        foreach (var expected in new[] { "Linear", "Conv2d", "MaxPool2d", "BatchNorm2d", "Dropout", "Embedding", "Relu", "Softmax", "Lstm", "LayerNorm" }) Assert.Contains(expected, names);
        Assert.All(names, n => Assert.Contains(n, moduleTypes));
        Assert.Equal(names.Length, names.Distinct().Count());
    }

    [Theory]
    [InlineData("losses", "cross_entropy")]
    [InlineData("optimizers", "adam")]
    [InlineData("schedules", "cosine")]
    [InlineData("metrics", "accuracy")]
    public void Every_listed_name_can_be_created(string kind, string example)
    {
        var (code, names) = Run("list", kind);
        Assert.Equal(0, code);
        Assert.Contains(example, names);
        var parameter = Tensor.Zeros(2).RequireGrad();
        foreach (var name in names)
        {
            switch (kind)
            {
                case "losses": Assert.NotNull(Loss.Create(name)); break;
                case "optimizers": Assert.NotNull(Nabla.Optim.Optimizers.Create(name, [parameter], 0.1f)); break;
                case "schedules": Assert.NotNull(Nabla.Optim.Schedules.Create(name, new Nabla.Optim.Sgd([parameter], 0.1f), RequiredOptions(name))); break;
                default: Assert.NotNull(Nabla.Training.Metric.Create(name)); break;
            }
        }
    }

    private static Dictionary<string, string> RequiredOptions(string schedule) => schedule switch
    {
        "step" => new() { ["stepSize"] = "2" },
        "multistep" => new() { ["milestones"] = "2,4" },
        "exponential" => new() { ["gamma"] = "0.9" },
        "cosine" => new() { ["tMax"] = "10" },
        "cosinewarmrestarts" => new() { ["t0"] = "5" },
        "linearwarmup" => new() { ["warmupSteps"] = "3" },
        "onecycle" => new() { ["maxLr"] = "0.5", ["totalSteps"] = "10" },
        _ => [],
    };

    [Fact]
    public void Json_output_is_one_object_per_entry()
    {
        var (code, lines) = Run("list", "initializers", "--json");
        Assert.Equal(0, code);
        var names = lines.Select(l => JsonDocument.Parse(l).RootElement).Select(e =>
        {
            Assert.Equal("initializers", e.GetProperty("kind").GetString());
            Assert.False(string.IsNullOrEmpty(e.GetProperty("description").GetString()));
            return e.GetProperty("name").GetString();
        }).ToArray();
        Assert.Contains("kaiming_uniform", names);
        Assert.Contains("orthogonal", names);
    }

    [Fact]
    public void An_unknown_kind_fails_and_names_the_choices()
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        var code = NablaCli.Run(["list", "widgets"], output);
        Assert.NotEqual(0, code);
        Assert.Contains("layers", output.ToString());
    }
}
