using Nabla.NN;
using Nabla.Onnx;
using Nabla.Serialization;
using static Nabla.Tests.OnnxTests.OnnxTestSupport;

namespace Nabla.Tests.OnnxTests;

/// <summary>
/// An independent reference for the attention export: PyTorch's weights (tests/fixtures/onnx/make_fixtures.py keeps them
/// as state.safetensors) loaded by name into the same Nabla layer, exported by Nabla, imported, and run on PyTorch's
/// input give PyTorch's output.
/// </summary>
public partial class ExportRoundTripTests
{
    public static TheoryData<string> AttentionFixtures() => ["attention", "transformer_layer", "transformer_encoder"];

    /// <summary>The Nabla layer configured as make_fixtures.py configures PyTorch's, and the prefix its state keys carry there.</summary>
    private static (Module Model, string Prefix) NablaTwin(string fixture) => fixture switch
    {
        "attention" => (new MultiHeadAttention(8, 2), "attn."),
        "transformer_layer" => (new TransformerEncoderLayer(8, 2, dimFeedforward: 16), ""),
        "transformer_encoder" => (new TransformerEncoder(() => new TransformerEncoderLayer(8, 4, dimFeedforward: 12, activation: TransformerActivation.Gelu,
            batchFirst: true, normFirst: true), 2, new LayerNorm(8)), ""),
        _ => throw new ArgumentException($"no Nabla twin for the fixture '{fixture}'"),
    };

    [Theory]
    [MemberData(nameof(AttentionFixtures))]
    public void Exported_attention_with_PyTorch_weights_gives_PyTorch_outputs(string fixture)
    {
        var (model, prefix) = NablaTwin(fixture);
        var state = SafeTensors.Read(FixturePath(fixture, "state.safetensors")).Tensors;
        var renamed = new StateDict();
        foreach (var (name, value) in state) renamed[name[prefix.Length..]] = value;
        model.LoadStateDict(renamed, strict: true);
        model.Eval();

        var input = OnnxTensors.Read(FixturePath(fixture, "test_data_set_0", "input_0.pb"));
        var expected = OnnxTensors.Read(FixturePath(fixture, "test_data_set_0", "output_0.pb"));
        var imported = RoundTrip(model, input, "pytorch_weights_" + fixture);
        Assert.Empty(imported.UnsupportedOperators);
        Close(expected, imported.Run(input), 2e-5f, $"{fixture}: Nabla's export against PyTorch");
    }
}
