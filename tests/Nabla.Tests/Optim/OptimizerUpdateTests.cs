using Nabla.Optim;
using Nabla.Tests.Support;

namespace Nabla.Tests.Optim;

/// <summary>
/// The first three updates of every optimizer and option variant on f(w) = Σ aᵢ·(wᵢ − cᵢ)², against the
/// double-precision reference rules in <see cref="ReferenceOptimizer"/>. Hyperparameters are chosen so
/// every term matters (large eps, strong decay, a β₂ small enough for amsgrad's maximum to take over).
/// </summary>
public class OptimizerUpdateTests
{
    private static readonly double[] W0 = [2.0, 1.5, 0.8];
    private static readonly double[] C = [0.5, -1.0, 0.5];
    private static readonly double[] A = [1.0, 3.0, 1.0];

    private sealed record Case(Func<Tensor[], Optimizer> Create, Func<ReferenceOptimizer> Reference);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["sgd"] = new(p => new Sgd(p, 0.1f), () => new ReferenceSgd(0.1f)),
        ["sgd momentum"] = new(p => new Sgd(p, 0.1f, momentum: 0.9f), () => new ReferenceSgd(0.1f, momentum: 0.9f)),
        ["sgd momentum dampening"] = new(p => new Sgd(p, 0.1f, momentum: 0.9f, dampening: 0.3f), () => new ReferenceSgd(0.1f, momentum: 0.9f, dampening: 0.3f)),
        ["sgd nesterov"] = new(p => new Sgd(p, 0.1f, momentum: 0.9f, nesterov: true), () => new ReferenceSgd(0.1f, momentum: 0.9f, nesterov: true)),
        ["sgd weight decay"] = new(p => new Sgd(p, 0.1f, momentum: 0.5f, weightDecay: 0.2f), () => new ReferenceSgd(0.1f, momentum: 0.5f, weightDecay: 0.2f)),
        ["sgd l1"] = new(p => new Sgd(p, 0.1f, l1: 0.3f), () => new ReferenceSgd(0.1f, l1: 0.3f)),
        ["adagrad"] = new(p => new Adagrad(p, 0.5f), () => new ReferenceAdagrad(0.5f)),
        ["adagrad lr decay, accumulator, decay, eps"] = new(
            p => new Adagrad(p, 0.5f, lrDecay: 0.1f, weightDecay: 0.2f, initialAccumulatorValue: 0.5f, eps: 0.1f),
            () => new ReferenceAdagrad(0.5f, lrDecay: 0.1f, weightDecay: 0.2f, initialAccumulator: 0.5f, eps: 0.1f)),
        ["rmsprop"] = new(p => new RmsProp(p, 0.01f, alpha: 0.9f), () => new ReferenceRmsProp(0.01f, alpha: 0.9f)),
        ["rmsprop centered"] = new(p => new RmsProp(p, 0.01f, alpha: 0.9f, centered: true), () => new ReferenceRmsProp(0.01f, alpha: 0.9f, centered: true)),
        ["rmsprop momentum"] = new(p => new RmsProp(p, 0.01f, alpha: 0.9f, momentum: 0.8f), () => new ReferenceRmsProp(0.01f, alpha: 0.9f, momentum: 0.8f)),
        ["rmsprop centered momentum decay eps"] = new(
            p => new RmsProp(p, 0.01f, alpha: 0.9f, eps: 0.1f, weightDecay: 0.2f, momentum: 0.8f, centered: true),
            () => new ReferenceRmsProp(0.01f, alpha: 0.9f, eps: 0.1f, weightDecay: 0.2f, momentum: 0.8f, centered: true)),
        ["adam"] = new(p => new Adam(p, 0.1f), () => new ReferenceAdam(0.1f, beta1: 0.9f, beta2: 0.999f, eps: 1e-8f)),
        ["adam betas, decay, eps"] = new(
            p => new Adam(p, 0.1f, beta1: 0.8f, beta2: 0.9f, eps: 0.1f, weightDecay: 0.2f),
            () => new ReferenceAdam(0.1f, beta1: 0.8f, beta2: 0.9f, eps: 0.1f, weightDecay: 0.2f)),
        ["adam amsgrad"] = new(p => new Adam(p, 0.5f, beta2: 0.5f, amsgrad: true), () => new ReferenceAdam(0.5f, beta1: 0.9f, beta2: 0.5f, eps: 1e-8f, amsgrad: true)),
        ["adamw"] = new(p => new AdamW(p, 0.1f, weightDecay: 0.2f), () => new ReferenceAdam(0.1f, beta1: 0.9f, beta2: 0.999f, eps: 1e-8f, weightDecay: 0.2f, decoupled: true)),
        ["adamw amsgrad"] = new(
            p => new AdamW(p, 0.5f, beta2: 0.5f, weightDecay: 0.2f, amsgrad: true),
            () => new ReferenceAdam(0.5f, beta1: 0.9f, beta2: 0.5f, eps: 1e-8f, weightDecay: 0.2f, amsgrad: true, decoupled: true)),
        ["adamax"] = new(p => new Adamax(p, 0.1f), () => new ReferenceAdamax(0.1f, beta1: 0.9f, beta2: 0.999f, eps: 1e-8f)),
        ["adamax betas, decay, eps"] = new(
            p => new Adamax(p, 0.1f, beta1: 0.8f, beta2: 0.5f, eps: 0.1f, weightDecay: 0.2f),
            () => new ReferenceAdamax(0.1f, beta1: 0.8f, beta2: 0.5f, eps: 0.1f, weightDecay: 0.2f)),
        ["nadam"] = new(p => new NAdam(p, 0.1f), () => new ReferenceNAdam(0.1f, beta1: 0.9f, beta2: 0.999f, eps: 1e-8f, momentumDecay: 4e-3f)),
        ["nadam momentum decay, decay, eps"] = new(
            p => new NAdam(p, 0.1f, beta1: 0.8f, beta2: 0.9f, eps: 0.1f, weightDecay: 0.2f, momentumDecay: 0.5f),
            () => new ReferenceNAdam(0.1f, beta1: 0.8f, beta2: 0.9f, eps: 0.1f, weightDecay: 0.2f, momentumDecay: 0.5f)),
        ["nadam decoupled decay"] = new(
            p => new NAdam(p, 0.1f, weightDecay: 0.2f, decoupledWeightDecay: true),
            () => new ReferenceNAdam(0.1f, beta1: 0.9f, beta2: 0.999f, eps: 1e-8f, weightDecay: 0.2f, momentumDecay: 4e-3f, decoupled: true)),
    };

    public static TheoryData<string> Names() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void First_three_updates_match_the_reference(string name)
    {
        var c = Cases[name];
        var w = Tensor.FromArray(Array.ConvertAll(W0, v => (float)v)).RequireGrad();
        var a = Tensor.FromArray(Array.ConvertAll(A, v => (float)v));
        var target = Tensor.FromArray(Array.ConvertAll(C, v => (float)v));
        var optimizer = c.Create([w]);
        var reference = c.Reference();
        var expected = (double[])W0.Clone();
        for (var step = 1; step <= 3; step++)
        {
            optimizer.ZeroGrad();
            var diff = w - target;
            (a * diff * diff).Sum().Backward();
            optimizer.Step();
            var g = new double[expected.Length];
            for (var i = 0; i < g.Length; i++) g[i] = 2 * A[i] * (expected[i] - C[i]);
            reference.Step(expected, g);
            Check.Close(new NdArray((double[])expected.Clone(), [expected.Length]), w, rtol: 1e-6, atol: 1e-7, context: $"{name}, step {step}");
        }
        if (name.Contains("amsgrad", StringComparison.Ordinal))
        {
            Assert.True(((ReferenceAdam)reference).MaximumMattered, $"{name}: the problem never made amsgrad's maximum differ from the second moment");
        }
    }

    [Fact]
    public void Each_variant_changes_the_trajectory()
    {
        // Guards the table: a variant whose option had no effect would test nothing new.
        var finals = new Dictionary<string, float[]>();
        foreach (var (name, c) in Cases)
        {
            var w = Tensor.FromArray(Array.ConvertAll(W0, v => (float)v)).RequireGrad();
            var optimizer = c.Create([w]);
            for (var step = 0; step < 3; step++)
            {
                optimizer.ZeroGrad();
                var diff = w - Tensor.FromArray(Array.ConvertAll(C, v => (float)v));
                (Tensor.FromArray(Array.ConvertAll(A, v => (float)v)) * diff * diff).Sum().Backward();
                optimizer.Step();
            }
            finals[name] = w.ToArray();
        }
        foreach (var (name, values) in finals)
        {
            var same = finals.Where(kv => kv.Key != name && kv.Value.SequenceEqual(values)).Select(kv => kv.Key).ToList();
            Assert.True(same.Count == 0, $"{name} ends where {string.Join(", ", same)} does");
        }
    }
}
