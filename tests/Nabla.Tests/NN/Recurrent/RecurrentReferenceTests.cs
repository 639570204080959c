using Nabla.NN;
using Nabla.Tests.Support;

namespace Nabla.Tests.NN.Recurrent;

/// <summary>
/// Rnn, Lstm and Gru against <see cref="RecurrentReference"/> (the gate equations in plain double loops),
/// outputs and final states, over a table of configurations; then gradient checks on tiny sizes.
/// </summary>
public class RecurrentReferenceTests
{
    private const int InputSize = 3, Hidden = 4, Steps = 5, Batch = 2;

    internal static RecurrentLayer Make(string kind, int inputSize, int hidden, int layers = 1, bool bias = true, bool batchFirst = false,
        bool bidirectional = false, float dropout = 0f, ulong seed = 7) => kind switch
    {
        "rnn_tanh" => new Rnn(inputSize, hidden, layers, RnnNonlinearity.Tanh, bias, batchFirst, dropout, bidirectional, new Generator(seed)),
        "rnn_relu" => new Rnn(inputSize, hidden, layers, RnnNonlinearity.Relu, bias, batchFirst, dropout, bidirectional, new Generator(seed)),
        "lstm" => new Lstm(inputSize, hidden, layers, bias, batchFirst, dropout, bidirectional, new Generator(seed)),
        "gru" => new Gru(inputSize, hidden, layers, bias, batchFirst, dropout, bidirectional, new Generator(seed)),
        _ => throw new ArgumentException(kind),
    };

    /// <summary>The richer Forward of each layer type, as output and an array of final states (h, and c for Lstm).</summary>
    internal static (Tensor Output, Tensor[] Final) Run(RecurrentLayer layer, Tensor x, Tensor[]? initial)
    {
        switch (layer)
        {
            case Rnn rnn:
            {
                var (output, h) = rnn.Forward(x, initial?[0]);
                return (output, [h]);
            }
            case Gru gru:
            {
                var (output, h) = gru.Forward(x, initial?[0]);
                return (output, [h]);
            }
            case Lstm lstm:
            {
                var (output, (h, c)) = lstm.Forward(x, initial is null ? null : (initial[0], initial[1]));
                return (output, [h, c]);
            }
            default:
                throw new ArgumentException(layer.GetType().Name);
        }
    }

