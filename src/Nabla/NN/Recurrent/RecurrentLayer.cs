using System.Globalization;

namespace Nabla.NN;

/// <summary>
/// What <see cref="Rnn"/>, <see cref="Lstm"/> and <see cref="Gru"/> share: options, parameters with
/// PyTorch's names and shapes, input checks, and the loop over layers, directions and time steps.
/// Input [T, N, inputSize] (or [N, T, inputSize] with batchFirst, or unbatched [T, inputSize])
/// -> output [T, N, directions·hiddenSize] (same layout as the input); states [numLayers·directions, N, hiddenSize].
/// <para>
/// Per layer k and direction (suffix <c>_reverse</c> for the backward one) the parameters are
/// <c>weight_ih_l{k}</c> [gates·hidden, in], <c>weight_hh_l{k}</c> [gates·hidden, hidden],
/// <c>bias_ih_l{k}</c> and <c>bias_hh_l{k}</c> [gates·hidden], so PyTorch state dicts load by name.
/// All start from U(±1/√hidden), PyTorch's default.
/// </para>
/// </summary>
public abstract class RecurrentLayer : Module
{
    private readonly Cell[] _cells; // index layer·directions + direction
    private readonly Generator? _generator;

    /// <summary>The weights of one layer and direction.</summary>
    private protected sealed record Cell(Tensor WeightIh, Tensor WeightHh, Tensor? BiasIh, Tensor? BiasHh);

    private protected RecurrentLayer(int gates, int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst,
        float dropout, bool bidirectional, Generator? generator)
    {
        var kind = GetType().Name;
        if (inputSize <= 0 || hiddenSize <= 0)
        {
            throw new ArgumentException($"{kind}: inputSize and hiddenSize must be positive; got {inputSize} and {hiddenSize}.");
        }
        if (numLayers <= 0) throw new ArgumentException($"{kind}: numLayers must be positive; got {numLayers}.");
        if (!(dropout >= 0f && dropout <= 1f)) throw new ArgumentException($"{kind}: dropout must be in [0, 1]; got {dropout}.");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        HasBias = bias;
        BatchFirst = batchFirst;
        Dropout = dropout;
        Bidirectional = bidirectional;
        _generator = generator;

        var init = Initializer.Uniform(-1f / MathF.Sqrt(hiddenSize), 1f / MathF.Sqrt(hiddenSize));
        _cells = new Cell[numLayers * NumDirections];
        for (var layer = 0; layer < numLayers; layer++)
        {
            var layerInput = layer == 0 ? inputSize : hiddenSize * NumDirections;
            for (var direction = 0; direction < NumDirections; direction++)
            {
                var suffix = layer.ToString(CultureInfo.InvariantCulture) + (direction == 1 ? "_reverse" : "");
                Tensor Param(string name, params int[] shape)
                {
                    var p = AddParameter(name + "_l" + suffix, Tensor.Zeros(shape));
                    init.Initialize(p, generator);
                    return p;
                }
                // Registration order is PyTorch's: weight_ih, weight_hh, bias_ih, bias_hh per layer and direction.
                var wIh = Param("weight_ih", gates * hiddenSize, layerInput);
                var wHh = Param("weight_hh", gates * hiddenSize, hiddenSize);
                var bIh = bias ? Param("bias_ih", gates * hiddenSize) : null;
                var bHh = bias ? Param("bias_hh", gates * hiddenSize) : null;
                _cells[layer * NumDirections + direction] = new Cell(wIh, wHh, bIh, bHh);
            }
        }
    }

    public int InputSize { get; }
    public int HiddenSize { get; }
    public int NumLayers { get; }
    public bool HasBias { get; }
    public bool BatchFirst { get; }

    /// <summary>Dropout probability on the outputs of every layer but the last, in training mode only.</summary>
    public float Dropout { get; }

    public bool Bidirectional { get; }
    public int NumDirections => Bidirectional ? 2 : 1;

    /// <summary>
    /// The output at the last time step: output [T, N, F] (or [N, T, F] with batchFirst) -> [N, F].
    /// NOTE: with a bidirectional layer the backward half of that step has seen only the last
    /// element; the final hidden state from the richer Forward summarises both directions fully.
    /// </summary>
    public Tensor LastStep(Tensor output) => LastTimeStep.Take(output, BatchFirst && output.Rank == 3);

    /// <summary>The output sequence only, so the layer can sit in a <see cref="Sequential"/>; zero initial states.</summary>
    protected override Tensor Compute(Tensor input) => Run(input, null).Output;

