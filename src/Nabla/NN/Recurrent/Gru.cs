namespace Nabla.NN;

/// <summary>
/// Gated recurrent unit (Cho et al., 2014), per layer and time step, gates stacked in the order r, z, n:
/// r = σ(W_ir·x + b_ir + W_hr·h + b_hr), z = σ(W_iz·x + b_iz + W_hz·h + b_hz),
/// n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn)), h_t = (1 - z) ⊙ n + z ⊙ h_(t-1).
/// Input [T, N, inputSize] (or [N, T, inputSize] with batchFirst, or unbatched [T, inputSize]) ->
/// output [T, N, directions·hiddenSize]; hidden state [numLayers·directions, N, hiddenSize].
/// Parameters as PyTorch's nn.GRU: weights [3·hidden, ...] (see <see cref="RecurrentLayer"/>).
/// </summary>
public sealed class Gru : RecurrentLayer
{
    public Gru(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, float dropout = 0f,
        bool bidirectional = false, Generator? generator = null)
        : base(3, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, generator)
    {
    }

    /// <summary>
    /// Runs the sequence from <paramref name="h0"/> ([numLayers·directions, N, hidden]; null for zeros) and returns
    /// the output sequence [T, N, directions·hidden] and the final hidden state [numLayers·directions, N, hidden].
    /// </summary>
    public (Tensor Output, Tensor Hidden) Forward(Tensor input, Tensor? h0)
    {
        var (output, final) = Run(input, h0 is null ? null : [h0]);
        return (output, final[0]);
    }

    private protected override int StateCount => 1;

    // b_hn sits inside r ⊙ (...), so b_hh cannot join the input projection.
    private protected override bool FoldsHiddenBias => false;

    private protected override Tensor[] Step(Tensor projected, Tensor[] state, Cell cell)
    {
        var hidden = HiddenProjection(state[0], cell); // [N, 3·hidden], b_hh included
        var h = HiddenSize;
        var rz = (projected.Narrow(1, 0, 2 * h) + hidden.Narrow(1, 0, 2 * h)).Sigmoid();
        var r = rz.Narrow(1, 0, h);
        var z = rz.Narrow(1, h, h);
        var n = (projected.Narrow(1, 2 * h, h) + r * hidden.Narrow(1, 2 * h, h)).Tanh();
        return [n + z * (state[0] - n)]; // = (1 - z)·n + z·h
    }
}
