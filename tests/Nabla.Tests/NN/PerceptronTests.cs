using Nabla.NN;
using Nabla.Tests.NN.Losses;
using Nabla.Tests.Support;

namespace Nabla.Tests.NN;

/// <summary>The perceptron rule and the sigmoid neuron on separable data, a hand-computed update and the study-hours example.</summary>
public class PerceptronTests
{
    /// <summary>
    /// Points in [-1, 1]² labelled by the line 2x₁ - 3x₂ + 0.5 = 0, keeping only those at least 0.1 from it,
    /// so the data are separable with a margin and the perceptron must converge.
    /// </summary>
    private static (Tensor X, Tensor Y) Separable(ulong seed, int count)
    {
        var g = new Generator(seed);
        var xs = new List<float>();
        var ys = new List<float>();
        while (ys.Count < count)
        {
            var p = (Tensor.Rand([2], g) * 2f - 1f).ToArray();
            var z = (2.0 * p[0] - 3.0 * p[1] + 0.5) / Math.Sqrt(13);   // signed distance to the line
            if (Math.Abs(z) < 0.1) continue;
            xs.AddRange(p);
            ys.Add(z > 0 ? 1f : 0f);
        }
        return (Tensor.FromArray([.. xs], count, 2), Tensor.FromArray([.. ys]));
    }

    // Study, play and sleep hours per day; 1 = passed. Those who studied 5 hours or more passed.
    private static readonly Tensor Students = Tensor.FromArray(
    [
        8, 1, 8,   7, 2, 7,   6, 2, 8,   9, 1, 6,   5, 3, 7,   7, 3, 8,
        2, 6, 5,   3, 5, 6,   1, 7, 8,   4, 6, 4,   2, 4, 7,   3, 6, 6,
    ], 12, 3);

    private static readonly Tensor Passed = Tensor.FromArray(1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0);

    [Fact]
    public void Perceptron_reaches_zero_training_errors_on_separable_data()
    {
        var (x, y) = Separable(1, 200);
        var perceptron = new Perceptron(2);
        var errors = perceptron.Fit(x, y, epochs: 1000, learningRate: 0.1f);
        Assert.True(errors.Count < 1000, $"did not converge: {string.Join(", ", errors)}");
        Assert.Equal(0, errors[^1]);
        Assert.All(errors.SkipLast(1), e => Assert.True(e > 0));
        Assert.True(perceptron.Predict(x).ValueEquals(y), "predictions after training differ from the labels");
    }

    [Fact]
    public void Perceptron_update_step_by_hand()
    {
        // w = 0, b = 0, η = 0.5.
        // Example 1: x = (2, -1), y = 0. z = 0 → ŷ = step(0) = 1, wrong: w += 0.5·(0 - 1)·(2, -1) = (-1, 0.5), b = -0.5.
        // Example 2: x = (1, 1), y = 1. z = -1 + 0.5 - 0.5 = -1 → ŷ = 0, wrong: w += 0.5·(1, 1) = (-0.5, 1), b = 0.
        var perceptron = new Perceptron(2);
        var errors = perceptron.Fit(Tensor.FromArray([2f, -1f, 1f, 1f], 2, 2), Tensor.FromArray(0f, 1f), epochs: 1, learningRate: 0.5f);
        Assert.Equal([2], errors);
        Check.Close([-0.5f, 1f], perceptron.Weight, context: "weight after one epoch");
        Check.Close([0f], perceptron.Bias, context: "bias after one epoch");
        // A correctly classified example changes nothing: x = (0, 1) gives z = 1 → ŷ = 1 = y.
        Assert.Equal([0], perceptron.Fit(Tensor.FromArray([0f, 1f], 1, 2), Tensor.FromArray(1f), epochs: 5, learningRate: 0.5f));
        Check.Close([-0.5f, 1f], perceptron.Weight, context: "weight unchanged");
    }