    public override string Describe() =>
        $"{GetType().Name}({InputSize} -> {HiddenSize}, layers={NumLayers}{(Bidirectional ? ", bidirectional" : "")}" +
        $"{(HasBias ? "" : ", no bias")}{(BatchFirst ? ", batchFirst" : "")}{(Dropout > 0f ? $", dropout={Dropout}" : "")})";

    // ---- what the cells define --------------------------------------------------------------------

    /// <summary>Number of state tensors: 1 (h) for Rnn and Gru, 2 (h, c) for Lstm.</summary>
    private protected abstract int StateCount { get; }

    /// <summary>Whether bias_hh can be added once to the input projection (false for Gru, where r gates it).</summary>
    private protected virtual bool FoldsHiddenBias => true;

    /// <summary>One time step: projected input [N, gates·hidden] and states [N, hidden] each -> new states (h first).</summary>
    private protected abstract Tensor[] Step(Tensor projected, Tensor[] state, Cell cell);

    // ---- the loop -----------------------------------------------------------------------------------

    /// <summary>
    /// Runs every layer and direction. <paramref name="initial"/> holds StateCount tensors
    /// [layers·directions, N, hidden] (or [layers·directions, hidden] for unbatched input), or null for zeros.
    /// </summary>
    private protected (Tensor Output, Tensor[] Final) Run(Tensor input, Tensor[]? initial)
    {
        ArgumentNullException.ThrowIfNull(input);
        var kind = GetType().Name;
        var unbatched = input.Rank == 2;
        if ((input.Rank != 2 && input.Rank != 3) || input.Shape[-1] != InputSize)
        {
            throw new ArgumentException($"{kind}: input must be [T, N, {InputSize}]{(BatchFirst ? " (batchFirst: [N, T, " + InputSize + "])" : "")} " +
                $"or unbatched [T, {InputSize}]; got {input.Shape}.");
        }
        var x = unbatched ? input.Unsqueeze(1) : BatchFirst ? input.Transpose(0, 1) : input; // [T, N, in]
        int steps = x.Shape[0], batch = x.Shape[1];
        if (steps == 0) throw new ArgumentException($"{kind}: the input sequence is empty (shape {input.Shape}); it needs at least one time step.");

        var cells = _cells.Length;
        var states = new Tensor[StateCount];
        for (var s = 0; s < StateCount; s++)
        {
            states[s] = initial is null ? Tensor.Zeros(cells, batch, HiddenSize) : CheckState(initial[s], s, unbatched, cells, batch, input.Shape);
        }

        var final = new Tensor[StateCount][];
        for (var s = 0; s < StateCount; s++) final[s] = new Tensor[cells];
        if (RunsFused) return RunFused(x, states, final, unbatched);
        // Layers pass their outputs on as one tensor per time step. NOTE: slicing time steps out of one big
        // tensor that requires grad would cost a full-size gradient per step in backward (quadratic in T).
        var layerInput = new Tensor[steps];
        for (var t = 0; t < steps; t++) layerInput[t] = x.Select(0, t); // [N, in]
        for (var layer = 0; layer < NumLayers; layer++)
        {
            var outputs = new Tensor[NumDirections][];
            for (var direction = 0; direction < NumDirections; direction++)
            {
                var index = layer * NumDirections + direction;
                var cell = _cells[index];
                var state = new Tensor[StateCount];
                for (var s = 0; s < StateCount; s++) state[s] = states[s].Select(0, index); // [N, hidden]
                var hs = new Tensor[steps];
                var bias = cell.BiasIh is null ? null : FoldsHiddenBias ? cell.BiasIh + cell.BiasHh! : cell.BiasIh; // once, not per step
                for (var i = 0; i < steps; i++)
                {
                    var t = direction == 0 ? i : steps - 1 - i;
                    var projected = layerInput[t].MatMul(cell.WeightIh.T); // [N, gates·hidden]
                    state = Step(bias is null ? projected : projected + bias, state, cell);
                    hs[t] = state[0];
                }
                outputs[direction] = hs;
                for (var s = 0; s < StateCount; s++) final[s][index] = state[s];
            }
            var next = new Tensor[steps];
            for (var t = 0; t < steps; t++)
            {
                var y = NumDirections == 1 ? outputs[0][t] : Tensor.Concat([outputs[0][t], outputs[1][t]], -1); // [N, directions·hidden]
                next[t] = layer < NumLayers - 1 && Dropout > 0f ? Functional.Dropout(y, Dropout, IsTraining, _generator) : y;
            }
            layerInput = next;
        }

        var timeAxis = BatchFirst && !unbatched ? 1 : 0; // stack straight into the caller's layout
        var stackedOutput = Tensor.Stack(layerInput, timeAxis); // [T, N, directions·hidden]
        var output = unbatched ? stackedOutput.Squeeze(1) : stackedOutput;
        return (output, StackFinalStates(final, unbatched));
    }

