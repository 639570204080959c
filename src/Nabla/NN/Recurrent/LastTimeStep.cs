namespace Nabla.NN;

/// <summary>
/// Keeps the last time step of a sequence: [T, N, F] -> [N, F] (or [N, T, F] -> [N, F] with batchFirst;
/// unbatched [T, F] -> [F]). With it a recurrent layer feeds a classifier head inside a <see cref="Sequential"/>:
/// <code>
/// // sequences [N, T, 8] -> class scores [N, 3]
/// var model = new Sequential(
///     new Lstm(inputSize: 8, hiddenSize: 32, batchFirst: true),
///     new LastTimeStep(batchFirst: true),   // output[:, -1]: the state after the whole sequence
///     new Linear(32, 3));
/// </code>
/// The same by hand: <c>lstm.Forward(x).Select(1, -1)</c>, or <see cref="RecurrentLayer.LastStep"/>.
/// For a bidirectional layer prefer the final hidden state of the richer Forward (see <see cref="RecurrentLayer.LastStep"/>).
/// </summary>
public sealed class LastTimeStep : Module
{
    public LastTimeStep(bool batchFirst = false) => BatchFirst = batchFirst;

    public bool BatchFirst { get; }

    protected override Tensor Compute(Tensor input) => Take(input, BatchFirst && input.Rank == 3);

    public override string Describe() => $"LastTimeStep({(BatchFirst ? "batchFirst" : "time first")})";

    internal static Tensor Take(Tensor sequence, bool batchFirst)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        if (sequence.Rank is not (2 or 3) || sequence.Shape[batchFirst ? 1 : 0] == 0)
        {
            throw new ArgumentException($"LastTimeStep: expected a non-empty sequence [T, N, F]{(batchFirst ? " ([N, T, F] with batchFirst)" : "")} or [T, F]; got {sequence.Shape}.");
        }
        return sequence.Select(batchFirst ? 1 : 0, -1);
    }
}
