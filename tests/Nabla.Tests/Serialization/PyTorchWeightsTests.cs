using Nabla.NN;
using Nabla.Serialization;
using Nabla.Tests.Support;

namespace Nabla.Tests.Serialization;

/// <summary>
/// Weights saved from PyTorch (tests/fixtures/pytorch/make_fixtures.py) load by name into Nabla models with the
/// same layer names, and the models then reproduce PyTorch's outputs on the saved inputs.
/// </summary>
public class PyTorchWeightsTests
{
    private const double Tolerance = 1e-5;

    private static string Fixture(string name) => Repo.Path("tests", "fixtures", "pytorch", name + ".safetensors");

    private static StateDict Io(string name) => SafeTensors.Read(Fixture(name + "_io")).Tensors;

    private static void Close(Tensor expected, Tensor actual, string context) =>
        Check.Close(expected.ToArray(), actual, rtol: 0, atol: Tolerance, context: context);

    /// <summary>Mirrors the fixture's Mlp: fc1 Linear(4, 16), ReLU, fc2 Linear(16, 3).</summary>
    private sealed class Mlp : Module
    {
        private readonly Linear _fc1, _fc2;

        public Mlp()
        {
            _fc1 = Add("fc1", new Linear(4, 16));
            _fc2 = Add("fc2", new Linear(16, 3));
        }

        protected override Tensor Compute(Tensor x) => _fc2.Forward(_fc1.Forward(x).Relu());
    }

    /// <summary>Mirrors the fixture's Cnn: conv1 (2 -> 4, 3x3, padding 1), bn1, ReLU, 2x2 max pool, fc (36 -> 3).</summary>
    private sealed class Cnn : Module
    {
        private readonly Conv2d _conv1;
        private readonly BatchNorm2d _bn1;
        private readonly MaxPool2d _pool;
        private readonly Linear _fc;

        public Cnn()
        {
            _conv1 = Add("conv1", new Conv2d(2, 4, kernelSize: 3, padding: 1));
            _bn1 = Add("bn1", new BatchNorm2d(4));
            _pool = Add("pool", new MaxPool2d(2));
            _fc = Add("fc", new Linear(36, 3));
        }

        protected override Tensor Compute(Tensor x) => _fc.Forward(_pool.Forward(_bn1.Forward(_conv1.Forward(x)).Relu()).Flatten(1));
    }

    [Fact]
    public void Mlp_weights_give_pytorchs_outputs()
    {
        var model = new Mlp();
        var (missing, unexpected) = model.Load(Fixture("mlp"));
        Assert.Empty(missing);
        Assert.Empty(unexpected);
        var io = Io("mlp");
        Close(io["output"], model.Eval().Forward(io["input"]), "MLP");
    }

    [Fact]
    public void Cnn_weights_with_batch_norm_statistics_give_pytorchs_outputs()
    {
        var content = SafeTensors.Read(Fixture("cnn"));
        Assert.Equal(SafeTensorsDType.I64, content.DTypes["bn1.num_batches_tracked"]);
        Assert.Equal(0, content.Tensors["bn1.num_batches_tracked"].Rank); // PyTorch stores the counter as a 0-d int64
        var model = new Cnn();
        model.Load(Fixture("cnn"));
        var state = model.StateDict();
        Assert.Equal(3f, state["bn1.num_batches_tracked"].Item()); // three training batches in make_fixtures.py
        Assert.NotEqual(0f, state["bn1.running_mean"].Abs().Sum().Item());
        Assert.NotEqual(4f, state["bn1.running_var"].Sum().Item());
        var io = Io("cnn");
        Close(io["output"], model.Eval().Forward(io["input"]), "CNN");
    }

    [Fact]
    public void Two_layer_lstm_weights_give_pytorchs_outputs_and_final_states()
    {
        var lstm = new Lstm(3, 5, numLayers: 2, batchFirst: true);
        lstm.Load(Fixture("lstm"));
        var io = Io("lstm");
        var (output, (h, c)) = lstm.Forward(io["input"], null);
        Close(io["output"], output, "LSTM output");
        Close(io["h_n"], h, "LSTM h_n");
        Close(io["c_n"], c, "LSTM c_n");
    }

    [Fact]
    public void Bidirectional_gru_weights_give_pytorchs_outputs_and_final_state()
    {
        var gru = new Gru(3, 5, batchFirst: true, bidirectional: true);
        gru.Load(Fixture("gru"));
        var io = Io("gru");
        var (output, h) = gru.Forward(io["input"], null);
        Close(io["output"], output, "GRU output");
        Close(io["h_n"], h, "GRU h_n");
    }

    [Fact]
    public void Multi_head_attention_in_proj_weights_give_pytorchs_outputs()
    {
        var attention = new MultiHeadAttention(8, 2, batchFirst: true);
        attention.Load(Fixture("attention"));
        var io = Io("attention");
        Close(io["output"], attention.Eval().Forward(io["input"]), "MultiHeadAttention");
    }

    [Fact]
    public void Mismatched_names_and_shapes_are_reported()
    {
        var wrongNames = Assert.Throws<ArgumentException>(() => new Cnn().Load(Fixture("mlp")));
        Assert.Contains("missing keys: conv1.weight", wrongNames.Message);
        Assert.Contains("unexpected keys: fc1.weight", wrongNames.Message);
        var (missing, unexpected) = new Lstm(3, 5, batchFirst: true).Load(Fixture("lstm"), strict: false);
        Assert.Empty(missing);
        Assert.Equal(["weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"], unexpected);
        var wrongShape = Assert.Throws<ArgumentException>(() => new Lstm(3, 6, numLayers: 2, batchFirst: true).Load(Fixture("lstm")));
        Assert.Contains("weight_ih_l0: expected [24, 3], got [20, 3]", wrongShape.Message);
    }
}
