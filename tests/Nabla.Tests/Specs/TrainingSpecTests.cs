using Nabla.NN;
using Nabla.Specs;
using Nabla.Tests.Support;

namespace Nabla.Tests.Specs;

public class TrainingSpecTests
{
    private const string Iris = """
        {
          "name": "iris-mlp",
          "seed": 3,
          "data": { "format": "csv", "path": "data/iris/iris.csv", "target": "species", "testFraction": 0.2, "validation": "test" },
          "model": [
            { "type": "Linear", "inFeatures": 4, "outFeatures": 16 },
            { "type": "tanh" },
            { "type": "Linear", "inFeatures": 16, "outFeatures": 3, "weightInit": { "type": "xavier_uniform", "gain": 1.0 } }
          ],
          "loss": { "type": "cross_entropy", "labelSmoothing": 0.05 },
          "optimizer": { "type": "adam", "lr": 0.05 },
          "schedule": { "type": "step", "stepSize": 20, "gamma": 0.5 },
          "training": { "epochs": 40, "batchSize": 16, "metrics": ["accuracy", "f1"] }
        }
        """;

    [Fact]
    public void An_iris_spec_trains_to_high_test_accuracy_and_reruns_identically()
    {
        var spec = TrainingSpec.Parse(Iris);
        var first = Experiment.Create(spec, Repo.Root);
        var result = first.Run();
        Assert.Equal(40, result.History.Epochs.Count);
        Assert.True(result.Test["accuracy"] >= 0.9, $"test accuracy {result.Test["accuracy"]}");
        Assert.Equal(0.05f * 0.5f, (float)result.History["lr"][^1], 6);
        Assert.Equal(30, first.Data.Test.Count);

        var second = Experiment.Create(TrainingSpec.Parse(Iris), Repo.Root);
        second.Run();
        foreach (var ((name, a), (_, b)) in first.Model.NamedParameters().Zip(second.Model.NamedParameters()))
        {
            Assert.True(a.ValueEquals(b), $"{name} differs between two runs with the same seed");
        }
    }

    public static TheoryData<string, string, string> BadSpecs() => new()
    {
        { "unknown layer", """{"type": "Dense", "inFeatures": 4, "outFeatures": 3}""", "model[0].type: unknown layer type 'Dense'" },
        { "unknown field", """{"type": "Linear", "inFeatures": 4, "outFeature": 3}""", "model[0].outFeature: Linear has no field 'outFeature'; its fields are inFeatures, outFeatures" },
        { "missing field", """{"type": "Linear", "inFeatures": 4}""", "model[0].outFeatures: Linear needs 'outFeatures' (a whole number)" },
        { "wrong type", """{"type": "Linear", "inFeatures": "four", "outFeatures": 3}""", "model[0].inFeatures: expected a whole number; got \"four\"" },
        { "shapes do not chain", """{"type": "Linear", "inFeatures": 5, "outFeatures": 3}""", "model[0]: Linear does not fit its input of shape [1, 4]" },
        { "bad padding", """{"type": "Conv2d", "inChannels": 1, "outChannels": 2, "kernelSize": 3, "padding": "full"}""", "model[0].padding: expected a whole number, [height, width], \"same\" or \"valid\"" },
        { "bad initialiser", """{"type": "Linear", "inFeatures": 4, "outFeatures": 3, "weightInit": "glorot"}""", "model[0].weightInit: unknown initialiser 'glorot'" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void Layer_errors_name_the_field_path_and_what_is_allowed(string label, string layer, string expected)
    {
        var json = System.Text.RegularExpressions.Regex.Replace(Iris, @"""model"": \[[^\]]*\]", $"\"model\": [ {layer} ]");
        var error = Assert.Throws<SpecException>(() =>
        {
            var spec = TrainingSpec.Parse(json);
            spec.BuildModel(spec.Data.Load(Repo.Root, spec.Seed).ExampleShape);
        });
        Assert.Contains(expected, error.Message);
        Assert.False(string.IsNullOrEmpty(label));
    }

    [Theory]
    [InlineData("\"loss\": { \"type\": \"cross_entropy\", \"labelSmoothing\": 0.05 }", "\"loss\": \"hinge\"", "loss: Unknown loss 'hinge'")]
    [InlineData("\"training\": {", "\"training\": { \"epoch\": 3,", "training.epoch: unknown field; allowed: epochs, batchSize")]
    [InlineData("\"metrics\": [\"accuracy\", \"f1\"]", "\"metrics\": [\"accuracy\", \"auc\"]", "training.metrics[1]: Unknown metric 'auc'")]
    [InlineData("\"format\": \"csv\"", "\"format\": \"parquet\"", "data.format: unknown format 'parquet'")]
    [InlineData("\"seed\": 3,", "\"seed\": 3, \"sed\": 4,", "sed: unknown field; allowed: name, description, seed, data")]
    [InlineData("\"name\": \"iris-mlp\",", "\"name\": \"iris-mlp\" \"x\",", "is not valid JSON")]
    public void Other_sections_are_validated_with_paths(string find, string replace, string expected)
    {
        var json = Iris.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(Iris, json);
        var error = Assert.Throws<SpecException>(() => TrainingSpec.Parse(json));
        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Every_example_spec_loads_and_its_model_chains()
    {
        var specs = Directory.GetFiles(Repo.Path("examples"), "*.json");
        Assert.Contains(specs, s => s.EndsWith("mnist-cnn.json", StringComparison.Ordinal));
        foreach (var file in specs)
        {
            var spec = TrainingSpec.Load(file);
            var model = spec.BuildModel(spec.Data.Format == "mnist" ? [1, 28, 28] : [4]);
            Assert.True(model.ParameterCount() > 0, file);
        }
    }
}
