namespace Nabla.NN;

/// <summary>
/// Rosenblatt's perceptron: ŷ = step(x·w + b) ∈ {0, 1}, input [N, inFeatures] -> output [N].
/// It learns by the perceptron rule, not by gradients (the step has none): for each misclassified example,
/// w += η(y - ŷ)·x and b += η(y - ŷ). On linearly separable data it reaches zero errors after finitely many
/// updates (Novikoff, 1962); on other data it never settles, so <see cref="Fit"/> caps the epochs.
/// Weights start at zero, the classic choice; from zero, η only scales w and b and never changes a prediction.
/// </summary>
public sealed class Perceptron : Module
{
    public Perceptron(int inFeatures)
    {
        if (inFeatures <= 0) throw new ArgumentException($"Perceptron: inFeatures must be positive; got {inFeatures}.");
        InFeatures = inFeatures;
        Weight = AddParameter("weight", Tensor.Zeros(inFeatures));
        Bias = AddParameter("bias", Tensor.Zeros(1));
    }

    public int InFeatures { get; }

    /// <summary>w [inFeatures].</summary>
    public Tensor Weight { get; }

    /// <summary>b [1].</summary>
    public Tensor Bias { get; }

    /// <summary>The net input z = x·w + b, [N, in] -> [N]; the class is 1 where z ≥ 0.</summary>
    public Tensor Decision(Tensor x)
    {
        CheckInput(x);
        return x.MatMul(Weight) + Bias;
    }

    /// <summary>Predicted classes 0/1, [N, in] -> [N].</summary>
    public Tensor Predict(Tensor x) => Forward(x);

    protected override Tensor Compute(Tensor input) => Functional.BinaryStep(Decision(input));

    /// <summary>
    /// Runs the perceptron rule over the examples in order, epoch after epoch, and returns the number of
    /// misclassified examples seen in each epoch; stops after the first epoch without any (so the last entry is
    /// 0 when the data were learned) or after <paramref name="epochs"/> epochs.
    /// </summary>
    /// <param name="x">Inputs [N, inFeatures].</param>
    /// <param name="y">Labels [N] of 0 or 1.</param>
    /// <param name="epochs">The most passes over the data.</param>
    /// <param name="learningRate">η &gt; 0.</param>
    public IReadOnlyList<int> Fit(Tensor x, Tensor y, int epochs = 100, float learningRate = 1f)
    {
        CheckInput(x);
        if (epochs <= 0) throw new ArgumentException($"Perceptron.Fit: epochs must be positive; got {epochs}.");
        if (!(learningRate > 0f)) throw new ArgumentException($"Perceptron.Fit: learningRate must be positive; got {learningRate}.");
        var labels = CheckLabels("Perceptron.Fit", x, y);
        var inputs = x.ToArray();
        var w = Weight.ToArray();
        var b = Bias.Item();
        var errorsPerEpoch = new List<int>();
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            var errors = 0;
            for (var i = 0; i < labels.Length; i++)
            {
                var row = inputs.AsSpan(i * InFeatures, InFeatures);
                var z = b;
                for (var j = 0; j < InFeatures; j++) z += w[j] * row[j];
                var predicted = z >= 0f ? 1f : 0f;
                if (predicted == labels[i]) continue;
                errors++;
                var step = learningRate * (labels[i] - predicted);   // ±η
                for (var j = 0; j < InFeatures; j++) w[j] += step * row[j];
                b += step;
            }
            errorsPerEpoch.Add(errors);
            if (errors == 0) break;
        }
        using (Autograd.NoGrad())
        {
            Weight.CopyFrom(Tensor.FromArray(w));
            Bias.FillInPlace(b);
        }
        return errorsPerEpoch;
    }

    public override string Describe() => $"Perceptron({InFeatures} -> 1, step)";

    private void CheckInput(Tensor x)
    {
        if (x.Rank != 2 || x.Shape[1] != InFeatures)
        {
            throw new ArgumentException($"Perceptron: input must be [N, {InFeatures}]; got {x.Shape}.");
        }
    }

    /// <summary>Labels must be [N] and hold 0 or 1; returns them.</summary>
    internal static float[] CheckLabels(string name, Tensor x, Tensor y)
    {
        if (y.Rank != 1 || y.Shape[0] != x.Shape[0])
        {
            throw new ArgumentException($"{name}: labels must be [{x.Shape[0]}] (one per row of the input {x.Shape}); got {y.Shape}.");
        }
        var labels = y.ToArray();
        foreach (var v in labels)
        {
            if (v != 0f && v != 1f) throw new ArgumentException($"{name}: labels must be 0 or 1; got {v}.");
        }
        return labels;
    }
}

/// <summary>
/// One neuron with a sigmoid, logistic regression: p = σ(x·wᵀ + b), input [N, inFeatures] -> probabilities [N].
/// Unlike the <see cref="Perceptron"/> its output is smooth, so it trains by gradient descent on the
/// binary cross-entropy, with gradients from autograd.
/// </summary>
public sealed class SigmoidNeuron : Module
{
    public SigmoidNeuron(int inFeatures, Generator? generator = null)
    {
        Linear = Add("linear", new Linear(inFeatures, 1, generator: generator));
    }

    /// <summary>The neuron's weights [1, in] and bias [1].</summary>
    public Linear Linear { get; }

    /// <summary>The logit z = x·wᵀ + b, [N, in] -> [N].</summary>
    public Tensor Logits(Tensor x) => Linear.Forward(x).Squeeze(-1);

    protected override Tensor Compute(Tensor input) => Logits(input).Sigmoid();

    /// <summary>1 where the probability exceeds <paramref name="threshold"/>, else 0; [N, in] -> [N].</summary>
    public Tensor Predict(Tensor x, float threshold = 0.5f)
    {
        using (Autograd.NoGrad()) return Forward(x).Gt(threshold);
    }

    /// <summary>
    /// Full-batch gradient descent on the mean binary cross-entropy (computed from the logits, stably):
    /// each epoch θ -= η·∂L/∂θ. Returns the loss before each epoch's update.
    /// </summary>
    /// <param name="x">Inputs [N, inFeatures].</param>
    /// <param name="y">Labels [N] of 0 or 1.</param>
    /// <param name="epochs">Number of updates.</param>
    /// <param name="learningRate">η &gt; 0.</param>
    public IReadOnlyList<float> Fit(Tensor x, Tensor y, int epochs = 1000, float learningRate = 0.1f)
    {
        if (x.Rank != 2 || x.Shape[1] != Linear.InFeatures)
        {
            throw new ArgumentException($"SigmoidNeuron: input must be [N, {Linear.InFeatures}]; got {x.Shape}.");
        }
        if (epochs < 0) throw new ArgumentException($"SigmoidNeuron.Fit: epochs must not be negative; got {epochs}.");
        if (!(learningRate > 0f)) throw new ArgumentException($"SigmoidNeuron.Fit: learningRate must be positive; got {learningRate}.");
        Perceptron.CheckLabels("SigmoidNeuron.Fit", x, y);
        var history = new List<float>(epochs);
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            using var scope = TensorScope.Begin();
            ZeroGrad();
            var loss = Losses.BinaryCrossEntropyWithLogits(Logits(x), y);
            loss.Backward();
            history.Add(loss.Item());
            using (Autograd.NoGrad())
            {
                foreach (var p in TrainableParameters()) p.AddInPlace(p.Grad!, -learningRate);
            }
        }
        return history;
    }

    public override string Describe() => $"SigmoidNeuron({Linear.InFeatures} -> 1, sigmoid)";
}
