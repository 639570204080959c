namespace Nabla.NN;

/// <summary>The non-linearity of an Elman <see cref="Rnn"/>.</summary>
public enum RnnNonlinearity { Tanh, Relu }

/// <summary>
/// Elman recurrent network, per layer and time step: h_t = act(W_ih·x_t + b_ih + W_hh·h_(t-1) + b_hh), act = tanh or relu.
/// Input [T, N, inputSize] (or [N, T, inputSize] with batchFirst, or unbatched [T, inputSize]) ->
/// output [T, N, directions·hiddenSize]; hidden state [numLayers·directions, N, hiddenSize].
/// Parameters as PyTorch's nn.RNN (see <see cref="RecurrentLayer"/>).
/// </summary>
public sealed class Rnn : RecurrentLayer
{
    public Rnn(int inputSize, int hiddenSize, int numLayers = 1, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh, bool bias = true,
        bool batchFirst = false, float dropout = 0f, bool bidirectional = false, Generator? generator = null)
        : base(1, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, generator)
    {
        if (!Enum.IsDefined(nonlinearity)) throw new ArgumentException($"Rnn: unknown nonlinearity {nonlinearity}; expected Tanh or Relu.");
        Nonlinearity = nonlinearity;
    }

    public RnnNonlinearity Nonlinearity { get; }

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

    private protected override Tensor[] Step(Tensor projected, Tensor[] state, Cell cell)
    {
        var pre = projected + HiddenProjection(state[0], cell); // [N, hidden]
        return [Nonlinearity == RnnNonlinearity.Tanh ? pre.Tanh() : pre.Relu()];
    }

    public override string Describe() => base.Describe().Replace("Rnn(", $"Rnn({Nonlinearity.ToString().ToLowerInvariant()}, ", StringComparison.Ordinal);
}
