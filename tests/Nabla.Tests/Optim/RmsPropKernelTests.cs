using Nabla.Optim;
using Nabla.Tests.Support;

namespace Nabla.Tests.Optim;

/// <summary>
/// The one-pass RMSprop kernel against the composed tensor update it replaces (kept as the reference), on lengths that
/// exercise the vector loop and its scalar tail, for every variant; and its flushing of subnormal running averages.
/// </summary>
public class RmsPropKernelTests
{
    public static TheoryData<string, int> Variants()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in new[] { "plain", "weight decay", "centered", "momentum", "centered momentum", "no eps" })
        {
            foreach (var n in new[] { 3, 8, 37 }) data.Add(name, n);
        }
        return data;
    }

    private static Optimizer Create(string name, Tensor w) => name switch
    {
        "plain" => new RmsProp([w], 0.05f),
        "weight decay" => new RmsProp([w], 0.05f, alpha: 0.9f, eps: 0.01f, weightDecay: 0.2f),
        "centered" => new RmsProp([w], 0.02f, alpha: 0.8f, centered: true),
        "momentum" => new RmsProp([w], 0.02f, momentum: 0.9f),
        "centered momentum" => new RmsProp([w], 0.01f, alpha: 0.7f, momentum: 0.5f, centered: true, weightDecay: 0.1f),
        _ => new RmsProp([w], 0.05f, eps: 0f),
    };

    private static float[] Train(string name, int n, bool fused)
    {
        var saved = RmsProp.UseFusedKernel;
        RmsProp.UseFusedKernel = fused;
        try
        {
            return OptimizerRuns.SixSteps(w => Create(name, w), n, seed: 13);
        }
        finally
        {
            RmsProp.UseFusedKernel = saved;
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void The_fused_step_matches_the_composed_update(string name, int n)
    {
        var composed = Train(name, n, fused: false);
        var fused = Train(name, n, fused: true);
        Assert.NotEqual(composed, Tensor.Randn([n], new Generator(13)).ToArray()); // the weights moved
        Check.Close(composed, Tensor.FromArray(fused), rtol: 1e-5, atol: 1e-6, context: $"{name}, {n} weights");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Subnormal_running_averages_become_zero_and_the_weights_move_as_without_flushing(bool centered)
    {
        // g = 1e-20: g² = 1e-40 and (1 − α)·g² are subnormal; with α = 0.99, m = 0.01·g = 1e-22 stays normal.
        var n = 19;
        var w = Tensor.Ones(n).RequireGrad();
        var optimizer = new RmsProp([w], 0.1f, centered: centered);
        optimizer.ZeroGrad();
        (w * 1e-20f).Sum().Backward();
        optimizer.Step();
        Assert.All(optimizer.StateDict()["state.0.square_avg"].ToArray(), x => Assert.Equal(0f, x));
        if (centered) Assert.All(optimizer.StateDict()["state.0.grad_avg"].ToArray(), x => Assert.Equal(1e-22f, x, 1e-27f));
        // √v ≪ eps, so the update is lr · g / eps = 0.1 · 1e-20 / 1e-8 = 1e-13 either way: w stays at 1 in float32.
        Assert.All(w.ToArray(), x => Assert.Equal(1f, x));
    }

    [Fact]
    public void A_subnormal_gradient_counts_as_zero()
    {
        // g = 1e-39 would move w by lr · g / eps = 1e-32 at most: w stays 1, and every running average stays 0.
        var w = Tensor.Ones(21).RequireGrad();
        var optimizer = new RmsProp([w], 0.1f, momentum: 0.9f, centered: true);
        optimizer.ZeroGrad();
        (w * 1e-39f).Sum().Backward();
        Assert.All(w.Grad!.ToArray(), x => Assert.True(x > 0f && x < 1.17549435E-38f, "the gradient is subnormal"));
        optimizer.Step();
        Assert.All(w.ToArray(), x => Assert.Equal(1f, x));
        foreach (var buffer in new[] { "square_avg", "grad_avg", "momentum_buffer" })
        {
            Assert.All(optimizer.StateDict()[$"state.0.{buffer}"].ToArray(), x => Assert.Equal(0f, x));
        }
    }

    [Fact]
    public void Without_eps_a_subnormal_square_average_is_kept()
    {
        var w = Tensor.Ones(9).RequireGrad();
        var optimizer = new RmsProp([w], 0.1f, eps: 0f);
        optimizer.ZeroGrad();
        (w * 1e-20f).Sum().Backward();
        optimizer.Step();
        Assert.All(optimizer.StateDict()["state.0.square_avg"].ToArray(), x => Assert.True(x > 0f));
        Assert.All(w.ToArray(), x => Assert.True(float.IsFinite(x)));
    }

    [Fact]
    public void A_matrix_parameter_read_through_transposed_views_is_updated_as_by_the_composed_update()
    {
        var fused = Tensor.Randn([4, 6], new Generator(3)).RequireGrad();
        var reference = Tensor.Randn([4, 6], new Generator(3)).RequireGrad();
        var optimizers = new[] { new RmsProp([fused], 0.05f), new RmsProp([reference], 0.05f) };
        for (var k = 0; k < 2; k++)
        {
            var saved = RmsProp.UseFusedKernel;
            RmsProp.UseFusedKernel = k == 0;
            try
            {
                var w = k == 0 ? fused : reference;
                optimizers[k].ZeroGrad();
                (w.T * w.T * 0.5f).Sum().Backward();
                optimizers[k].Step();
            }
            finally
            {
                RmsProp.UseFusedKernel = saved;
            }
        }
        Check.Close(reference.ToArray(), fused, rtol: 1e-5, atol: 1e-6, context: "4x6 parameter");
    }
}
