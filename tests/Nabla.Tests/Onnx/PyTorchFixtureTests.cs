using Nabla.Onnx;
using static Nabla.Tests.OnnxTests.OnnxTestSupport;

namespace Nabla.Tests.OnnxTests;

/// <summary>
/// Models exported by PyTorch's torch.onnx.export (tests/fixtures/onnx/make_fixtures.py) run in Nabla and give
/// PyTorch's outputs: an independent reference for the operator semantics, gate orders and opset variants.
/// </summary>
public class PyTorchFixtureTests
{
    public static TheoryData<string> Fixtures() =>
        [.. Directory.GetDirectories(FixturePath()).Where(d => File.Exists(Path.Combine(d, "model.onnx"))).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal)];

    [Fact]
    public void Every_fixture_is_found() => Assert.True(Fixtures().Count >= 17, $"found {Fixtures().Count} fixtures");

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_matches_PyTorch(string name)
    {
        var folder = FixturePath(name);
        var model = OnnxModel.Load(Path.Combine(folder, "model.onnx"));
        Assert.Equal("pytorch", model.ProducerName);
        Assert.Empty(model.UnsupportedOperators);
        var data = Path.Combine(folder, "test_data_set_0");
        var inputs = model.Inputs.Select((info, i) => (info.Name, Value: OnnxTensors.Read(Path.Combine(data, $"input_{i}.pb")))).ToDictionary(p => p.Name, p => p.Value);
        var outputs = model.Run(inputs);
        for (var i = 0; i < model.Outputs.Count; i++)
        {
            var expected = OnnxTensors.Read(Path.Combine(data, $"output_{i}.pb"));
            Close(expected, outputs[model.Outputs[i].Name], 2e-5f, $"{name} output {i}");
        }
    }
}
