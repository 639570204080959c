using Nabla.NN;

namespace Nabla.Tests.NN.Recurrent;

/// <summary>The layer harness for Rnn, Lstm and Gru: names and shapes, initialisation, state dicts, one SGD step, dropout, bad inputs.</summary>
public class RecurrentModuleTests
{
    private static string Describe(Module m) => string.Join(", ", m.NamedParameters().Select(p => $"{p.Name} {p.Parameter.Shape}"));

    public static readonly TheoryData<string, Func<Module>, string> NameRows = new()
    {
        {
            "rnn 2 layers", () => new Rnn(3, 4, numLayers: 2),
            "weight_ih_l0 [4, 3], weight_hh_l0 [4, 4], bias_ih_l0 [4], bias_hh_l0 [4], " +
            "weight_ih_l1 [4, 4], weight_hh_l1 [4, 4], bias_ih_l1 [4], bias_hh_l1 [4]"
        },
        {
            "lstm 2 layers bidirectional", () => new Lstm(3, 4, numLayers: 2, bidirectional: true),
            "weight_ih_l0 [16, 3], weight_hh_l0 [16, 4], bias_ih_l0 [16], bias_hh_l0 [16], " +
            "weight_ih_l0_reverse [16, 3], weight_hh_l0_reverse [16, 4], bias_ih_l0_reverse [16], bias_hh_l0_reverse [16], " +
            "weight_ih_l1 [16, 8], weight_hh_l1 [16, 4], bias_ih_l1 [16], bias_hh_l1 [16], " +
            "weight_ih_l1_reverse [16, 8], weight_hh_l1_reverse [16, 4], bias_ih_l1_reverse [16], bias_hh_l1_reverse [16]"
        },
        { "gru without bias", () => new Gru(3, 5, bias: false), "weight_ih_l0 [15, 3], weight_hh_l0 [15, 5]" },
        {
            "gru bidirectional", () => new Gru(2, 3, bidirectional: true),
            "weight_ih_l0 [9, 2], weight_hh_l0 [9, 3], bias_ih_l0 [9], bias_hh_l0 [9], " +
            "weight_ih_l0_reverse [9, 2], weight_hh_l0_reverse [9, 3], bias_ih_l0_reverse [9], bias_hh_l0_reverse [9]"
        },
    };

    [Theory]
    [MemberData(nameof(NameRows))]
    public void Parameter_names_and_shapes_are_PyTorchs(string label, Func<Module> make, string expected)
    {
        var module = make();
        Assert.True(expected == Describe(module), label);
        Assert.Empty(module.NamedBuffers());
    }