    /// <summary>Whether each layer and direction runs as one fused sequence op (<see cref="FusedSequence"/>) instead of per-step tensor ops.</summary>
    private protected virtual bool RunsFused => false;

    /// <summary>
    /// One layer and direction over the whole sequence x [T, N, in] from states [N, hidden] each:
    /// [T + 1, N, hidden], the output at every time followed by the final cell state.
    /// </summary>
    private protected virtual Tensor FusedSequence(Tensor x, Tensor[] state, Cell cell, Tensor? bias, bool reverse) =>
        throw new NotSupportedException($"{GetType().Name} has no fused sequence kernel.");

    /// <summary><see cref="Run"/> with every layer and direction as one fused op on whole-sequence tensors x [T, N, in].</summary>
    private (Tensor Output, Tensor[] Final) RunFused(Tensor x, Tensor[] states, Tensor[][] final, bool unbatched)
    {
        var steps = x.Shape[0];
        var layerInput = x;
        for (var layer = 0; layer < NumLayers; layer++)
        {
            var outputs = new Tensor[NumDirections];
            for (var direction = 0; direction < NumDirections; direction++)
            {
                var index = layer * NumDirections + direction;
                var cell = _cells[index];
                var state = new Tensor[StateCount];
                for (var s = 0; s < StateCount; s++) state[s] = states[s].Select(0, index); // [N, hidden]
                var bias = cell.BiasIh is null ? null : cell.BiasIh + cell.BiasHh!;
                var packed = FusedSequence(layerInput, state, cell, bias, reverse: direction == 1);
                outputs[direction] = packed.Narrow(0, 0, steps);
                final[0][index] = packed.Select(0, direction == 0 ? steps - 1 : 0);
                final[1][index] = packed.Select(0, steps);
            }
            var y = NumDirections == 1 ? outputs[0] : Tensor.Concat(outputs, -1); // [T, N, directions·hidden]
            layerInput = layer < NumLayers - 1 && Dropout > 0f ? Functional.Dropout(y, Dropout, IsTraining, _generator) : y;
        }
        var output = unbatched ? layerInput.Squeeze(1) : BatchFirst ? layerInput.Transpose(0, 1).Contiguous() : layerInput;
        return (output, StackFinalStates(final, unbatched));
    }

    /// <summary>Each state's per-cell finals [N, hidden] stacked to [layers·directions, N, hidden] (batch axis dropped when unbatched).</summary>
    private static Tensor[] StackFinalStates(Tensor[][] final, bool unbatched)
    {
        var states = new Tensor[final.Length];
        for (var s = 0; s < final.Length; s++)
        {
            var stacked = Tensor.Stack(final[s], 0);
            states[s] = unbatched ? stacked.Squeeze(1) : stacked;
        }
        return states;
    }

    /// <summary>h·W_hhᵀ (+ b_hh when it was not folded into the input projection): [N, hidden] -> [N, gates·hidden].</summary>
    private protected Tensor HiddenProjection(Tensor h, Cell cell)
    {
        var y = h.MatMul(cell.WeightHh.T);
        return !FoldsHiddenBias && cell.BiasHh is not null ? y + cell.BiasHh : y;
    }

    private Tensor CheckState(Tensor state, int index, bool unbatched, int cells, int batch, Shape inputShape)
    {
        ArgumentNullException.ThrowIfNull(state);
        var name = StateCount == 1 ? "h0" : index == 0 ? "h0" : "c0";
        var ok = unbatched
            ? state.Rank == 2 && state.Shape[0] == cells && state.Shape[1] == HiddenSize
            : state.Rank == 3 && state.Shape[0] == cells && state.Shape[1] == batch && state.Shape[2] == HiddenSize;
        if (!ok)
        {
            var expected = unbatched ? $"[{cells}, {HiddenSize}]" : $"[{cells}, {batch}, {HiddenSize}]";
            throw new ArgumentException($"{GetType().Name}: initial state {name} must be {expected} " +
                $"(layers·directions, {(unbatched ? "" : "batch, ")}hidden) for input {inputShape}; got {state.Shape}.");
        }
        return unbatched ? state.Unsqueeze(1) : state;
    }
}
