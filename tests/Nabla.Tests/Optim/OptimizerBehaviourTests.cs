using Nabla.Optim;

namespace Nabla.Tests.Optim;

/// <summary>Parameter groups, which parameters a step touches, option checks, scopes and the registry.</summary>
public class OptimizerBehaviourTests
{
    [Fact]
    public void Groups_use_their_own_learning_rate_and_options()
    {
        var a = Tensor.FromArray(1f, 2f).RequireGrad();
        var b = Tensor.FromArray(3f).RequireGrad();
        var optimizer = new Sgd([new ParamGroup([a]), new ParamGroup([b], learningRate: 0.01f) { ["momentum"] = 0.5f }], learningRate: 0.1f);
        Assert.Equal(0f, optimizer.ParamGroups[0]["momentum"]);
        Assert.Equal(0.1f, optimizer.ParamGroups[0].LearningRate);
        Assert.Equal(0.5f, optimizer.ParamGroups[1]["momentum"]);
        a.Grad = Tensor.FromArray(1f, -2f);
        b.Grad = Tensor.FromArray(4f);
        optimizer.Step();
        // Group 0: plain steps of 0.1·g. Group 1: the first momentum buffer is g itself, then 0.5·4 + 4 = 6.
        Assert.Equal([1f - 0.1f * 1f, 2f + 0.1f * 2f], a.ToArray());
        Assert.Equal([3f - 0.01f * 4f], b.ToArray());
        optimizer.Step();
        Assert.Equal(1f - 0.1f - 0.1f, a.ToArray()[0], 6);
        Assert.Equal(3f - 0.04f - 0.01f * 6f, b.ToArray()[0], 6);
    }

    [Fact]
    public void Setting_the_learning_rate_sets_every_group()
    {
        var optimizer = new Adam([new ParamGroup([Tensor.Ones(2).RequireGrad()], learningRate: 1f), new ParamGroup([Tensor.Ones(1).RequireGrad()])], learningRate: 2f);
        Assert.Equal(1f, optimizer.LearningRate);
        optimizer.LearningRate = 0.25f;
        Assert.All(optimizer.ParamGroups, g => Assert.Equal(0.25f, g.LearningRate));
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.LearningRate = -1f);
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Parameters_without_gradient_and_frozen_ones_are_untouched(string name)
    {
        var used = Tensor.FromArray(1f, -1f).RequireGrad();
        var unused = Tensor.FromArray(2f, -2f).RequireGrad();
        var frozen = Tensor.FromArray(3f, -3f).RequireGrad();
        // Weight decay would move any parameter the optimizer visited, even with a zero gradient.
        var optimizer = Optimizers.Create(name, [used, unused, frozen], 0.1f, new Dictionary<string, float> { ["weight_decay"] = 0.5f });
        used.Grad = Tensor.FromArray(0.5f, 0.5f);
        frozen.Grad = Tensor.FromArray(0.5f, 0.5f);
        frozen.RequiresGrad = false;
        optimizer.Step();
        optimizer.Step();
        Assert.NotEqual([1f, -1f], used.ToArray());
        Assert.Equal([2f, -2f], unused.ToArray());
        Assert.Equal([3f, -3f], frozen.ToArray());
        Assert.DoesNotContain(optimizer.StateDict().Keys, k => k.StartsWith("state.1.", StringComparison.Ordinal) || k.StartsWith("state.2.", StringComparison.Ordinal));
    }

    public static TheoryData<string> OptimizerNames() => [.. Optimizers.Names];