    [Fact]
    public void Weights_and_biases_start_uniform_within_one_over_root_hidden()
    {
        var lstm = new Lstm(10, 25, numLayers: 2, generator: new Generator(1));
        var bound = 1f / MathF.Sqrt(25);
        var all = lstm.Parameters().SelectMany(p => p.ToArray()).ToArray();
        Assert.All(all, v => Assert.InRange(v, -bound, bound));
        // U(-a, a): mean 0, variance a²/3; 10 000 draws pin both to a few per cent.
        var mean = all.Average();
        var variance = all.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.02 * bound, 0.02 * bound);
        Assert.InRange(variance, 0.95 * bound * bound / 3, 1.05 * bound * bound / 3);
        // A seed fixes the draws.
        var again = new Lstm(10, 25, numLayers: 2, generator: new Generator(1));
        Assert.True(again.Parameters().Zip(lstm.Parameters()).All(p => p.First.ValueEquals(p.Second)));
    }

    public static TheoryData<string> Kinds() => ["rnn_tanh", "rnn_relu", "lstm", "gru"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void State_dict_round_trip_reproduces_the_outputs(string kind)
    {
        var a = RecurrentReferenceTests.Make(kind, 3, 4, layers: 2, bidirectional: true, seed: 1);
        var b = RecurrentReferenceTests.Make(kind, 3, 4, layers: 2, bidirectional: true, seed: 2);
        var x = Tensor.Randn([5, 2, 3], new Generator(9));
        Assert.False(a.Forward(x).AllClose(b.Forward(x)));
        b.LoadStateDict(a.StateDict());
        Assert.True(a.Forward(x).ValueEquals(b.Forward(x)));
        Assert.True(RecurrentReferenceTests.Flatten(RecurrentReferenceTests.Run(a, x, null))
            .ValueEquals(RecurrentReferenceTests.Flatten(RecurrentReferenceTests.Run(b, x, null))));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void One_sgd_step_lowers_the_loss(string kind)
    {
        var layer = RecurrentReferenceTests.Make(kind, 3, 4, layers: 2, batchFirst: true);
        var gen = new Generator(2);
        var x = Tensor.Randn([4, 6, 3], gen);
        var target = Tensor.Rand([4, 6, 4], gen) - 0.5f;
        Tensor Loss() => (layer.Forward(x) - target).Pow(2f).Mean();
        var before = Loss();
        before.Backward();
        using (Autograd.NoGrad())
        {
            foreach (var p in layer.Parameters()) p.SubInPlace(p.Grad! * 0.1f);
        }
        Assert.True(Loss().Item() < before.Item(), $"{kind}: loss {before.Item()} did not go down");
    }

    [Fact]
    public void Dropout_acts_between_layers_in_training_only()
    {
        var layer = new Lstm(3, 4, numLayers: 2, dropout: 0.5f, generator: new Generator(3));
        var plain = new Lstm(3, 4, numLayers: 2);
        plain.LoadStateDict(layer.StateDict());
        var x = Tensor.Randn([5, 2, 3], new Generator(4));
        Assert.False(layer.Forward(x).AllClose(plain.Forward(x), 1e-4f, 1e-5f)); // training: layer 0's outputs are dropped
        layer.Eval();
        Assert.True(layer.Forward(x).ValueEquals(plain.Forward(x)));

        // With one layer there is nothing between layers to drop (as in PyTorch).
        var single = new Gru(3, 4, dropout: 0.5f);
        var output = single.Forward(x);
        Assert.True(output.ValueEquals(single.Forward(x)));
    }

    [Fact]
    public void Last_time_step_feeds_a_classifier_and_equals_the_final_hidden_state()
    {
        var lstm = new Lstm(3, 4, numLayers: 2, batchFirst: true, generator: new Generator(5));
        var head = new Linear(4, 2, generator: new Generator(6));
        var model = new Sequential(lstm, new LastTimeStep(batchFirst: true), head);
        var x = Tensor.Randn([3, 5, 3], new Generator(7)); // [N, T, in]
        var scores = model.Forward(x);
        Assert.Equal(new Shape(3, 2), scores.Shape);

        var (output, (h, _)) = lstm.Forward(x, null);
        var last = lstm.LastStep(output); // [N, hidden]
        Assert.True(last.ValueEquals(h.Select(0, -1)), "the last output of a unidirectional layer is the top layer's final h");
        Assert.True(scores.ValueEquals(head.Forward(last)));
        Assert.True(new LastTimeStep().Forward(output.Transpose(0, 1)).ValueEquals(last));
        Assert.Contains("LastTimeStep", model.Summary(3, 5, 3), StringComparison.Ordinal);
    }

    public static readonly TheoryData<string, Action, string> BadRows = new()
    {
        { "input size", () => new Lstm(3, 4).Forward(Tensor.Zeros(5, 2, 7)), "Lstm: input must be [T, N, 3] or unbatched [T, 3]; got [5, 2, 7]" },
        { "rank", () => new Rnn(3, 4, batchFirst: true).Forward(Tensor.Zeros(2, 5, 2, 3)), "Rnn: input must be [T, N, 3] (batchFirst: [N, T, 3]) or unbatched [T, 3]; got [2, 5, 2, 3]" },
        { "empty sequence", () => new Gru(3, 4).Forward(Tensor.Zeros(0, 2, 3)), "Gru: the input sequence is empty (shape [0, 2, 3])" },
        { "h0 layers", () => new Gru(3, 4, numLayers: 2).Forward(Tensor.Zeros(5, 2, 3), Tensor.Zeros(1, 2, 4)), "Gru: initial state h0 must be [2, 2, 4] (layers·directions, batch, hidden) for input [5, 2, 3]; got [1, 2, 4]" },
        { "c0 batch", () => new Lstm(3, 4).Forward(Tensor.Zeros(5, 2, 3), (Tensor.Zeros(1, 2, 4), Tensor.Zeros(1, 3, 4))), "Lstm: initial state c0 must be [1, 2, 4]" },
        { "unbatched h0", () => new Rnn(3, 4, bidirectional: true).Forward(Tensor.Zeros(5, 3), Tensor.Zeros(2, 1, 4)), "Rnn: initial state h0 must be [2, 4] (layers·directions, hidden) for input [5, 3]; got [2, 1, 4]" },
        { "sizes", () => new Rnn(3, 0), "Rnn: inputSize and hiddenSize must be positive; got 3 and 0" },
        { "layers", () => new Lstm(3, 4, numLayers: 0), "Lstm: numLayers must be positive; got 0" },
        { "dropout", () => new Gru(3, 4, dropout: 1.5f), "Gru: dropout must be in [0, 1]; got 1.5" },
        { "last step", () => new LastTimeStep().Forward(Tensor.Zeros(4)), "LastTimeStep: expected a non-empty sequence [T, N, F] or [T, F]; got [4]" },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public void Bad_inputs_fail_with_clear_messages(string label, Action act, string message)
    {
        var e = Assert.ThrowsAny<ArgumentException>(act);
        Assert.True(e.Message.Contains(message, StringComparison.Ordinal), $"{label}: '{e.Message}' lacks '{message}'");
    }

    [Fact]
    public void Gradients_reach_every_parameter_and_the_initial_state()
    {
        var gru = new Gru(2, 3, numLayers: 2, bidirectional: true);
        var h0 = (Tensor.Randn([4, 2, 3], new Generator(1)) * 0.1f).RequireGrad();
        var (output, h) = gru.Forward(Tensor.Randn([4, 2, 2], new Generator(2)), h0);
        (output.Sum() + h.Sum()).Backward();
        Assert.All(gru.NamedParameters(), p => Assert.True(p.Parameter.Grad is { } g && g.Abs().Sum().Item() > 0, p.Name));
        Assert.True(h0.Grad is { } hg && hg.Ne(0f).Sum().Item() == h0.Count, "every initial-state element influences the result");
    }
}
