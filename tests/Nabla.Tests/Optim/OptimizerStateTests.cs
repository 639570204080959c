using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Tests.Optim;

/// <summary>Checkpointing: an optimizer restored from a state dict continues bit for bit; mismatches are named.</summary>
public class OptimizerStateTests
{
    private static readonly Dictionary<string, Func<IEnumerable<ParamGroup>, Optimizer>> Variants = new()
    {
        ["sgd nesterov"] = g => new Sgd(g, 0.05f, momentum: 0.9f, nesterov: true, weightDecay: 0.01f),
        ["adagrad"] = g => new Adagrad(g, 0.1f, lrDecay: 0.01f),
        ["rmsprop centered momentum"] = g => new RmsProp(g, 0.01f, momentum: 0.5f, centered: true),
        ["adam amsgrad"] = g => new Adam(g, 0.05f, beta2: 0.9f, amsgrad: true),
        ["adamw"] = g => new AdamW(g, 0.05f),
        ["adamax"] = g => new Adamax(g, 0.05f),
        ["nadam"] = g => new NAdam(g, 0.05f),
    };

    public static TheoryData<string> Names() => [.. Variants.Keys];

    private static readonly Tensor X = Tensor.Randn([8, 3], new Generator(5));
    private static readonly Tensor Y = Tensor.Randn([8, 2], new Generator(6));

    /// <summary>Two parameters in two groups (the second with half the rate), trained on a small tanh regression.</summary>
    private static (Tensor W, Tensor B, Optimizer Optimizer) Setup(string name, float[] w, float[] b, float? learningRate = null)
    {
        var weight = Tensor.FromArray(w, 3, 2).RequireGrad();
        var bias = Tensor.FromArray(b, 2).RequireGrad();
        var optimizer = Variants[name]([new ParamGroup([weight], learningRate: learningRate), new ParamGroup([bias], learningRate: 0.5f * (learningRate ?? 0.05f))]);
        return (weight, bias, optimizer);
    }

    private static void Train(Tensor w, Tensor b, Optimizer optimizer, int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            optimizer.ZeroGrad();
            var diff = (X.MatMul(w) + b).Tanh() - Y;
            (diff * diff).Mean().Backward();
            optimizer.Step();
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_restored_optimizer_continues_bit_identically(string name)
    {
        var w0 = Tensor.Randn([3, 2], new Generator(7)).ToArray();
        var b0 = Tensor.Randn([2], new Generator(8)).ToArray();

        var (w, b, optimizer) = Setup(name, w0, b0);
        Train(w, b, optimizer, 5);

        var (w1, b1, first) = Setup(name, w0, b0);
        Train(w1, b1, first, 3);
        var saved = first.StateDict().Clone();
        // A different learning rate on purpose: the state dict restores the hyperparameters too.
        var (w2, b2, resumed) = Setup(name, w1.ToArray(), b1.ToArray(), learningRate: 9f);
        resumed.LoadStateDict(saved);
        Train(w2, b2, resumed, 2);

        Assert.Equal(w.ToArray(), w2.ToArray());
        Assert.Equal(b.ToArray(), b2.ToArray());

        // Without the state the continuation differs, so the comparison above is meaningful.
        var (w3, b3, fresh) = Setup(name, w1.ToArray(), b1.ToArray());
        Train(w3, b3, fresh, 2);
        Assert.NotEqual(w.ToArray(), w3.ToArray());
    }

    [Fact]
    public void State_dict_has_documented_keys_and_values()
    {
        var (w, b, optimizer) = Setup("adam amsgrad", new float[6], [1f, 2f]);
        Train(w, b, optimizer, 3);
        var state = optimizer.StateDict();
        Assert.Equal([0f], state["group.0.params"].ToArray());
        Assert.Equal([1f], state["group.1.params"].ToArray());
        Assert.Equal(0.05f, state["group.0.lr"].Item());
        Assert.Equal(0.025f, state["group.1.lr"].Item());
        Assert.Equal(0.9f, state["group.0.beta2"].Item());
        Assert.Equal(1f, state["group.1.amsgrad"].Item());
        Assert.Equal(3f, state["state.1.step"].Item());
        Assert.Equal(b.Shape, state["state.1.exp_avg"].Shape);
        Assert.Equal(w.Shape, state["state.0.max_exp_avg_sq"].Shape);
        Assert.All(state.Where(kv => kv.Key.StartsWith("group.", StringComparison.Ordinal) && !kv.Key.EndsWith(".params", StringComparison.Ordinal)), kv => Assert.Equal(1, kv.Value.Count));
    }

    [Fact]
    public void Mismatched_state_is_rejected_with_the_problem_and_nothing_changes()
    {
        var (w, b, adam) = Setup("adam amsgrad", new float[6], [1f, 2f]);
        Train(w, b, adam, 1);
        var adamState = adam.StateDict();

        var (_, _, sgd) = Setup("sgd nesterov", new float[6], [1f, 2f]);
        var error = Assert.Throws<ArgumentException>(() => sgd.LoadStateDict(adamState)).Message;
        Assert.Contains("Sgd.LoadStateDict", error, StringComparison.Ordinal);
        Assert.Contains("'state.0.exp_avg'", error, StringComparison.Ordinal);
        Assert.Contains("'group.0.beta1'", error, StringComparison.Ordinal);
        Assert.Equal(0.05f, sgd.LearningRate);

        var single = new Adam([Tensor.Zeros(3, 2).RequireGrad()], 0.05f);
        Assert.Contains("parameter group 1 but this optimizer has 1 group(s)", Assert.Throws<ArgumentException>(() => single.LoadStateDict(adamState)).Message, StringComparison.Ordinal);

        var otherShapes = new Adam([new ParamGroup([Tensor.Zeros(2, 3).RequireGrad()]), new ParamGroup([Tensor.Zeros(2).RequireGrad()])]);
        Assert.Contains("'state.0.exp_avg' has shape [3, 2] but parameter 0 has shape [2, 3]", Assert.Throws<ArgumentException>(() => otherShapes.LoadStateDict(adamState)).Message, StringComparison.Ordinal);

        var partial = new StateDict();
        foreach (var (key, value) in adamState.Where(kv => !kv.Key.StartsWith("group.1.", StringComparison.Ordinal))) partial.Add(key, value);
        Assert.Contains("group(s) 1", Assert.Throws<ArgumentException>(() => adam.LoadStateDict(partial)).Message, StringComparison.Ordinal);

        var garbled = new StateDict { ["group.0.params"] = Tensor.FromArray(0f), ["group.1.params"] = Tensor.FromArray(1f), ["state.0.step"] = Tensor.FromArray(1.5f), ["weights"] = Tensor.Zeros(1) };
        var message = Assert.Throws<ArgumentException>(() => adam.LoadStateDict(garbled)).Message;
        Assert.Contains("whole number", message, StringComparison.Ordinal);
        Assert.Contains("'weights'", message, StringComparison.Ordinal);
        Assert.Equal(1f, adam.StateDict()["state.0.step"].Item());
    }
}
