using Nabla.Optim;
using Nabla.Tests.Support;

namespace Nabla.Tests.Optim;

/// <summary>Gradient clipping and penalty terms against hand calculations.</summary>
public class ClippingAndRegularizationTests
{
    private static (Tensor A, Tensor B, Tensor NoGrad) Parameters()
    {
        var a = Tensor.Zeros(2).RequireGrad();
        var b = Tensor.Zeros(1, 1).RequireGrad();
        a.Grad = Tensor.FromArray(3f, -4f);
        b.Grad = Tensor.FromArray([12f], 1, 1);
        return (a, b, Tensor.Zeros(3).RequireGrad());
    }

    public static TheoryData<float, double> Norms() => new()
    {
        { 2f, 13.0 },                                  // √(9 + 16 + 144)
        { 1f, 19.0 },                                  // 3 + 4 + 12
        { float.PositiveInfinity, 12.0 },              // the largest |g|
        { 3f, Math.Pow(27 + 64 + 1728, 1.0 / 3) },
    };

    [Theory]
    [MemberData(nameof(Norms))]
    public void Global_norm_is_returned_and_gradients_are_scaled_to_the_maximum(float normType, double norm)
    {
        var (a, b, c) = Parameters();
        var maxNorm = (float)(norm / 2);
        var total = GradientClipping.ClipByGlobalNorm([a, b, c], maxNorm, normType);
        Assert.Equal(norm, total, tolerance: 1e-6 * norm);
        var scale = maxNorm / (norm + 1e-6);
        Assert.Equal(3 * scale, a.Grad!.ToArray()[0], 5);
        Assert.Equal(-4 * scale, a.Grad!.ToArray()[1], 5);
        Assert.Equal(12 * scale, b.Grad!.ToArray()[0], 5);
        Assert.Null(c.Grad);
    }

    [Fact]
    public void Global_norm_below_the_maximum_or_not_finite_leaves_gradients_alone()
    {
        var (a, b, _) = Parameters();
        Assert.Equal(13f, GradientClipping.ClipByGlobalNorm([a, b], 13.5f), 5);
        Assert.Equal([3f, -4f], a.Grad!.ToArray());
        Assert.Equal(0f, GradientClipping.ClipByGlobalNorm([Tensor.Zeros(2).RequireGrad()], 1f));
        a.Grad = Tensor.FromArray(float.NaN, 1f);
        Assert.True(float.IsNaN(GradientClipping.ClipByGlobalNorm([a, b], 1f)));
        Assert.Equal([12f], b.Grad!.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm([a], -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm([a], 1f, normType: 0f));
    }

    [Fact]
    public void Value_clipping_limits_each_element()
    {
        var (a, b, c) = Parameters();
        b.Grad = Tensor.FromArray([0.5f], 1, 1);
        GradientClipping.ClipByValue([a, b, c], 1f);
        Assert.Equal([1f, -1f], a.Grad!.ToArray());
        Assert.Equal([0.5f], b.Grad!.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue([a], -1f));
    }

    [Fact]
    public void Penalties_have_the_stated_values_and_gradients()
    {
        var w1 = Tensor.FromArray(1f, -2f).RequireGrad();
        var w2 = Tensor.FromArray([0.5f, -0.25f], 1, 2).RequireGrad();
        var l1 = Regularization.L1([w1, w2], 0.1f);
        Assert.Equal(0.1 * (1 + 2 + 0.5 + 0.25), l1.Item(), 6);
        l1.Backward();
        Assert.Equal([0.1f, -0.1f], w1.Grad!.ToArray());
        Assert.Equal([0.1f, -0.1f], w2.Grad!.ToArray());

        w1.Grad = null;
        w2.Grad = null;
        var l2 = Regularization.L2([w1, w2], 0.1f);
        Assert.Equal(0.1 * (1 + 4 + 0.25 + 0.0625), l2.Item(), 6);
        l2.Backward();
        Assert.Equal([0.2f, -0.4f], w1.Grad!.ToArray());
        Assert.Equal([0.1f, -0.05f], w2.Grad!.ToArray());

        Assert.Equal(0f, Regularization.L2([], 1f).Item());
        Assert.Contains("Regularization.L1", Assert.Throws<ArgumentOutOfRangeException>(() => Regularization.L1([w1], -1f)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Weight_decay_lambda_equals_an_L2_penalty_of_lambda_over_two()
    {
        var decayed = Tensor.FromArray(1f, -2f, 3f).RequireGrad();
        var penalised = Tensor.FromArray(1f, -2f, 3f).RequireGrad();
        var withDecay = new Sgd([decayed], 0.1f, momentum: 0.9f, weightDecay: 0.2f);
        var withPenalty = new Sgd([penalised], 0.1f, momentum: 0.9f);
        for (var step = 0; step < 3; step++)
        {
            withDecay.ZeroGrad();
            withPenalty.ZeroGrad();
            decayed.Sum().Backward();
            (penalised.Sum() + Regularization.L2([penalised], 0.1f)).Backward();
            withDecay.Step();
            withPenalty.Step();
        }
        // λ·w against autograd's 2·(λ/2)·w: equal up to float rounding.
        Check.Close(decayed.ToArray(), penalised, rtol: 1e-6, context: "weight decay vs L2 penalty");
        Assert.NotEqual([1f, -2f, 3f], decayed.ToArray());
    }
}