    public static TheoryData<string, int, bool, bool, bool, bool, bool> Configs()
    {
        var data = new TheoryData<string, int, bool, bool, bool, bool, bool>();
        foreach (var kind in new[] { "rnn_tanh", "rnn_relu", "lstm", "gru" })
        {
            // kind, layers, bidirectional, batchFirst, initial states, bias, unbatched
            data.Add(kind, 1, false, false, false, true, false);
            data.Add(kind, 2, false, false, false, true, false);
            data.Add(kind, 1, true, false, false, true, false);
            data.Add(kind, 1, false, true, false, true, false);
            data.Add(kind, 1, false, false, true, true, false);
            data.Add(kind, 1, false, false, false, false, false);
            data.Add(kind, 2, true, true, true, true, false);
            data.Add(kind, 2, true, false, true, false, false);
            data.Add(kind, 2, true, false, true, true, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Output_and_final_states_match_the_gate_equations(string kind, int layers, bool bidirectional, bool batchFirst, bool initial, bool bias, bool unbatched)
    {
        var layer = Make(kind, InputSize, Hidden, layers, bias, batchFirst, bidirectional);
        var dirs = bidirectional ? 2 : 1;
        var batch = unbatched ? 1 : Batch;
        var gen = new Generator(11);
        var x = Random3(Steps, batch, InputSize, gen); // time first
        var stateCount = kind == "lstm" ? 2 : 1;
        var states = initial ? Enumerable.Range(0, stateCount).Select(_ => Random3(layers * dirs, batch, Hidden, gen)).ToArray() : null;

        var parameters = layer.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.ToArray());
        var (refOut, refFinal) = RecurrentReference.Run(kind, parameters, layers, bidirectional, Hidden, x, states);

        // The layer sees [T, N, in], [N, T, in] or [T, in]; states [L·D, N, H] or [L·D, H].
        var input = unbatched ? ToTensor(x).Squeeze(1) : batchFirst ? ToTensor(Swap01(x)) : ToTensor(x);
        var initialTensors = states?.Select(s => unbatched ? ToTensor(s).Squeeze(1) : ToTensor(s)).ToArray();
        var (output, final) = Run(layer, input, initialTensors);

        var expectedOut = batchFirst && !unbatched ? Swap01(refOut) : refOut;
        Check.Close(ToNd(expectedOut, unbatched), output, rtol: 1e-4, atol: 1e-5, context: $"{kind} output");
        Assert.Equal(stateCount, final.Length);
        for (var s = 0; s < stateCount; s++)
        {
            Check.Close(ToNd(refFinal[s], unbatched), final[s], rtol: 1e-4, atol: 1e-5, context: $"{kind} final state {s}");
        }
        // Module.Forward gives the same output sequence with zero initial states.
        if (!initial) Check.Close(NdArray.Of(output), layer.Forward(input), context: $"{kind} Module.Forward");
    }

    public static TheoryData<string> Kinds() => ["rnn_tanh", "lstm", "gru"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Gradients_of_input_and_initial_states_match_finite_differences(string kind)
    {
        var layer = Make(kind, 2, 2, layers: 2, bidirectional: true);
        var gen = new Generator(3);
        var count = kind == "lstm" ? 2 : 1;
        var inputs = new List<Tensor> { Tensor.Randn([3, 2, 2], gen) };
        for (var s = 0; s < count; s++) inputs.Add(Tensor.Randn([4, 2, 2], gen) * 0.5f);
        Check.Gradients(xs => Flatten(Run(layer, xs[0], xs.Length > 1 ? xs[1..] : null)), [.. inputs], kind);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Gradients_of_parameters_match_finite_differences(string kind)
    {
        var layer = Make(kind, 2, 2, layers: 2, bidirectional: true, batchFirst: true);
        var x = Tensor.Randn([2, 3, 2], new Generator(5));
        ParameterGradients.Check(layer, () => Flatten(Run(layer, x, null)),
            ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0_reverse", "weight_hh_l1_reverse", "weight_ih_l1"]);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /// <summary>Output and final states in one flat tensor, so one check covers all of them.</summary>
    internal static Tensor Flatten((Tensor Output, Tensor[] Final) r) =>
        Tensor.Concat([r.Output.Reshape(-1), .. r.Final.Select(f => f.Reshape(-1))]);

    internal static double[,,] Random3(int a, int b, int c, Generator gen)
    {
        var v = Tensor.Randn([a, b, c], gen).ToArray();
        var x = new double[a, b, c];
        for (var i = 0; i < a; i++)
        for (var j = 0; j < b; j++)
        for (var k = 0; k < c; k++) x[i, j, k] = v[(i * b + j) * c + k];
        return x;
    }

    internal static double[,,] Swap01(double[,,] x)
    {
        var y = new double[x.GetLength(1), x.GetLength(0), x.GetLength(2)];
        for (var i = 0; i < x.GetLength(0); i++)
        for (var j = 0; j < x.GetLength(1); j++)
        for (var k = 0; k < x.GetLength(2); k++) y[j, i, k] = x[i, j, k];
        return y;
    }

    internal static Tensor ToTensor(double[,,] x) => ToNd(x, false).ToTensor();

    /// <summary>x as an NdArray, optionally without its axis 1 (which must then have size 1).</summary>
    internal static NdArray ToNd(double[,,] x, bool dropAxis1)
    {
        int a = x.GetLength(0), b = x.GetLength(1), c = x.GetLength(2);
        var data = new double[a * b * c];
        for (var i = 0; i < a; i++)
        for (var j = 0; j < b; j++)
        for (var k = 0; k < c; k++) data[(i * b + j) * c + k] = x[i, j, k];
        return new NdArray(data, dropAxis1 ? [a, c] : [a, b, c]);
    }
}