    [Fact]
    public void ZeroGrad_zeros_in_place_or_drops_the_gradients()
    {
        var w = Tensor.Ones(3).RequireGrad();
        var optimizer = new Sgd([w], 0.1f);
        (w * w).Sum().Backward();
        var buffer = w.Grad!;
        optimizer.ZeroGrad();
        Assert.Same(buffer, w.Grad);
        Assert.Equal(new float[3], w.Grad!.ToArray());
        optimizer.ZeroGrad(setToNone: true);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void State_buffers_are_made_once_and_survive_tensor_scopes()
    {
        float[] Train(bool scoped)
        {
            var w = Tensor.FromArray(1f, -2f, 3f).RequireGrad();
            var optimizer = new Adam([w], 0.1f, amsgrad: true);
            Tensor? firstBuffer = null;
            for (var step = 0; step < 5; step++)
            {
                var scope = scoped ? TensorScope.Begin() : null;
                try
                {
                    optimizer.ZeroGrad();
                    (w * w * w).Sum().Backward();
                    optimizer.Step();
                    var buffer = optimizer.StateDict()["state.0.exp_avg"];
                    firstBuffer ??= buffer;
                    Assert.Same(firstBuffer.Storage, buffer.Storage);
                }
                finally
                {
                    scope?.Dispose();
                }
            }
            return w.ToArray();
        }
        Assert.Equal(Train(scoped: false), Train(scoped: true));
    }

    [Fact]
    public void Bad_parameters_and_options_are_reported_with_the_optimizer_name()
    {
        var w = Tensor.Ones(2).RequireGrad();
        Assert.Contains("not a leaf", Assert.Throws<ArgumentException>(() => new Sgd([w * 2f], 0.1f)).Message, StringComparison.Ordinal);
        Assert.Contains("more than once", Assert.Throws<ArgumentException>(() => new Adam([new ParamGroup([w]), new ParamGroup([w])])).Message, StringComparison.Ordinal);
        Assert.Contains("no parameters", Assert.Throws<ArgumentException>(() => new Adam(Array.Empty<Tensor>())).Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<ArgumentException>(() => new Adam([new ParamGroup([w]) { ["mometum"] = 0.9f }])).Message;
        Assert.Contains("mometum", unknown, StringComparison.Ordinal);
        Assert.Contains("beta1", unknown, StringComparison.Ordinal);
        Assert.Contains("Sgd: option lr", Assert.Throws<ArgumentException>(() => new Sgd([w], -0.1f)).Message, StringComparison.Ordinal);
        Assert.Contains("Nesterov", Assert.Throws<ArgumentException>(() => new Sgd([w], 0.1f, nesterov: true)).Message, StringComparison.Ordinal);
        Assert.Contains("AdamW: option beta2", Assert.Throws<ArgumentException>(() => new AdamW([w], beta2: 1f)).Message, StringComparison.Ordinal);
        Assert.Contains("RmsProp: option alpha", Assert.Throws<ArgumentException>(() => new RmsProp([w], alpha: 1.5f)).Message, StringComparison.Ordinal);
        Assert.Contains("Adagrad: option eps", Assert.Throws<ArgumentException>(() => new Adagrad([w], eps: -1f)).Message, StringComparison.Ordinal);
        Assert.Contains("NAdam: option momentum_decay", Assert.Throws<ArgumentException>(() => new NAdam([w], momentumDecay: -1f)).Message, StringComparison.Ordinal);
        var optimizer = new Sgd([w], 0.1f);
        w.Grad = Tensor.Ones(3);
        Assert.Contains("gradient has shape [3]", Assert.Throws<InvalidOperationException>(optimizer.Step).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_lists_the_options()
    {
        var optimizer = new Sgd([Tensor.Ones(1).RequireGrad()], 0.5f, momentum: 0.9f, nesterov: true);
        Assert.Equal("Sgd(lr=0.5, weight_decay=0, momentum=0.9, dampening=0, nesterov=1, l1=0)", optimizer.ToString());
    }

    [Fact]
    public void Registry_creates_every_optimizer_with_options()
    {
        var types = new Dictionary<string, Type>
        {
            ["sgd"] = typeof(Sgd), ["adagrad"] = typeof(Adagrad), ["rmsprop"] = typeof(RmsProp), ["adam"] = typeof(Adam),
            ["adamw"] = typeof(AdamW), ["adamax"] = typeof(Adamax), ["nadam"] = typeof(NAdam),
        };
        Assert.Equal(types.Keys.Order(), Optimizers.Names.Order());
        foreach (var name in Optimizers.Names)
        {
            var optimizer = Optimizers.Create(name.ToUpperInvariant(), [Tensor.Ones(2).RequireGrad()], 0.125f, new Dictionary<string, float> { ["weightDecay"] = 0.5f });
            Assert.IsType(types[name], optimizer);
            Assert.Equal(0.125f, optimizer.LearningRate);
            Assert.Equal(0.5f, optimizer.ParamGroups[0].WeightDecay);
            Assert.False(string.IsNullOrWhiteSpace(Optimizers.Describe(name)));
        }
        var sgd = Optimizers.Create("sgd", [Tensor.Ones(2).RequireGrad()], 0.1f, new Dictionary<string, float> { ["momentum"] = 0.9f, ["Nesterov"] = 1f });
        Assert.True(sgd.ParamGroups[0]["nesterov"] == 1f && sgd.ParamGroups[0]["momentum"] == 0.9f);
        Assert.Contains("known: sgd", Assert.Throws<ArgumentException>(() => Optimizers.Create("lbfgs", [Tensor.Ones(1).RequireGrad()], 0.1f)).Message, StringComparison.Ordinal);
        Assert.Contains("no option 'momentum'", Assert.Throws<ArgumentException>(() => Optimizers.Create("adam", [Tensor.Ones(1).RequireGrad()], 0.1f, new Dictionary<string, float> { ["momentum"] = 0.9f })).Message, StringComparison.Ordinal);
        // Options given by name are validated like constructor arguments.
        Assert.Contains("Nesterov", Assert.Throws<ArgumentException>(() => Optimizers.Create("sgd", [Tensor.Ones(1).RequireGrad()], 0.1f, new Dictionary<string, float> { ["nesterov"] = 1f })).Message, StringComparison.Ordinal);
    }
}
