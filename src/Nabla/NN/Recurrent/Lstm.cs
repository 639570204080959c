namespace Nabla.NN;

/// <summary>
/// Long short-term memory (Hochreiter and Schmidhuber, 1997, with the forget gate of Gers et al., 2000), per layer and time step:
/// [i, f, g, o] = W_ih·x_t + b_ih + W_hh·h_(t-1) + b_hh (gates stacked in that order),
/// c_t = σ(f) ⊙ c_(t-1) + σ(i) ⊙ tanh(g), h_t = σ(o) ⊙ tanh(c_t).
/// Input [T, N, inputSize] (or [N, T, inputSize] with batchFirst, or unbatched [T, inputSize]) ->
/// output [T, N, directions·hiddenSize]; states h and c [numLayers·directions, N, hiddenSize].
/// Parameters as PyTorch's nn.LSTM without proj_size: weights [4·hidden, ...] (see <see cref="RecurrentLayer"/>).
/// </summary>
public sealed class Lstm : RecurrentLayer
{
    public Lstm(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, float dropout = 0f,
        bool bidirectional = false, Generator? generator = null)
        : base(4, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, generator)
    {
    }

    /// <summary>
    /// Runs the sequence from <paramref name="state"/> (h0 and c0, each [numLayers·directions, N, hidden]; null for zeros)
    /// and returns the output sequence [T, N, directions·hidden] and the final (h, c).
    /// </summary>
    public (Tensor Output, (Tensor H, Tensor C) State) Forward(Tensor input, (Tensor H, Tensor C)? state)
    {
        var (output, final) = Run(input, state is { } s ? [s.H, s.C] : null);
        return (output, (final[0], final[1]));
    }

    /// <summary>
    /// Runs each layer and direction as one fused op over the whole sequence (default): the results of the
    /// composed per-step operations up to float rounding, several times faster to train. Set false for higher-order gradients
    /// (the fused backward is a kernel and has no derivative of its own).
    /// </summary>
    public bool Fused { get; set; } = true;

    private protected override int StateCount => 2;

    private protected override bool RunsFused => Fused;

    private protected override Tensor FusedSequence(Tensor x, Tensor[] state, Cell cell, Tensor? bias, bool reverse) =>
        Ops.LstmSequence.Apply(x, state[0], state[1], cell.WeightIh, cell.WeightHh, bias, reverse);

    private protected override Tensor[] Step(Tensor projected, Tensor[] state, Cell cell)
    {
        var gates = projected + HiddenProjection(state[0], cell); // [N, 4·hidden]
        var h = HiddenSize;
        var i = gates.Narrow(1, 0, h).Sigmoid();
        var f = gates.Narrow(1, h, h).Sigmoid();
        var g = gates.Narrow(1, 2 * h, h).Tanh();
        var o = gates.Narrow(1, 3 * h, h).Sigmoid();
        var c = f * state[1] + i * g; // [N, hidden]
        return [o * c.Tanh(), c];
    }
}
