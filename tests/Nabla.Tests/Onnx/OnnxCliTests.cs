using System.Globalization;
using Nabla.Onnx;
using Nabla.Specs;
using static Nabla.Tests.OnnxTests.OnnxTestSupport;
using NablaCli = Nabla.Cli.Program;

namespace Nabla.Tests.OnnxTests;

/// <summary><c>nabla onnx inspect</c>, <c>nabla onnx run</c> and <c>nabla export</c>, run in-process.</summary>
public class OnnxCliTests
{
    private static (int ExitCode, string Output) Run(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        var exitCode = NablaCli.Run(args, output);
        return (exitCode, output.ToString());
    }

    private static string TempFolder(string name) => Directory.CreateTempSubdirectory("nabla-onnx-" + name).FullName;

    [Fact]
    public void Inspect_prints_inputs_outputs_opset_and_histogram()
    {
        var (code, output) = Run("onnx", "inspect", FixturePath("cnn", "model.onnx"));
        Assert.Equal(0, code);
        Assert.Contains("opset 17, produced by pytorch", output, StringComparison.Ordinal);
        Assert.Contains("input_0: float[N, 1, 9, 9]", output, StringComparison.Ordinal);
        Assert.Contains("output_0: float[N, 5]", output, StringComparison.Ordinal);
        Assert.Matches(@"\n  Conv\s+2\r?\n", output);
        Assert.Matches(@"\n  Gemm\s+1\r?\n", output);
        Assert.DoesNotContain("not supported", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_writes_outputs_in_the_test_data_layout()
    {
        var data = FixturePath("lstm", "test_data_set_0");
        var outDir = TempFolder("run");
        var (code, output) = Run("onnx", "run", FixturePath("lstm", "model.onnx"), "--inputs", data, "--out", outDir);
        Assert.Equal(0, code);
        Assert.Contains("output_1 [2, 5, 8]", output, StringComparison.Ordinal);
        for (var i = 0; i < 2; i++)
        {
            Close(OnnxTensors.Read(Path.Combine(data, $"output_{i}.pb")), OnnxTensors.Read(Path.Combine(outDir, $"output_{i}.pb")), 2e-5f, $"output {i}");
        }
    }

    [Fact]
    public void Run_keeps_integer_inputs_exact()
    {
        var data = FixturePath("embedding", "test_data_set_0");
        var outDir = TempFolder("run-int");
        Assert.Equal(0, Run("onnx", "run", FixturePath("embedding", "model.onnx"), "--inputs", data, "--out", outDir).ExitCode);
        Close(OnnxTensors.Read(Path.Combine(data, "output_0.pb")), OnnxTensors.Read(Path.Combine(outDir, "output_0.pb")), 2e-5f);
    }

    [Fact]
    public void Errors_are_reported_without_a_stack_trace()
    {
        var empty = TempFolder("empty");
        var (code, output) = Run("onnx", "run", FixturePath("mlp", "model.onnx"), "--inputs", empty, "--out", empty);
        Assert.Equal(1, code);
        Assert.Contains("input_0.pb is missing", output, StringComparison.Ordinal);
        var corrupt = Path.Combine(empty, "corrupt.onnx");
        File.WriteAllBytes(corrupt, [0x08, 0xFF]);
        (code, output) = Run("onnx", "inspect", corrupt);
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", output, StringComparison.Ordinal);
        Assert.Contains("not a valid ModelProto", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_writes_a_saved_model_with_its_normalisation()
    {
        const string json = """
            {
              "name": "tiny-cnn",
              "data": { "format": "mnist", "path": "data/mnist", "normalize": { "mean": [0.25], "std": [0.5] } },
              "model": [ { "type": "Conv2d", "inChannels": 1, "outChannels": 2, "kernelSize": 3 }, { "type": "Relu" },
                         { "type": "MaxPool2d", "kernelSize": 2 }, { "type": "Flatten" }, { "type": "Linear", "inFeatures": 18, "outFeatures": 3 } ],
              "loss": "cross_entropy", "optimizer": { "type": "sgd", "lr": 0.1 }, "training": { "epochs": 1, "batchSize": 4 }
            }
            """;
        var spec = TrainingSpec.Parse(json);
        var run = TempFolder("export");
        SavedModel.Save(Path.Combine(run, "model"), spec, spec.BuildModel([1, 8, 8]), [1, 8, 8], ["a", "b", "c"]);
        var file = Path.Combine(run, "tiny.onnx");

        var (code, output) = Run("export", run, "--onnx", file);
        Assert.Equal(0, code);
        Assert.Contains("input  input: float[N, 1, 8, 8] (raw: normalisation is part of the graph)", output, StringComparison.Ordinal);
        Assert.Contains("classes: a, b, c", output, StringComparison.Ordinal);

        var saved = SavedModel.Load(run);
        var x = Tensor.Rand([3, 1, 8, 8], new Generator(5));
        Close(saved.Predict(x), OnnxModel.Load(file).Run(x), context: "exported saved model");
        Assert.Equal(1, Run("export", TempFolder("nothing"), "--onnx", file).ExitCode);
    }
}
