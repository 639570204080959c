using Nabla.Optim;
using Nabla.Tests.Support;

namespace Nabla.Tests.Optim;

/// <summary>
/// The one-pass Adam kernel against the composed tensor update it replaces (kept as the reference), on lengths that
/// exercise the vector loop and its scalar tail, for every variant; and its flushing of subnormal moments.
/// </summary>
public class AdamKernelTests
{
    public static TheoryData<string, int> Variants()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in new[] { "adam", "adam l2", "adam amsgrad", "adamw", "adamw amsgrad" })
        {
            foreach (var n in new[] { 3, 8, 37 }) data.Add(name, n);
        }
        return data;
    }

    private static Optimizer Create(string name, Tensor w) => name switch
    {
        "adam" => new Adam([w], 0.05f),
        "adam l2" => new Adam([w], 0.05f, beta1: 0.8f, beta2: 0.9f, eps: 0.01f, weightDecay: 0.2f),
        "adam amsgrad" => new Adam([w], 0.05f, beta2: 0.5f, amsgrad: true),
        "adamw" => new AdamW([w], 0.05f, weightDecay: 0.3f),
        _ => new AdamW([w], 0.05f, beta2: 0.5f, weightDecay: 0.3f, amsgrad: true),
    };

    private static float[] Train(string name, int n, bool fused)
    {
        var saved = Adam.UseFusedKernel;
        Adam.UseFusedKernel = fused;
        try
        {
            return OptimizerRuns.SixSteps(w => Create(name, w), n, seed: 11);
        }
        finally
        {
            Adam.UseFusedKernel = saved;
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void The_fused_step_matches_the_composed_update(string name, int n)
    {
        var composed = Train(name, n, fused: false);
        var fused = Train(name, n, fused: true);
        Assert.NotEqual(Train(name, n, fused: false), Tensor.Randn([n], new Generator(11)).ToArray()); // the weights moved
        Check.Close(composed, Tensor.FromArray(fused), rtol: 1e-5, atol: 1e-6, context: $"{name}, {n} weights");
    }

    [Fact]
    public void Subnormal_moments_become_zero_and_the_weights_move_as_without_flushing()
    {
        // g = 1e-20: g² = 1e-40 and (1 − β₂)·g² are subnormal; m = (1 − β₁)·g = 1e-21 stays normal.
        var n = 19;
        var w = Tensor.Ones(n).RequireGrad();
        var optimizer = new Adam([w], 0.1f);
        optimizer.ZeroGrad();
        (w * 1e-20f).Sum().Backward();
        optimizer.Step();
        var v = optimizer.StateDict()["state.0.exp_avg_sq"].ToArray();
        Assert.All(v, x => Assert.Equal(0f, x));
        var m = optimizer.StateDict()["state.0.exp_avg"].ToArray();
        Assert.All(m, x => Assert.Equal(1e-21f, x, 1e-27f));
        // √v̂ ≪ eps, so the update is lr · m̂ / eps = 0.1 · 1e-20 / 1e-8 = 1e-13 either way: w stays at 1 in float32.
        Assert.All(w.ToArray(), x => Assert.Equal(1f, x));
    }

    [Fact]
    public void A_subnormal_gradient_counts_as_zero()
    {
        // g = 1e-39 would give m = 1e-40, itself flushed: the weights stay at 1 and both moments at 0.
        var w = Tensor.Ones(21).RequireGrad();
        var optimizer = new AdamW([w], 0.1f, weightDecay: 0f);
        optimizer.ZeroGrad();
        (w * 1e-39f).Sum().Backward();
        Assert.All(w.Grad!.ToArray(), x => Assert.True(x > 0f && x < 1.17549435E-38f, "the gradient is subnormal"));
        optimizer.Step();
        Assert.All(w.ToArray(), x => Assert.Equal(1f, x));
        Assert.All(optimizer.StateDict()["state.0.exp_avg"].ToArray(), x => Assert.Equal(0f, x));
        Assert.All(optimizer.StateDict()["state.0.exp_avg_sq"].ToArray(), x => Assert.Equal(0f, x));
    }

    [Fact]
    public void An_empty_parameter_is_stepped_without_error()
    {
        var w = Tensor.Zeros(0).RequireGrad();
        var optimizer = new Adam([w], 0.1f);
        using (Autograd.NoGrad()) w.Grad = Tensor.Zeros(0);
        optimizer.Step();
        Assert.Equal(0, w.Count);
    }

    [Fact]
    public void Without_eps_a_subnormal_second_moment_is_kept()
    {
        var w = Tensor.Ones(9).RequireGrad();
        var optimizer = new Adam([w], 0.1f, eps: 0f);
        optimizer.ZeroGrad();
        (w * 1e-20f).Sum().Backward();
        optimizer.Step();
        Assert.All(optimizer.StateDict()["state.0.exp_avg_sq"].ToArray(), x => Assert.True(x > 0f));
        Assert.All(w.ToArray(), x => Assert.True(float.IsFinite(x)));
    }
}