    [Fact]
    public void Perceptron_never_settles_on_xor()
    {
        var x = Tensor.FromArray([0f, 0f, 0f, 1f, 1f, 0f, 1f, 1f], 4, 2);
        var errors = new Perceptron(2).Fit(x, Tensor.FromArray(0f, 1f, 1f, 0f), epochs: 25);
        Assert.Equal(25, errors.Count);
        Assert.All(errors, e => Assert.True(e > 0));
    }

    [Fact]
    public void Sigmoid_neuron_loss_decreases_to_full_accuracy_on_separable_data()
    {
        var (x, y) = Separable(2, 200);
        var neuron = new SigmoidNeuron(2, new Generator(3));
        var history = neuron.Fit(x, y, epochs: 300, learningRate: 2f);
        Assert.Equal(300, history.Count);
        for (var i = 1; i < history.Count; i++) Assert.True(history[i] <= history[i - 1] + 1e-6f, $"loss rose at epoch {i}: {history[i - 1]} → {history[i]}");
        Assert.True(history[^1] < 0.25f * history[0], $"loss only fell from {history[0]} to {history[^1]}");
        Assert.True(neuron.Predict(x).ValueEquals(y), "not every training example is classified correctly");
    }

    [Fact]
    public void Study_play_sleep_hours_predict_pass_or_fail()
    {
        var neuron = new SigmoidNeuron(3, new Generator(4));
        var history = neuron.Fit(Students, Passed, epochs: 2000, learningRate: 0.05f);
        Assert.True(history[^1] < history[0]);
        Assert.True(neuron.Predict(Students).ValueEquals(Passed), "a training student is misclassified");
        // New students: 7 h study, 2 h play, 8 h sleep should pass (output > 0.5); 2 h study, 6 h play, 5 h sleep should fail.
        var output = neuron.Forward(Tensor.FromArray([7f, 2f, 8f, 2f, 6f, 5f], 2, 3)).ToArray();
        Assert.True(output[0] > 0.5f, $"the diligent student gets {output[0]}");
        Assert.True(output[1] < 0.5f, $"the playful student gets {output[1]}");

        // The perceptron learns the same data exactly.
        var perceptron = new Perceptron(3);
        var errors = perceptron.Fit(Students, Passed, epochs: 1000);
        Assert.Equal(0, errors[^1]);
        Assert.True(perceptron.Predict(Students).ValueEquals(Passed));
    }

    [Fact]
    public void Sigmoid_neuron_output_is_the_sigmoid_of_its_linear_layer()
    {
        var neuron = new SigmoidNeuron(3, new Generator(5));
        var x = Tensor.Randn([4, 3], new Generator(6));
        var w = LossReference.D(neuron.Linear.Weight);
        var b = neuron.Linear.Bias!.Item();
        var rows = LossReference.D(x);
        var expected = Enumerable.Range(0, 4).Select(i => 1 / (1 + Math.Exp(-(b + w[0] * rows[3 * i] + w[1] * rows[3 * i + 1] + w[2] * rows[3 * i + 2])))).ToArray();
        Check.Close(new NdArray(expected, [4]), neuron.Forward(x), context: "σ(x·w + b)");
        Assert.Equal(4, neuron.ParameterCount());
        Assert.Equal(["linear.weight", "linear.bias"], neuron.StateDict().Keys);
    }

    [Fact]
    public void Bad_inputs_are_rejected_with_clear_messages()
    {
        var perceptron = new Perceptron(2);
        Assert.Contains("Perceptron: input must be [N, 2]; got [4, 3]", Assert.Throws<ArgumentException>(() => perceptron.Predict(Tensor.Zeros(4, 3))).Message, StringComparison.Ordinal);
        Assert.Contains("Perceptron.Fit: labels must be 0 or 1; got -1",
            Assert.Throws<ArgumentException>(() => perceptron.Fit(Tensor.Zeros(2, 2), Tensor.FromArray(1f, -1f))).Message, StringComparison.Ordinal);
        Assert.Contains("SigmoidNeuron.Fit: labels must be [3] (one per row of the input [3, 2]); got [2]",
            Assert.Throws<ArgumentException>(() => new SigmoidNeuron(2).Fit(Tensor.Zeros(3, 2), Tensor.Zeros(2))).Message, StringComparison.Ordinal);
    }
}
