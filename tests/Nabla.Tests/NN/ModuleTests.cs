using Nabla.NN;

namespace Nabla.Tests.NN;

public class ModuleTests
{
    private sealed class Block : Module
    {
        public Block(int inFeatures, int hidden)
        {
            Fc = Add("fc", new Linear(inFeatures, hidden, generator: new Generator(1)));
            Norm = Add("norm", new BatchNorm1d(hidden));
            Scale = AddParameter("scale", Tensor.Ones(1));
        }

        public Linear Fc { get; }
        public BatchNorm1d Norm { get; }
        public Tensor Scale { get; }

        protected override Tensor Compute(Tensor input) => Norm.Forward(Fc.Forward(input)).Relu() * Scale;
    }

    private sealed class Net : Module
    {
        public Net()
        {
            Body = Add("body", new Block(4, 3));
            Head = Add("head", new Linear(3, 2, generator: new Generator(2)));
        }

        public Block Body { get; }
        public Linear Head { get; }

        protected override Tensor Compute(Tensor input) => Head.Forward(Body.Forward(input));
    }

    [Fact]
    public void Parameters_and_buffers_are_named_by_their_dotted_path_in_registration_order()
    {
        // A module's own parameters come before its children's, as in PyTorch.
        var net = new Net();
        Assert.Equal(["body.scale", "body.fc.weight", "body.fc.bias", "body.norm.weight", "body.norm.bias", "head.weight", "head.bias"],
            net.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(["body.norm.running_mean", "body.norm.running_var", "body.norm.num_batches_tracked"], net.NamedBuffers().Select(b => b.Name).ToArray());
        Assert.Equal(["", "body", "body.fc", "body.norm", "head"], net.NamedModules().Select(m => m.Name).ToArray());
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
        Assert.All(net.NamedBuffers(), b => Assert.False(b.Buffer.RequiresGrad));
        // 4·3 + 3 + 3 + 3 + 1 + 3·2 + 2
        Assert.Equal(30, net.ParameterCount());
    }

    [Fact]
    public void Registering_a_name_twice_or_a_dotted_name_is_an_error()
    {
        var error = Assert.Throws<ArgumentException>(() => new DuplicateNames());
        Assert.Contains("'w' is already registered", error.Message);
        Assert.Contains("not a valid name", Assert.Throws<ArgumentException>(() => new DottedName()).Message);
    }

    private sealed class DuplicateNames : Module
    {
        public DuplicateNames()
        {
            AddParameter("w", Tensor.Zeros(1));
            AddBuffer("w", Tensor.Zeros(1));
        }

        protected override Tensor Compute(Tensor input) => input;
    }

    private sealed class DottedName : Module
    {
        public DottedName() => AddParameter("a.b", Tensor.Zeros(1));

        protected override Tensor Compute(Tensor input) => input;
    }

    [Fact]
    public void A_state_dict_round_trips_into_a_fresh_model()
    {
        var source = new Net();
        using (Autograd.NoGrad()) source.Body.Norm.RunningMean!.CopyFrom(Tensor.FromArray(0.5f, -1f, 2f));
        var target = new Net();
        using (Autograd.NoGrad()) target.Head.Weight.FillInPlace(9f);
        var (missing, unexpected) = target.LoadStateDict(source.StateDict());
        Assert.Empty(missing);
        Assert.Empty(unexpected);
        foreach (var ((name, a), (_, b)) in source.StateDict().Select(kv => (kv.Key, kv.Value)).Zip(target.StateDict().Select(kv => (kv.Key, kv.Value))))
        {
            Assert.True(a.ValueEquals(b), name);
        }
        var x = Tensor.Randn([5, 4], new Generator(3));
        source.Eval();
        target.Eval();
        Assert.True(source.Forward(x).ValueEquals(target.Forward(x)));
        // Loading copies values: the target's parameters stay its own tensors.
        Assert.NotSame(source.Head.Weight, target.Head.Weight);
    }

    [Fact]
    public void StateDict_shares_memory_and_Clone_snapshots()
    {
        var net = new Net();
        var live = net.StateDict();
        var snapshot = live.Clone();
        using (Autograd.NoGrad()) net.Head.Bias!.FillInPlace(3f);
        Assert.Equal([3f, 3f], live["head.bias"].ToArray());
        Assert.NotEqual([3f, 3f], snapshot["head.bias"].ToArray());
    }

    [Fact]
    public void Strict_loading_names_missing_unexpected_and_mis_shaped_keys()
    {
        var net = new Net();
        var state = net.StateDict();
        state.Remove("head.bias");
        state.Add("head.extra", Tensor.Zeros(2));
        var error = Assert.Throws<ArgumentException>(() => net.LoadStateDict(state));
        Assert.Contains("missing keys: head.bias", error.Message);
        Assert.Contains("unexpected keys: head.extra", error.Message);

        var (missing, unexpected) = net.LoadStateDict(state, strict: false);
        Assert.Equal(["head.bias"], missing);
        Assert.Equal(["head.extra"], unexpected);

        var wrong = net.StateDict().Clone();
        wrong["head.weight"] = Tensor.Zeros(3, 2);
        var shapeError = Assert.Throws<ArgumentException>(() => net.LoadStateDict(wrong, strict: false));
        Assert.Contains("head.weight: expected [2, 3], got [3, 2]", shapeError.Message);
    }

    [Fact]
    public void A_failed_load_changes_nothing()
    {
        var net = new Net();
        var before = net.StateDict().Clone();
        var wrong = net.StateDict().Clone();
        using (Autograd.NoGrad()) wrong["body.fc.weight"].FillInPlace(7f);
        wrong["head.weight"] = Tensor.Zeros(1, 1);
        Assert.Throws<ArgumentException>(() => net.LoadStateDict(wrong));
        Assert.True(before["body.fc.weight"].ValueEquals(net.StateDict()["body.fc.weight"]));
    }

    [Fact]
    public void Train_and_Eval_reach_every_descendant()
    {
        var net = new Net();
        Assert.All(net.NamedModules(), m => Assert.True(m.Module.IsTraining));
        net.Eval();
        Assert.All(net.NamedModules(), m => Assert.False(m.Module.IsTraining));
        net.Body.Train();
        Assert.True(net.Body.Norm.IsTraining);
        Assert.False(net.Head.IsTraining);
    }

    [Fact]
    public void A_frozen_sub_module_gets_no_gradients_while_the_rest_trains()
    {
        var net = new Net();
        net.Body.Freeze();
        Assert.Equal(net.Head.ParameterCount(), net.ParameterCount(trainableOnly: true));
        Assert.Equal([net.Head.Weight, net.Head.Bias!], net.TrainableParameters().ToArray());
        net.Forward(Tensor.Randn([6, 4], new Generator(4))).Sum().Backward();
        Assert.All(net.Body.Parameters(), p => Assert.Null(p.Grad));
        Assert.NotNull(net.Head.Weight.Grad);
        net.Body.Unfreeze();
        Assert.Equal(net.ParameterCount(), net.ParameterCount(trainableOnly: true));
    }

    [Fact]
    public void Summary_lists_each_layer_with_output_shape_and_parameter_count()
    {
        var model = new Sequential(new Linear(784, 128), new Relu(), new Dropout(0.2f), new Linear(128, 10));
        model.Forward(Tensor.Zeros(1, 784)); // summary must leave the mode alone: still training afterwards
        var text = model.Summary(1, 784);
        var lines = text.Split('\n').Select(l => l.TrimEnd()).ToArray();
        Assert.Contains(lines, l => l.StartsWith("0 (Linear)", StringComparison.Ordinal) && l.Contains("[1, 128]") && l.EndsWith("100,480", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("1 (Relu)", StringComparison.Ordinal) && l.EndsWith(" 0", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("3 (Linear)", StringComparison.Ordinal) && l.Contains("[1, 10]") && l.EndsWith("1,290", StringComparison.Ordinal));
        Assert.Contains("Total params: 101,770", text);
        Assert.Contains("Trainable params: 101,770", text);
        Assert.Contains("Non-trainable params: 0", text);
        Assert.True(model.IsTraining);

        model[0].Freeze();
        Assert.Contains("Trainable params: 1,290", model.Summary(1, 784));
    }

    [Fact]
    public void Sequential_applies_layers_in_order_and_ModuleList_registers_without_a_forward()
    {
        var first = new Linear(3, 4, generator: new Generator(5));
        var second = new Linear(4, 2, generator: new Generator(6));
        var seq = new Sequential(first, new Tanh(), second);
        var x = Tensor.Randn([2, 3], new Generator(7));
        Assert.True(seq.Forward(x).AllClose(second.Forward(first.Forward(x).Tanh())));
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], seq.NamedParameters().Select(p => p.Name).ToArray());

        var list = new ModuleList(new Linear(2, 2), new Linear(2, 2));
        Assert.Equal(2, list.Count);
        Assert.Equal(12, list.ParameterCount());
        Assert.Throws<NotSupportedException>(() => list.Forward(x));
    }

    [Theory]
    [InlineData(2, 2, 0, false)]
    [InlineData(3, 2, 1, false)]   // overlapping windows with padding
    [InlineData(3, 2, 0, true)]    // ceil mode: windows hanging over the edge
    public void Relu_then_max_pooling_gives_the_values_and_gradients_of_the_layers_applied_in_order(int kernel, int stride, int padding, bool ceil)
    {
        // Whole numbers from -3 to 2 make ties, all-negative windows and exact zeros common.
        var values = Tensor.RandInt(-3, 3, [2, 3, 7, 7], new Generator(11)).ToArray();
        var seq = new Sequential(new Relu(), new MaxPool2d(kernel, stride, padding, ceil));
        var pool = new MaxPool2d(kernel, stride, padding, ceil);

        var x1 = Tensor.FromArray(values, 2, 3, 7, 7).RequireGrad();
        var y1 = seq.Forward(x1);
        var weights = Tensor.Randn(y1.Shape.ToArray(), new Generator(12));
        (y1 * weights).Sum().Backward();

        var x2 = Tensor.FromArray(values, 2, 3, 7, 7).RequireGrad();
        var y2 = pool.Forward(x2.Relu());
        (y2 * weights).Sum().Backward();
        Assert.Equal(y2.ToArray(), y1.ToArray());
        Assert.Equal(x2.Grad!.ToArray(), x1.Grad!.ToArray());
        Assert.Contains(x1.Grad!.ToArray(), g => g != 0f);
    }
}
