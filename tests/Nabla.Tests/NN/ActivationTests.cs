using Nabla.NN;

namespace Nabla.Tests.NN;

public class ActivationTests
{
    public static TheoryData<string> Names() => [.. ActivationLayer.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void Extreme_inputs_give_finite_values_and_gradients(string name)
    {
        var x = Tensor.FromArray(-1e4f, -50f, -1f, 0f, 1f, 50f, 1e4f).Reshape(1, 7).RequireGrad();
        var y = ActivationLayer.Create(name).Forward(x);
        Assert.All(y.ToArray(), v => Assert.True(float.IsFinite(v), $"{name}: value {v}"));
        if (name == "binary_step")
        {
            Assert.False(y.RequiresGrad); // a step has derivative 0 wherever it has one: nothing to propagate
            return;
        }
        (y * Tensor.Arange(7).Reshape(1, 7)).Sum().Backward();
        Assert.All(x.Grad!.ToArray(), g => Assert.True(float.IsFinite(g), $"{name}: gradient {g}"));
    }

    [Fact]
    public void Derivatives_at_zero_take_the_textbook_values()
    {
        (string Name, Func<Tensor, Tensor> F, float Expected)[] rows =
        [
            ("sigmoid", Functional.Sigmoid, 0.25f),
            ("tanh", Functional.Tanh, 1f),
            ("softplus", x => Functional.Softplus(x), 0.5f),
            ("softplus beta 3", x => Functional.Softplus(x, 3f), 0.5f),
            ("gelu", x => Functional.Gelu(x), 0.5f),
            ("silu", Functional.Silu, 0.5f),
            ("hard_sigmoid", Functional.HardSigmoid, 1f / 6f),
            ("elu", x => Functional.Elu(x), 1f), // left limit α·e⁰ = 1 agrees with the right one
        ];
        foreach (var (name, f, expected) in rows)
        {
            var x = Tensor.Scalar(0f).RequireGrad();
            f(x).Backward();
            Assert.True(MathF.Abs(x.Grad!.Item() - expected) < 1e-6f, $"{name}'(0) = {x.Grad.Item()}, expected {expected}");
        }
    }

    [Fact]
    public void Softmax_rows_sum_to_one_even_for_huge_logits_and_log_softmax_agrees()
    {
        var logits = Tensor.From(new float[,] { { 1e4f, 0f, -1e4f }, { 3f, 3f, 3f } });
        var p = Functional.Softmax(logits, 1);
        Assert.Equal([1f, 0f, 0f], p.Select(0, 0).ToArray());
        Assert.True(p.Sum(1).AllClose(Tensor.Ones(2)));
        var logP = Functional.LogSoftmax(logits, 1);
        Assert.Equal(-2e4f, logP.Select(0, 0).ToArray()[2]);
        Assert.True(logP.Select(0, 1).AllClose(Tensor.Full([3], -MathF.Log(3f))));
    }

    [Fact]
    public void Unknown_activation_names_list_the_choices()
    {
        var error = Assert.Throws<ArgumentException>(() => ActivationLayer.Create("swishy"));
        Assert.Contains("Unknown activation 'swishy'", error.Message);
        Assert.Contains("leaky_relu", error.Message);
    }
}
